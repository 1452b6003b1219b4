"""Vote-counting estimators: majority vote and skill-weighted vote."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Self

import numpy as np
from numpy.typing import NDArray

from labelshare.quality._base import (
    Gold,
    LabelEstimator,
    WorkerInit,
    clamp,
    normalize_gold,
    vote_scores,
)
from labelshare.quality._matrix import LabelMatrix
from labelshare.quality.exceptions import NotFittedError, QualityInputError

__all__ = ["MajorityVote", "WeightedVote"]


class _VoteEstimator(LabelEstimator):
    """Posterior = share of (weighted) votes per class; leave-one-out removes a vote."""

    def _label_weights(self, matrix: LabelMatrix) -> NDArray[np.float64]:
        raise NotImplementedError

    def fit(
        self, matrix: LabelMatrix, *, gold: Gold | None = None, init: WorkerInit | None = None
    ) -> Self:
        """Count the votes of every task (see :class:`LabelEstimator.fit`).

        Raises:
            QualityInputError: bad gold or weights, or ``init`` given (votes have no
                per-worker state to warm-start).
        """
        self._forget()
        self._shape = None
        self._check_matrix(matrix)
        if init is not None:
            raise QualityInputError(
                f"init: {type(self).__name__} has no per-worker state to warm-start"
            )
        clamped = normalize_gold(gold, matrix)
        weights = self._label_weights(matrix)
        scores = vote_scores(matrix, weights)
        totals = scores.sum(axis=1, keepdims=True)
        K = matrix.n_classes
        # A task whose votes all weigh zero gets the uniform posterior.
        probas = np.divide(scores, totals, out=np.full_like(scores, 1.0 / K), where=totals > 0)
        clamp(probas, clamped)
        self._scores = scores
        self._weights = weights
        self._gold = clamped
        self.n_iter_ = 1
        self._set_result(probas, matrix)
        return self

    def loo_correct_probability(self, matrix: LabelMatrix) -> NDArray[np.float64]:
        """Per label, the weighted share of the other votes on its task that agree with it."""
        if getattr(self, "_shape", None) is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(matrix) first")
        self._check_matrix(matrix)
        t, y, w = matrix.tasks, matrix.labels, self._weights
        same = self._scores[t, y] - w
        rest = self._scores.sum(axis=1)[t] - w
        # Nobody else voted (or only zero weights): the uniform 1 / K.
        out = np.divide(
            same, rest, out=np.full(matrix.n_labels, 1.0 / matrix.n_classes), where=rest > 1e-12
        )
        out = np.clip(out, 0.0, 1.0)
        tasks, classes = self._gold
        if tasks.size:
            answer = np.full(matrix.n_tasks, -1, dtype=np.int64)
            answer[tasks] = classes
            known = answer[t] >= 0
            out[known] = (answer[t][known] == y[known]).astype(np.float64)
        return np.asarray(out, dtype=np.float64)


class MajorityVote(_VoteEstimator):
    """Every label counts once; ``probas_`` are vote shares; ties go to the lowest class index.

    Attributes:
        labels_: ``(n_tasks,)`` most voted class.
        probas_: ``(n_tasks, n_classes)`` vote shares.
        n_iter_: 1.
    """

    def __init__(self) -> None:
        pass

    def _label_weights(self, matrix: LabelMatrix) -> NDArray[np.float64]:
        return np.ones(matrix.n_labels)


class WeightedVote(_VoteEstimator):
    """Votes weighted per worker; by default by agreement with the majority (Wawa).

    With ``weights=None`` a worker's weight is the share of its labels that agree with
    the majority-vote label of their task (crowd-kit's "Wawa", worker agreement with
    aggregate); otherwise the given weight (missing workers weigh 1).

    Args:
        weights: worker id -> non-negative weight, or None for agreement weights.

    Attributes:
        skills_: ``(n_workers,)`` the weight used for each worker.
        labels_, probas_, n_iter_: as :class:`MajorityVote`.
    """

    skills_: NDArray[np.float64]

    def __init__(self, *, weights: Mapping[Hashable, float] | None = None) -> None:
        self.weights = weights

    def _label_weights(self, matrix: LabelMatrix) -> NDArray[np.float64]:
        if self.weights is None:
            ones = np.ones(matrix.n_labels)
            majority = np.argmax(vote_scores(matrix, ones), axis=1)
            agree = (majority[matrix.tasks] == matrix.labels).astype(np.float64)
            skills = np.bincount(matrix.workers, agree, matrix.n_workers) / np.bincount(
                matrix.workers, minlength=matrix.n_workers
            )
        else:
            skills = np.ones(matrix.n_workers)
            for worker_id, value in self.weights.items():
                weight = float(value)
                if not np.isfinite(weight) or weight < 0:
                    raise QualityInputError(
                        f"weights[{worker_id!r}]: must be finite and >= 0, got {value!r}"
                    )
                skills[matrix.worker_index(worker_id)] = weight
        self.skills_ = skills
        return np.asarray(skills[matrix.workers], dtype=np.float64)
