"""GLAD: worker ability and task difficulty, fitted by generalised EM.

J. Whitehill, P. Ruvolo, T. Wu, J. Bergsma and J. Movellan, "Whose Vote Should Count
More: Optimal Integration of Labels from Labelers of Unknown Expertise", NIPS 2009.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit, log_expit

from labelshare.quality._base import IterativeEstimator, WorkerInit, check_nonnegative
from labelshare.quality._matrix import LabelMatrix
from labelshare.quality.exceptions import QualityInputError

__all__ = ["GLAD"]

GladState = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]
"""``(alpha (n_workers,), log_beta (n_tasks,), log_prior (n_classes,))``."""

# A Newton step on one parameter is capped at this size: the log-difficulty objective
# is not concave, and a capped step keeps a generalised-EM iteration from overshooting.
_MAX_STEP = 1.0


class GLAD(IterativeEstimator):
    """GLAD: P(worker w labels task t correctly) = sigmoid(alpha_w * beta_t).

    A wrong label is uniform over the other K - 1 classes. ``alpha_w`` (ability, may be
    negative for adversaries) has a Normal(``alpha_prior_mean``, 1) prior and
    ``log beta_t`` (``beta_t`` > 0 is inverse difficulty) a Normal(0, 1) prior. The
    M-step is one damped Newton step on every ``alpha`` then one on every
    ``log beta`` (a generalised EM step; each is a diagonal Newton step computed for all
    workers or tasks at once with ``np.bincount``).

    Args:
        n_iter: iteration cap.
        tol: stop when the mean log marginal likelihood per label changes by less.
        alpha_prior_mean: prior mean of worker ability.
        prior_precision: precision (1 / variance) of both Normal priors (> 0).

    Attributes:
        skills_: ``(n_workers,)`` ability ``alpha``.
        difficulties_: ``(n_tasks,)`` ``beta`` (larger is easier).
        priors_: ``(n_classes,)`` class prior (uniform).
        labels_, probas_, n_iter_, loss_history_: see the package docs.
    """

    skills_: NDArray[np.float64]
    difficulties_: NDArray[np.float64]
    priors_: NDArray[np.float64]

    def __init__(
        self,
        *,
        n_iter: int = 100,
        tol: float = 1e-5,
        alpha_prior_mean: float = 1.0,
        prior_precision: float = 1.0,
    ) -> None:
        self.n_iter = n_iter
        self.tol = tol
        self.alpha_prior_mean = alpha_prior_mean
        self.prior_precision = prior_precision

    def _validate_params(self) -> None:
        if not np.isfinite(float(self.alpha_prior_mean)):
            raise QualityInputError(
                f"alpha_prior_mean: must be finite, got {self.alpha_prior_mean!r}"
            )
        check_nonnegative(self.prior_precision, "prior_precision", strict=True)

    def _log_terms(
        self, matrix: LabelMatrix, state: GladState
    ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        alpha, log_beta, _ = state
        x = alpha[matrix.workers] * np.exp(log_beta[matrix.tasks])
        log_right = log_expit(x)
        log_wrong = log_expit(-x) - np.log(max(matrix.n_classes - 1, 1))
        return x, log_right, log_wrong

    def _log_joint(self, matrix: LabelMatrix, state: GladState) -> NDArray[np.float64]:
        _, log_right, log_wrong = self._log_terms(matrix, state)
        K = matrix.n_classes
        # Every label contributes log_wrong to every class, plus the difference on its own.
        base = np.bincount(matrix.tasks, weights=log_wrong, minlength=matrix.n_tasks)
        extra = np.bincount(
            matrix.tasks * K + matrix.labels,
            weights=log_right - log_wrong,
            minlength=matrix.n_tasks * K,
        ).reshape(matrix.n_tasks, K)
        return base[:, None] + extra + state[2]

    def _label_log_factors(self, matrix: LabelMatrix, state: GladState) -> NDArray[np.float64]:
        _, log_right, log_wrong = self._log_terms(matrix, state)
        factors = np.repeat(log_wrong[:, None], matrix.n_classes, axis=1)
        factors[np.arange(matrix.n_labels), matrix.labels] = log_right
        return factors

    def _m_step(self, matrix: LabelMatrix, probas: NDArray[np.float64], state: Any) -> GladState:
        if state is None:
            alpha = np.full(matrix.n_workers, float(self.alpha_prior_mean))
            log_beta = np.zeros(matrix.n_tasks)
        else:
            alpha, log_beta = state[0].copy(), state[1].copy()
        precision = float(self.prior_precision)
        mean = float(self.alpha_prior_mean)
        correct = probas[matrix.tasks, matrix.labels]
        w, t = matrix.workers, matrix.tasks

        beta = np.exp(log_beta[t])
        sig = expit(alpha[w] * beta)
        grad = np.bincount(w, (correct - sig) * beta, matrix.n_workers) - precision * (alpha - mean)
        curv = np.bincount(w, sig * (1 - sig) * beta**2, matrix.n_workers) + precision
        alpha += np.clip(grad / curv, -_MAX_STEP, _MAX_STEP)

        x = alpha[w] * np.exp(log_beta[t])
        sig = expit(x)
        grad = np.bincount(t, (correct - sig) * x, matrix.n_tasks) - precision * log_beta
        # Gauss–Newton curvature: always positive, unlike the exact second derivative.
        curv = np.bincount(t, sig * (1 - sig) * x**2, matrix.n_tasks) + precision
        log_beta += np.clip(grad / curv, -_MAX_STEP, _MAX_STEP)

        # The class prior stays uniform, as in the paper: learning it lets the majority
        # class absorb the hard tasks (their difficulty makes the labels uninformative).
        return alpha, log_beta, np.full(matrix.n_classes, -np.log(matrix.n_classes))

    def _apply_init(self, matrix: LabelMatrix, state: GladState, init: WorkerInit) -> GladState:
        alpha = state[0].copy()
        for worker_id, value in init.items():
            arr = np.asarray(value, dtype=np.float64)
            if arr.size != 1 or not np.isfinite(arr).all():
                raise QualityInputError(f"init[{worker_id!r}]: expected one finite ability value")
            alpha[matrix.worker_index(worker_id)] = float(arr.reshape(()))
        return alpha, state[1], state[2]

    def _publish(self, matrix: LabelMatrix, state: GladState) -> None:
        self.skills_ = state[0].copy()
        self.difficulties_ = np.exp(state[1])
        self.priors_ = np.exp(state[2])
        self._worker_ids = matrix.worker_ids

    def worker_state(self) -> dict[Hashable, NDArray[np.float64]]:
        """Each worker's ability, to pass as ``init`` to the next fit.

        Returns:
            Mapping of worker id to a one-element array holding ``alpha``.
        """
        skills = self.skills_
        return {wid: skills[i : i + 1].copy() for i, wid in enumerate(self._worker_ids.tolist())}
