"""Rubric aggregation: one ordinal model per criterion, and chance-corrected label weights.

A rubric label scores a response on every criterion of an ordinal scale
``min_score..max_score``. Each criterion is aggregated on its own by
:class:`~labelshare.quality.structured.ordinal.OrdinalAggregator` (bias- and
spread-corrected ratings, Piech et al. 2013); the item's rubric is the most probable
score per criterion.

A label's quality weight credits near misses, as scores on an ordinal scale should,
and is worth nothing when the scores do not depend on the truth. Per criterion, with
the linear agreement ``a(k, l) = 1 - |k - l| / (K - 1)`` of J. Cohen, "Weighted kappa",
Psychological Bulletin 70(4), 1968::

    closeness(label)   = E[a(truth, label)] under the item's posterior without the label
    informedness(w)    = (observed - expected) / (1 - expected), clipped to [0, 1]
    weight             = closeness(label) x informedness(annotator)

``observed`` is annotator w's mean closeness and ``expected`` the closeness its own
score distribution (Dirichlet-smoothed) would reach on the same items if its scores
were unrelated to them: w's weighted kappa against the leave-one-out posteriors. A
uniformly random scorer is on average 0.6 close on a 1..5 scale, but its kappa is
about 0, and so is a constant scorer's; the label's weight is the mean over criteria.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from labelshare.quality._base import check_nonnegative
from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.structured._base import (
    EncodedRows,
    StructuredAggregator,
    check_names,
    encode_rows,
)
from labelshare.quality.structured.ordinal import OrdinalAggregator

__all__ = ["RubricAggregator", "linear_agreement"]

# Below this gap between perfect and chance agreement an annotator's kappa is
# undefined (every score it could give is as close as every other); it gets 0.
_NO_ROOM = 1e-9


def linear_agreement(n_scores: int) -> NDArray[np.float64]:
    """Cohen's (1968) linear agreement weights of a scale of ``n_scores`` steps.

    Args:
        n_scores: K, the number of scores on the scale (>= 2).

    Returns:
        ``(K, K)`` with ``[k, l] = 1 - |k - l| / (K - 1)``: 1 on the diagonal, 0 for
        the two ends of the scale.
    """
    steps = np.arange(n_scores, dtype=np.float64)
    return np.asarray(
        1.0 - np.abs(steps[:, None] - steps[None, :]) / (n_scores - 1), dtype=np.float64
    )


class RubricAggregator(StructuredAggregator):
    """Scores per criterion, aggregated ordinally; weights chance-corrected per annotator.

    Args:
        criteria: the criterion names, in the schema's order.
        min_score: the lowest score of the scale.
        max_score: the highest score of the scale (above ``min_score``).
        smoothing: Dirichlet pseudo-count per score of every annotator's score
            distribution, so that an annotator with a handful of labels is not taken
            for a constant scorer (>= 0).
        n_iter: iteration cap of each criterion's ordinal model.
        tol: tolerance of each criterion's ordinal model.

    Attributes:
        labels_: per item ``{criterion: score}``, the most probable score of each.
        confidence_: ``(n_items,)`` probability of the whole rubric: the product over
            criteria of the posterior probability of each aggregated score.
        criterion_confidences_: ``(n_items, n_criteria)`` those probabilities.
        informedness_: ``(n_workers, n_criteria)`` each annotator's weighted kappa per
            criterion, in [0, 1].
        skills_: ``(n_workers,)`` mean informedness over the criteria.
        quality_weights_: ``(n_rows,)`` mean over criteria of closeness x informedness.
        item_ids_, worker_ids_, n_iter_ (the most any criterion took): see
            :mod:`labelshare.quality.structured._base`.
    """

    criterion_confidences_: NDArray[np.float64]
    informedness_: NDArray[np.float64]

    def __init__(
        self,
        *,
        criteria: Sequence[str],
        min_score: int = 1,
        max_score: int = 5,
        smoothing: float = 1.0,
        n_iter: int = 100,
        tol: float = 1e-4,
    ) -> None:
        self.criteria = criteria
        self.min_score = min_score
        self.max_score = max_score
        self.smoothing = smoothing
        self.n_iter = n_iter
        self.tol = tol

    def fit(self, rows: Sequence[Any]) -> Self:
        """Aggregate rubric scores (values: ``{criterion: int}`` with every criterion).

        Args:
            rows: ``(item, annotator, value)`` rows.

        Returns:
            self.

        Raises:
            QualityInputError: bad hyperparameters or rows, a value that is not an
                object, lacks a criterion or has a score outside the scale.
        """
        self._forget()
        criteria = check_names(self.criteria, "criteria")
        low, high = _scale(self.min_score, self.max_score)
        smoothing = check_nonnegative(self.smoothing, "smoothing")
        encoded = encode_rows(rows)
        # scores[r, c]: row r's score of criterion c, shifted to 0..K-1.
        scores = _scores(encoded, criteria, low, high)
        n_scores = high - low + 1
        agreement = linear_agreement(n_scores)
        weights = np.zeros(encoded.n_rows)
        n_items, n_workers = encoded.index.n_tasks, encoded.index.n_workers
        labels = np.zeros((n_items, len(criteria)), dtype=np.int64)
        confidences = np.zeros((n_items, len(criteria)))
        informedness = np.zeros((n_workers, len(criteria)))
        iterations = 0
        for c in range(len(criteria)):
            # Rows go in canonical order, so the model's items, annotators and rows line
            # up with ``encoded`` (it sorts ids the same way).
            model = OrdinalAggregator(max_rating=n_scores, n_iter=self.n_iter, tol=self.tol).fit(
                [
                    (item, worker, int(score) + 1)
                    for item, worker, score in zip(
                        encoded.index.task_ids[encoded.index.tasks],
                        encoded.index.worker_ids[encoded.index.workers],
                        scores[:, c],
                        strict=True,
                    )
                ]
            )
            closeness, informedness[:, c] = _weighted_kappa(
                model.loo_rating_probas_, scores[:, c], encoded, agreement, smoothing
            )
            weights += closeness * informedness[encoded.index.workers, c]
            labels[:, c] = np.asarray(model.labels_, dtype=np.int64) - 1
            confidences[:, c] = model.confidence_
            iterations = max(iterations, model.n_iter_)
        self.criterion_confidences_ = confidences
        self.informedness_ = informedness
        self._publish_common(
            encoded,
            labels=[
                {name: int(score) + low for name, score in zip(criteria, row, strict=True)}
                for row in labels.tolist()
            ],
            confidence=confidences.prod(axis=1),
            skills=informedness.mean(axis=1),
            weights=weights / len(criteria),
            n_iter=iterations,
        )
        return self


def _scale(min_score: Any, max_score: Any) -> tuple[int, int]:
    for name, value in (("min_score", min_score), ("max_score", max_score)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise QualityInputError(f"{name}: must be an integer, got {value!r}")
    if max_score <= min_score:
        raise QualityInputError(f"max_score: {max_score} must be above min_score {min_score}")
    return int(min_score), int(max_score)


def _scores(
    encoded: EncodedRows, criteria: tuple[str, ...], low: int, high: int
) -> NDArray[np.int64]:
    """``(n_rows, n_criteria)`` scores minus ``low``, checked against the scale."""
    scores = np.zeros((encoded.n_rows, len(criteria)), dtype=np.int64)
    for r, value in enumerate(encoded.values):
        if not isinstance(value, Mapping):
            raise QualityInputError(f"value: a rubric value is an object, got {value!r}")
        for c, name in enumerate(criteria):
            score = value.get(name)
            if isinstance(score, bool) or not isinstance(score, int | np.integer):
                raise QualityInputError(f"value.{name}: expected an integer score, got {score!r}")
            if not low <= score <= high:
                raise QualityInputError(f"value.{name}: score {score} is outside {low}..{high}")
            scores[r, c] = int(score) - low
    return scores


def _weighted_kappa(
    loo: NDArray[np.float64],
    scores: NDArray[np.int64],
    encoded: EncodedRows,
    agreement: NDArray[np.float64],
    smoothing: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(closeness per row, informedness per annotator)`` of one criterion.

    Args:
        loo: ``(n_rows, K)`` each row's leave-one-out posterior over the scores.
        scores: ``(n_rows,)`` each row's score, 0..K-1.
        encoded: the rows' coding (annotator of each row).
        agreement: ``(K, K)`` credit of answering ``l`` when the truth is ``k``.
        smoothing: pseudo-count per score of each annotator's score distribution.
    """
    workers, n_workers = encoded.index.workers, encoded.index.n_workers
    n_scores = agreement.shape[0]
    # expected[r, l]: how close score l would be on row r's item.
    expected = loo @ agreement
    closeness = expected[np.arange(scores.shape[0]), scores]
    counts = np.zeros((n_workers, n_scores))
    np.add.at(counts, (workers, scores), 1.0)
    spread = (counts + smoothing) / (counts.sum(axis=1, keepdims=True) + smoothing * n_scores)
    chance = np.einsum("rl,rl->r", expected, spread[workers])
    n_rows = np.bincount(workers, minlength=n_workers)
    observed = np.bincount(workers, weights=closeness, minlength=n_workers) / n_rows
    by_chance = np.bincount(workers, weights=chance, minlength=n_workers) / n_rows
    room = 1.0 - by_chance
    kappa = np.divide(observed - by_chance, room, out=np.zeros(n_workers), where=room > _NO_ROOM)
    return closeness, np.clip(kappa, 0.0, 1.0)
