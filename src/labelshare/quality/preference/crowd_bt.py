"""Crowd-BT: Bradley–Terry with a reliability per annotator.

X. Chen, P. N. Bennett, K. Collins-Thompson and E. Horvitz, "Pairwise Ranking
Aggregation in a Crowdsourced Setting", WSDM 2013. Annotator k reports the truly
better object with probability eta_k and the other one otherwise::

    P(k says i beats j) = eta_k * sigmoid(s_i - s_j) + (1 - eta_k) * sigmoid(s_j - s_i)

The paper fits the model online by moment matching; here it is fitted in batch: the
posterior mode of scores and reliabilities jointly, by L-BFGS-B with the analytic
gradient, starting from the plain Bradley–Terry scores.
"""

from __future__ import annotations

import warnings
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import expit, logit

from labelshare.quality._base import EPS, check_nonnegative, check_positive_int
from labelshare.quality.exceptions import ConvergenceWarning, QualityInputError
from labelshare.quality.preference._base import (
    PairwiseEstimator,
    fit_log_strengths,
    judgement_weights,
    single_threaded_blas,
)
from labelshare.quality.preference._comparisons import FIRST_WINS, TIE, Comparisons
from labelshare.quality.preference.bradley_terry import first_scores

__all__ = ["CrowdBT"]


class CrowdBT(PairwiseEstimator):
    """Bradley–Terry scores and a reliability eta per annotator (Chen et al. 2013).

    The objective is the log-likelihood of the decided judgements under the model
    above, plus ties counted as half a win each way (ties carry no information on
    eta), plus the score prior of ``BradleyTerry`` and a Beta prior on every eta that
    adds ``reliability_prior = (a, b)`` pseudo-counts of truthful and reversed
    reports. Judgements are weighted as in ``BradleyTerry`` (``comparisons.weights``
    times ``sample_weight``), in the scores and in the reliabilities alike. An
    annotator near 0.5 is ignored; below 0.5 their reports are read reversed.

    Args:
        prior: pseudo-wins and pseudo-losses per object, as in ``BradleyTerry``.
        reliability_prior: Beta pseudo-counts ``(a, b)`` (> 0); the default trusts a
            newcomer 80%.
        n_iter: L-BFGS-B iteration cap.
        tol: gradient tolerance of the mean per-judgement objective.

    Attributes:
        scores_: ``(n_objects,)`` log-strengths.
        skills_: ``(n_workers,)`` eta of each annotator, in ``worker_ids_`` order.
        worker_ids_: ``(n_workers,)`` annotator ids.
        object_ids_, n_iter_: as ``BradleyTerry``.
    """

    skills_: NDArray[np.float64]
    worker_ids_: NDArray[Any]

    def __init__(
        self,
        *,
        prior: float = 0.5,
        reliability_prior: tuple[float, float] = (4.0, 1.0),
        n_iter: int = 1000,
        tol: float = 1e-7,
    ) -> None:
        self.prior = prior
        self.reliability_prior = reliability_prior
        self.n_iter = n_iter
        self.tol = tol

    def fit(self, comparisons: Comparisons, *, sample_weight: NDArray[Any] | None = None) -> Self:
        """Fit object scores and annotator reliabilities.

        Args:
            comparisons: the judgements.
            sample_weight: ``(n,)`` non-negative weight per judgement, on top of
                ``comparisons.weights``; ones by default.

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
        try:
            a, b = (float(v) for v in self.reliability_prior)
        except (TypeError, ValueError) as exc:
            raise QualityInputError(
                f"reliability_prior: expected two numbers, got {self.reliability_prior!r}"
            ) from exc
        check_nonnegative(a, "reliability_prior[0]", strict=True)
        check_nonnegative(b, "reliability_prior[1]", strict=True)
        with single_threaded_blas():
            start, _, _ = fit_log_strengths(
                comparisons,
                first_scores(comparisons),
                weights,
                prior=prior,
                start=None,
                max_iter=n_iter,
                tol=tol,
            )
            scores, eta, iterations, converged = _fit_jointly(
                comparisons, weights, start, prior=prior, pseudo=(a, b), max_iter=n_iter, tol=tol
            )
        if not converged:
            warnings.warn(
                f"CrowdBT stopped at n_iter={n_iter} before the gradient fell below tol={tol}",
                ConvergenceWarning,
                stacklevel=2,
            )
        self.scores_ = scores
        self.skills_ = eta
        self.object_ids_ = comparisons.object_ids
        self.worker_ids_ = comparisons.worker_ids
        self.n_iter_ = iterations
        return self


def _fit_jointly(
    comparisons: Comparisons,
    weights: NDArray[np.float64],
    start: NDArray[np.float64],
    *,
    prior: float,
    pseudo: tuple[float, float],
    max_iter: int,
    tol: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], int, bool]:
    """Posterior mode over (scores, logit eta); returns scores, eta, iterations, success."""
    n_objects, n_workers = comparisons.n_objects, comparisons.n_workers
    first, second, workers = comparisons.first, comparisons.second, comparisons.workers
    decided = comparisons.outcomes != TIE
    # +1 when the first object was reported the winner, -1 when the second was.
    sign = np.where(comparisons.outcomes == FIRST_WINS, 1.0, -1.0)
    w_decided = np.where(decided, weights, 0.0)
    w_tie = np.where(decided, 0.0, weights)
    a, b = pseudo
    scale = 1.0 / max(float(weights.sum()) + 2.0 * prior * n_objects, EPS)

    def objective(x: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        theta, u = x[:n_objects], x[n_objects:]
        eta = expit(u)
        diff = theta[first] - theta[second]
        agree = expit(sign * diff)
        eta_row = eta[workers]
        likelihood = np.maximum(eta_row * agree + (1.0 - eta_row) * (1.0 - agree), EPS)
        nll = -np.sum(w_decided * np.log(likelihood))
        nll += 0.5 * np.sum(w_tie * (np.logaddexp(0.0, -diff) + np.logaddexp(0.0, diff)))
        # d(-log L)/d diff for decided rows, and the tie rows' half-win gradient.
        d_diff = -w_decided * sign * (2.0 * eta_row - 1.0) * agree * (1.0 - agree) / likelihood
        d_diff += w_tie * (expit(diff) - 0.5)
        grad_theta = np.bincount(first, weights=d_diff, minlength=n_objects)
        grad_theta -= np.bincount(second, weights=d_diff, minlength=n_objects)
        d_eta = -w_decided * (2.0 * agree - 1.0) / likelihood
        grad_u = np.bincount(workers, weights=d_eta, minlength=n_workers) * eta * (1.0 - eta)
        nll += prior * (np.logaddexp(0.0, theta).sum() + np.logaddexp(0.0, -theta).sum())
        grad_theta += prior * (2.0 * expit(theta) - 1.0)
        nll -= np.sum(a * np.log(np.maximum(eta, EPS)) + b * np.log(np.maximum(1.0 - eta, EPS)))
        grad_u -= a * (1.0 - eta) - b * eta
        grad = np.concatenate((grad_theta, grad_u)) * scale
        return float(nll) * scale, np.asarray(grad, dtype=np.float64)

    x0 = np.concatenate((start, np.full(n_workers, float(logit(a / (a + b))))))
    result = minimize(
        objective,
        x0,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": tol, "ftol": tol * 1e-3},
    )
    x = np.asarray(result.x, dtype=np.float64)
    return x[:n_objects], expit(x[n_objects:]), int(result.nit), bool(result.success)
