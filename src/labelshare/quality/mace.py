"""MACE: each worker either knows the answer or spams from its own label distribution.

D. Hovy, T. Berg-Kirkpatrick, A. Vaswani and E. Hovy, "Learning Whom to Trust with
MACE", NAACL-HLT 2013 (variational-Bayes training with Beta and Dirichlet priors).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import digamma

from labelshare.quality._base import EPS, WorkerInit, check_nonnegative
from labelshare.quality._confusion import ConfusionEstimator, EmissionState
from labelshare.quality._matrix import LabelMatrix
from labelshare.quality.exceptions import NotFittedError, QualityInputError

__all__ = ["MACE"]

_MaceParams = tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]
"""``(theta, not_theta, xi)``: exp(E[log .]) of knowing, of spamming (they need not sum
to one under VB) and of the spam distribution."""


class MACE(ConfusionEstimator):
    """MACE with variational-Bayes updates and a uniform prior over true classes.

    Worker w answers the truth with probability ``theta_w`` and otherwise draws from its
    spam distribution ``xi_w``: P(l | k) = theta_w [l = k] + (1 - theta_w) xi_w[l].
    Priors: ``theta_w`` ~ Beta(``knowing_prior``, ``spam_prior``), ``xi_w`` ~ symmetric
    Dirichlet(``strategy_prior``); the VB step uses exp(E[log .]) of each posterior
    (digamma), as in the paper. A label l is "known" with posterior
    P(truth = l) theta / (theta + (1 - theta) xi[l]), so the M-step needs, per worker
    and answer, only the number of such answers and their summed P(truth = l), and the
    E-step only the right and wrong log-probabilities of each label: both are bincounts
    over the labels, without the (n_workers, K, K) soft counts of Dawid–Skene.

    Args:
        n_iter: iteration cap.
        tol: stop when the mean log marginal likelihood per label changes by less.
        knowing_prior: Beta pseudo-count for answering the truth (> 0).
        spam_prior: Beta pseudo-count for spamming (> 0).
        strategy_prior: Dirichlet pseudo-count per class of the spam distribution (> 0).

    Attributes:
        skills_: ``(n_workers,)`` probability that a worker answers the truth (``theta``).
        spam_distributions_: ``(n_workers, n_classes)`` each worker's ``xi``.
        labels_, probas_, confusions_, priors_, n_iter_, loss_history_: as DawidSkene.
    """

    skills_: NDArray[np.float64]
    spam_distributions_: NDArray[np.float64]
    _theta_xi: _MaceParams | None

    def __init__(
        self,
        *,
        n_iter: int = 50,
        tol: float = 1e-5,
        knowing_prior: float = 0.5,
        spam_prior: float = 0.5,
        strategy_prior: float = 10.0,
    ) -> None:
        self.n_iter = n_iter
        self.tol = tol
        self.knowing_prior = knowing_prior
        self.spam_prior = spam_prior
        self.strategy_prior = strategy_prior

    def _validate_params(self) -> None:
        for name in ("knowing_prior", "spam_prior", "strategy_prior"):
            check_nonnegative(getattr(self, name), name, strict=True)

    def _m_step(
        self, matrix: LabelMatrix, probas: NDArray[np.float64], state: Any
    ) -> EmissionState:
        # MACE needs two (W, K) tables, not the (W, K, K) soft counts of Dawid–Skene:
        # how often w answered l, and the posterior mass on truth == l over those
        # answers. Both are one bincount over the labels, so no sparse products.
        K = matrix.n_classes
        if state is None:
            # Flat (worker, label) and (task, label) cell of every row, kept for the fit.
            self._worker_cell = matrix.workers * K + matrix.labels
            self._task_cell = matrix.tasks * K + matrix.labels
            answered = np.bincount(self._worker_cell, minlength=matrix.n_workers * K)
            self._answered = answered.reshape(-1, K).astype(np.float64)
        weights = np.take(probas, self._task_cell)
        truth_is_answer = np.asarray(
            np.bincount(self._worker_cell, weights=weights, minlength=matrix.n_workers * K),
            dtype=np.float64,
        ).reshape(-1, K)
        return self._update(matrix, self._answered, truth_is_answer)

    def _params(
        self, matrix: LabelMatrix, counts: NDArray[np.float64], probas: NDArray[np.float64]
    ) -> EmissionState:
        """The same update from Dawid–Skene soft counts (``fit`` uses :meth:`_m_step`)."""
        diag = np.arange(matrix.n_classes)
        return self._update(matrix, counts.sum(axis=2), counts[:, diag, diag])

    def _update(
        self,
        matrix: LabelMatrix,
        answered: NDArray[np.float64],
        truth_is_answer: NDArray[np.float64],
    ) -> EmissionState:
        """VB update from ``answered[w, l]`` (labels l given by w) and
        ``truth_is_answer[w, l]`` (posterior mass on truth == l over those labels)."""
        K = matrix.n_classes
        if self._theta_xi is None:
            theta = np.full(matrix.n_workers, 0.5)
            not_theta = theta.copy()
            xi = np.full((matrix.n_workers, K), 1.0 / K)
        else:
            theta, not_theta, xi = self._theta_xi
        known_share = theta[:, None] / (theta[:, None] + not_theta[:, None] * xi)
        known = known_share * truth_is_answer
        spam = answered - known
        a = float(self.knowing_prior) + known.sum(axis=1)
        b = float(self.spam_prior) + spam.sum(axis=1)
        s = float(self.strategy_prior) + spam
        ab = digamma(a + b)
        theta = np.exp(digamma(a) - ab)
        not_theta = np.exp(digamma(b) - ab)
        xi = np.exp(digamma(s) - digamma(s.sum(axis=1, keepdims=True)))
        self._theta_xi = (theta, not_theta, xi)
        return self._emission(theta, not_theta, xi), np.full(K, -np.log(K))

    def _log_joint(self, matrix: LabelMatrix, state: EmissionState) -> NDArray[np.float64]:
        # P(l | k) takes one value when l == k and another, the same for every k != l,
        # otherwise: every label adds its "wrong" term to all classes and the
        # difference to its own class, two bincounts instead of a sparse product.
        log_emit, log_prior = state
        K = matrix.n_classes
        diag = np.arange(K)
        right = log_emit[:, diag, diag]
        wrong = log_emit[:, diag, (diag + 1) % K] if K > 1 else np.zeros_like(right)
        cell = self._worker_cell
        base = np.bincount(matrix.tasks, weights=np.take(wrong, cell), minlength=matrix.n_tasks)
        extra = np.asarray(
            np.bincount(
                self._task_cell, weights=np.take(right - wrong, cell), minlength=matrix.n_tasks * K
            ),
            dtype=np.float64,
        ).reshape(matrix.n_tasks, K)
        extra += base[:, None]
        extra += log_prior
        return extra

    def _reset(self) -> None:
        self._theta_xi = None

    def _apply_init(
        self, matrix: LabelMatrix, state: EmissionState, init: WorkerInit
    ) -> EmissionState:
        if self._theta_xi is None:
            raise QualityInputError("init: MACE warm start needs a first M-step")
        theta, not_theta, xi = (a.copy() for a in self._theta_xi)
        K = matrix.n_classes
        for worker_id, value in init.items():
            arr = np.asarray(value, dtype=np.float64)
            if arr.shape != (K + 1,) or not np.isfinite(arr).all() or np.any(arr < 0):
                raise QualityInputError(
                    f"init[{worker_id!r}]: expected [theta, xi_1..xi_{K}] "
                    f"of {K + 1} non-negative values"
                )
            if not 0 < arr[0] < 1 or arr[1:].sum() <= 0:
                raise QualityInputError(
                    f"init[{worker_id!r}]: theta must be in (0, 1) and xi sum > 0"
                )
            w = matrix.worker_index(worker_id)
            theta[w], not_theta[w], xi[w] = arr[0], 1 - arr[0], arr[1:] / arr[1:].sum()
        self._theta_xi = (theta, not_theta, xi)
        return self._emission(theta, not_theta, xi), state[1]

    @staticmethod
    def _emission(
        theta: NDArray[np.float64], not_theta: NDArray[np.float64], xi: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        K = xi.shape[1]
        diag = np.arange(K)
        emit = np.repeat((not_theta[:, None] * xi)[:, :, None], K, axis=2)
        emit[:, diag, diag] += theta[:, None]
        return np.log(np.maximum(emit, EPS))

    def _publish(self, matrix: LabelMatrix, state: EmissionState) -> None:
        super()._publish(matrix, state)
        if self._theta_xi is None:
            raise NotFittedError("MACE: no parameters after fitting")
        theta, not_theta, xi = self._theta_xi
        self.skills_ = theta / (theta + not_theta)
        self.spam_distributions_ = xi / xi.sum(axis=1, keepdims=True)

    def worker_state(self) -> dict[Hashable, NDArray[np.float64]]:
        """Each worker's ``[theta, xi_1..xi_K]``, to pass as ``init`` to the next fit.

        Returns:
            Mapping of worker id to a ``(n_classes + 1,)`` array.
        """
        packed = np.column_stack([self.skills_, self.spam_distributions_])
        return {wid: packed[i] for i, wid in enumerate(self._worker_ids.tolist())}
