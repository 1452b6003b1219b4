"""Shared machinery of the preference estimators: parameters, fitted state, the BT fit.

Estimators follow the rules of ``labelshare.quality._base`` (scikit-learn's): ``__init__``
stores keyword hyperparameters unchanged, ``fit`` validates them and returns ``self``,
learned state ends in ``_`` and reading it before ``fit`` raises ``NotFittedError``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import expit
from threadpoolctl import threadpool_limits

from labelshare.quality._params import Estimator
from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.preference._comparisons import Comparisons

__all__ = [
    "PairwiseEstimator",
    "check_weights",
    "fit_log_strengths",
    "judgement_weights",
    "single_threaded_blas",
]


def single_threaded_blas() -> AbstractContextManager[Any]:
    """A context in which BLAS runs on one thread.

    L-BFGS-B calls BLAS on vectors of a few thousand entries; multi-threaded OpenBLAS
    then spends its time synchronising threads, which on a busy two-core host made
    fits some 50 times slower than on one thread (measured on the test suite).
    """
    limiter: AbstractContextManager[Any] = threadpool_limits(limits=1, user_api="blas")
    return limiter


class PairwiseEstimator(Estimator):
    """Base of the estimators that score objects from pairwise judgements.

    Learned attributes of every subclass: ``scores_`` ``(n_objects,)`` log-strengths
    (higher is better; P(i beats j) = sigmoid(scores_[i] - scores_[j])), ``object_ids_``
    and ``n_iter_``.
    """

    scores_: NDArray[np.float64]
    object_ids_: NDArray[Any]
    n_iter_: int

    fit_call = "fit(comparisons)"

    def ranking(self) -> NDArray[Any]:
        """Object ids from best to worst (ties in score keep id order).

        Returns:
            ``(n_objects,)`` ids.

        Raises:
            NotFittedError: before ``fit``.
        """
        return np.asarray(self.object_ids_[np.argsort(-self.scores_, kind="stable")])

    def _forget(self) -> None:
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            delattr(self, name)


def check_weights(
    sample_weight: NDArray[Any] | None, comparisons: Comparisons
) -> NDArray[np.float64]:
    """Return per-judgement weights (ones by default) after checking them.

    Raises:
        QualityInputError: ``comparisons`` is not a ``Comparisons``, or the weights have
            the wrong shape or are negative or not finite.
    """
    if not isinstance(comparisons, Comparisons):
        raise QualityInputError(
            f"comparisons: expected Comparisons, got {type(comparisons).__name__}"
        )
    n = comparisons.n_comparisons
    if sample_weight is None:
        return np.ones(n, dtype=np.float64)
    weights = np.asarray(sample_weight, dtype=np.float64)
    if weights.shape != (n,):
        raise QualityInputError(f"sample_weight: expected shape ({n},), got {weights.shape}")
    if not np.all(np.isfinite(weights)) or np.any(weights < 0):
        raise QualityInputError("sample_weight: weights must be finite and >= 0")
    return weights


def judgement_weights(
    sample_weight: NDArray[Any] | None, comparisons: Comparisons
) -> NDArray[np.float64]:
    """What each judgement weighs in a fit: ``sample_weight`` times ``comparisons.weights``.

    The one place where the judgements' own weights (a pairwise label's strength) meet
    the caller's (bootstrap counts, quality weights), so neither is applied twice.

    Raises:
        QualityInputError: as :func:`check_weights`.
    """
    return check_weights(sample_weight, comparisons) * comparisons.weights


def fit_log_strengths(
    comparisons: Comparisons,
    first_score: NDArray[np.float64],
    weights: NDArray[np.float64],
    *,
    prior: float,
    start: NDArray[np.float64] | None,
    max_iter: int,
    tol: float,
) -> tuple[NDArray[np.float64], int, bool]:
    """Maximum a posteriori Bradley–Terry log-strengths from (soft) outcomes.

    Judgements are summed per unordered pair first, so one evaluation costs
    O(n_pairs + n_objects). The prior gives every object ``prior`` wins and ``prior``
    losses against a virtual object of log-strength 0: the estimate is finite even for
    objects that never lost (or never won) and unique even when the comparison graph
    is not connected. Minimised with L-BFGS-B and the analytic gradient.

    Args:
        comparisons: the judgements (only ``first``/``second`` are read).
        first_score: ``(n,)`` in [0, 1], how much of judgement r the first object won
            (1 for a win, 0.5 for a tie, a posterior probability in Crowd-BT).
        weights: ``(n,)`` non-negative weight of each judgement.
        prior: pseudo-wins and pseudo-losses of every object against the virtual one.
        start: starting log-strengths, or None for zeros.
        max_iter: L-BFGS-B iteration cap.
        tol: gradient tolerance of the per-judgement objective.

    Returns:
        ``(log_strengths, iterations, converged)``.
    """
    n_objects = comparisons.n_objects
    lo = np.minimum(comparisons.first, comparisons.second)
    hi = np.maximum(comparisons.first, comparisons.second)
    lo_score = np.where(comparisons.first == lo, first_score, 1.0 - first_score)
    key = lo * n_objects + hi
    pairs, inverse = np.unique(key, return_inverse=True)
    totals = np.bincount(inverse, weights=weights)
    wins = np.bincount(inverse, weights=weights * lo_score)
    i, j = pairs // n_objects, pairs % n_objects
    # The objective is divided by the total weight so that ``tol`` means the same for
    # ten judgements and for ten million.
    scale = 1.0 / max(float(totals.sum()) + 2.0 * prior * n_objects, 1e-12)

    def objective(theta: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        diff = theta[i] - theta[j]
        # One log-sigmoid serves both outcomes: -log sigmoid(-d) = -log sigmoid(d) + d.
        loss_lo = np.logaddexp(0.0, -diff)
        # Elementwise sums, not `@`: a BLAS dot spawns threads that thrash on busy hosts.
        nll = np.sum(totals * loss_lo + (totals - wins) * diff)
        pull = totals * np.exp(-loss_lo) - wins
        grad = np.bincount(i, weights=pull, minlength=n_objects)
        grad -= np.bincount(j, weights=pull, minlength=n_objects)
        nll += prior * (np.logaddexp(0.0, theta).sum() + np.logaddexp(0.0, -theta).sum())
        grad += prior * (2.0 * expit(theta) - 1.0)
        return float(nll) * scale, np.asarray(grad * scale, dtype=np.float64)

    theta0 = np.zeros(n_objects) if start is None else np.asarray(start, dtype=np.float64)
    result = minimize(
        objective,
        theta0,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": tol, "ftol": tol * 1e-3},
    )
    return np.asarray(result.x, dtype=np.float64), int(result.nit), bool(result.success)
