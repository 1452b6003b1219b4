"""Bradley–Terry: one strength per object, fitted by (penalised) maximum likelihood.

R. A. Bradley and M. E. Terry, "Rank Analysis of Incomplete Block Designs: I. The
Method of Paired Comparisons", Biometrika 39(3/4):324–345, 1952.
D. R. Hunter, "MM algorithms for generalized Bradley–Terry models", Annals of
Statistics 32(1):384–406, 2004 (existence of the estimate; why a prior is needed when
the comparison graph is not strongly connected).
"""

from __future__ import annotations

import warnings
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from labelshare.quality._base import check_nonnegative, check_positive_int
from labelshare.quality.exceptions import ConvergenceWarning
from labelshare.quality.preference._base import (
    PairwiseEstimator,
    fit_log_strengths,
    judgement_weights,
    single_threaded_blas,
)
from labelshare.quality.preference._comparisons import FIRST_WINS, TIE, Comparisons

__all__ = ["BradleyTerry", "first_scores"]


def first_scores(comparisons: Comparisons) -> NDArray[np.float64]:
    """``(n,)`` share of each judgement won by the first object: 1, 0, or 0.5 for a tie."""
    outcomes = comparisons.outcomes
    return np.where(outcomes == FIRST_WINS, 1.0, np.where(outcomes == TIE, 0.5, 0.0))


class BradleyTerry(PairwiseEstimator):
    """P(i beats j) = sigmoid(s_i - s_j), every judgement trusted alike.

    A tie counts as half a win for each side. Each judgement's log-likelihood is
    multiplied by its weight, ``comparisons.weights`` (a stronger stated preference
    counts as more evidence, see ``comparisons_from_values``) times ``sample_weight``.
    ``prior`` gives every object that many wins and losses against a virtual object of
    score 0 (a MAP estimate that stays finite for undefeated objects and separates
    disconnected groups no further than the data says); 0 gives the plain
    maximum-likelihood estimate, which exists only when the comparison graph is
    strongly connected.

    Args:
        prior: pseudo-wins and pseudo-losses per object (>= 0).
        n_iter: L-BFGS-B iteration cap.
        tol: gradient tolerance of the mean per-judgement negative log-likelihood.

    Attributes:
        scores_: ``(n_objects,)`` log-strengths, in ``object_ids_`` order.
        object_ids_: ``(n_objects,)`` ids of the objects.
        n_iter_: optimiser iterations used.
    """

    def __init__(self, *, prior: float = 0.5, n_iter: int = 1000, tol: float = 1e-7) -> None:
        self.prior = prior
        self.n_iter = n_iter
        self.tol = tol

    def fit(
        self,
        comparisons: Comparisons,
        *,
        sample_weight: NDArray[Any] | None = None,
        start: NDArray[np.float64] | None = None,
    ) -> Self:
        """Fit one log-strength per object.

        Args:
            comparisons: the judgements.
            sample_weight: ``(n,)`` non-negative weight per judgement (bootstrap counts,
                quality weights), on top of ``comparisons.weights``; ones by default.
            start: starting log-strengths ``(n_objects,)`` (a warm start), or None.

        Returns:
            self.

        Raises:
            QualityInputError: bad hyperparameters, weights or comparisons.
        """
        self._forget()
        weights = judgement_weights(sample_weight, comparisons)
        prior = check_nonnegative(self.prior, "prior")
        n_iter = check_positive_int(self.n_iter, "n_iter")
        tol = check_nonnegative(self.tol, "tol", strict=True)
        with single_threaded_blas():
            scores, iterations, converged = fit_log_strengths(
                comparisons,
                first_scores(comparisons),
                weights,
                prior=prior,
                start=start,
                max_iter=n_iter,
                tol=tol,
            )
        if not converged:
            warnings.warn(
                f"BradleyTerry stopped at n_iter={n_iter} before the gradient fell below tol={tol}",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.scores_ = scores
        self.object_ids_ = comparisons.object_ids
        self.n_iter_ = iterations
        return self
