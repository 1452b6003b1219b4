"""Rating aggregation: a Gaussian model with a bias and a spread per annotator.

Model PG1 of C. Piech, J. Huang, Z. Chen, C. Do, A. Ng and D. Koller, "Tuned Models
of Peer Assessment in MOOCs", EDM 2013: annotator w rating item i answers
``z_i + b_w + e`` with ``e ~ N(0, s_w^2)``; ``z_i`` is the item's true score, ``b_w``
the annotator's bias, ``s_w`` its spread. Fitted by EM (Gaussian posterior of every
``z_i``, then MAP bias and spread) with weak priors that keep annotators with few
labels near zero bias and a moderate spread. The true rating is the rounding of
``z_i`` onto 1..K, so the posterior over ratings is the Gaussian mass of each unit
interval (the end intervals open).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtr

from labelshare.quality._base import check_nonnegative, check_positive_int
from labelshare.quality.exceptions import ConvergenceWarning, QualityInputError
from labelshare.quality.structured._base import StructuredAggregator, encode_rows

__all__ = ["OrdinalAggregator", "rating_probabilities"]


def rating_probabilities(
    mean: NDArray[np.float64], std: NDArray[np.float64], max_rating: int
) -> NDArray[np.float64]:
    """Mass of N(mean, std^2) on each rating 1..K (rating k covers [k - 0.5, k + 0.5)).

    Args:
        mean: ``(n,)`` means.
        std: ``(n,)`` standard deviations, > 0.
        max_rating: K.

    Returns:
        ``(n, K)`` rows summing to one.
    """
    edges = np.arange(1.5, max_rating, 1.0)
    cdf = ndtr((edges[None, :] - mean[:, None]) / std[:, None])
    cdf = np.hstack([np.zeros((mean.shape[0], 1)), cdf, np.ones((mean.shape[0], 1))])
    return np.asarray(np.maximum(np.diff(cdf, axis=1), 0.0), dtype=np.float64)


class OrdinalAggregator(StructuredAggregator):
    """Bias- and spread-corrected rating aggregation (Piech et al. 2013, PG1).

    The aggregated rating is the most probable rating under the item's posterior
    (ties towards the lower rating); ``confidence_`` is its probability. A label's
    quality weight is the probability, under the posterior of its item computed
    without that label, that the true rating lies within ``tolerance`` of it (0: the
    label is exactly right). A biased annotator's raw labels are judged as given,
    so bias costs weight even though the model corrects it for aggregation.

    Args:
        max_rating: K of the schema (ratings are 1..K).
        n_iter: iteration cap.
        tol: stop when no item's posterior mean moves by more than this (rating units).
        bias_prior: pseudo-count of labels with zero bias (shrinks sparse biases).
        spread_prior: pseudo-count of labels with spread ``prior_spread``.
        prior_spread: spread assumed before seeing data, in rating units (> 0).
        tolerance: how far from the truth a label may be and count as right (>= 0).

    Attributes:
        scores_: ``(n_items,)`` posterior mean of the true score.
        rating_probas_: ``(n_items, K)`` posterior over ratings 1..K.
        biases_: ``(n_workers,)`` each annotator's bias (positive: rates high).
        spreads_: ``(n_workers,)`` each annotator's noise standard deviation.
        skills_: P(an annotator's label is within ``tolerance`` of the truth).
        loo_rating_probas_: ``(n_rows, K)`` per input row (in input order), the
            posterior over ratings 1..K of its item computed without that row.
        item_ids_, labels_ (ints), confidence_, worker_ids_, quality_weights_,
        n_iter_: see :mod:`labelshare.quality.structured._base`.
    """

    scores_: NDArray[np.float64]
    rating_probas_: NDArray[np.float64]
    biases_: NDArray[np.float64]
    spreads_: NDArray[np.float64]
    loo_rating_probas_: NDArray[np.float64]

    def __init__(
        self,
        *,
        max_rating: int,
        n_iter: int = 100,
        tol: float = 1e-4,
        bias_prior: float = 2.0,
        spread_prior: float = 2.0,
        prior_spread: float = 0.75,
        tolerance: int = 0,
    ) -> None:
        self.max_rating = max_rating
        self.n_iter = n_iter
        self.tol = tol
        self.bias_prior = bias_prior
        self.spread_prior = spread_prior
        self.prior_spread = prior_spread
        self.tolerance = tolerance

    def fit(self, rows: Sequence[Any]) -> Self:
        """Aggregate ratings (values: ints 1..K).

        Args:
            rows: ``(item, annotator, value)`` rows.

        Returns:
            self.

        Raises:
            QualityInputError: bad hyperparameters or rows, or a rating outside 1..K.
        """
        self._forget()
        K = check_positive_int(self.max_rating, "max_rating")
        if K < 2:
            raise QualityInputError(f"max_rating: must be >= 2, got {K}")
        n_iter = check_positive_int(self.n_iter, "n_iter")
        tol = check_nonnegative(self.tol, "tol")
        bias_prior = check_nonnegative(self.bias_prior, "bias_prior")
        spread_prior = check_nonnegative(self.spread_prior, "spread_prior", strict=True)
        prior_var = check_nonnegative(self.prior_spread, "prior_spread", strict=True) ** 2
        tolerance = int(check_nonnegative(self.tolerance, "tolerance"))
        encoded = encode_rows(rows)
        r = _ratings(encoded.values, K)
        t, w = encoded.index.tasks, encoded.index.workers
        n_items, n_workers = encoded.index.n_tasks, encoded.index.n_workers
        n_w = np.bincount(w, minlength=n_workers).astype(np.float64)
        # The item prior is the spread of all ratings around their mean: weak enough
        # not to pull a well-rated item, strong enough to place a lone rating.
        mu0, var0 = float(r.mean()), max(float(r.var()), prior_var)
        bias = np.zeros(n_workers)
        precision = np.full(n_workers, 1.0 / prior_var)
        mean = np.full(n_items, mu0)
        converged = False
        iterations = 0
        for iterations in range(1, n_iter + 1):
            mean_new, var = self._posterior(r, t, w, bias, precision, mu0, var0, n_items)
            resid = r - mean_new[t]
            bias = np.bincount(w, weights=resid, minlength=n_workers) / (n_w + bias_prior)
            sq = (resid - bias[w]) ** 2 + var[t]
            spread_sq = (
                np.bincount(w, weights=sq, minlength=n_workers) + spread_prior * prior_var
            ) / (n_w + spread_prior)
            precision = 1.0 / spread_sq
            moved = float(np.max(np.abs(mean_new - mean)))
            mean = mean_new
            if iterations > 1 and moved < tol:
                converged = True
                break
        if not converged:
            warnings.warn(
                f"OrdinalAggregator stopped at n_iter={n_iter} before the item scores "
                f"moved by less than tol={tol}",
                ConvergenceWarning,
                stacklevel=2,
            )
        mean, var = self._posterior(r, t, w, bias, precision, mu0, var0, n_items)
        probas = rating_probabilities(mean, np.sqrt(var), K)
        # Leave-one-out: remove the label's own Gaussian factor from its item's posterior.
        own_precision = precision[w]
        loo_precision = 1.0 / var[t] - own_precision
        loo_mean = (mean[t] / var[t] - own_precision * (r - bias[w])) / loo_precision
        loo = rating_probabilities(loo_mean, np.sqrt(1.0 / loo_precision), K)
        weights = _mass_near(loo, r, tolerance)
        spreads = np.sqrt(1.0 / precision)
        half = tolerance + 0.5
        skills = ndtr((half - bias) / spreads) - ndtr((-half - bias) / spreads)
        labels = np.argmax(probas, axis=1)
        self.scores_ = mean
        self.rating_probas_ = probas
        self.biases_ = bias
        self.spreads_ = spreads
        self.loo_rating_probas_ = encoded.to_input_order(loo)
        self._publish_common(
            encoded,
            labels=[int(k) + 1 for k in labels],
            confidence=probas[np.arange(n_items), labels],
            skills=skills,
            weights=weights,
            n_iter=iterations,
        )
        return self

    @staticmethod
    def _posterior(
        r: NDArray[np.float64],
        t: NDArray[np.int64],
        w: NDArray[np.int64],
        bias: NDArray[np.float64],
        precision: NDArray[np.float64],
        mu0: float,
        var0: float,
        n_items: int,
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Gaussian posterior (mean, variance) of every item's true score."""
        total = 1.0 / var0 + np.bincount(t, weights=precision[w], minlength=n_items)
        pulled = mu0 / var0 + np.bincount(
            t, weights=precision[w] * (r - bias[w]), minlength=n_items
        )
        return np.asarray(pulled / total, dtype=np.float64), np.asarray(1.0 / total)


def _ratings(values: list[Any], max_rating: int) -> NDArray[np.float64]:
    """Ratings as floats, checked to be ints in 1..K."""
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise QualityInputError(f"value: a rating must be an integer, got {value!r}")
        if not 1 <= value <= max_rating:
            raise QualityInputError(f"value: rating {value} is outside 1..{max_rating}")
    return np.asarray(values, dtype=np.float64)


def _mass_near(
    probas: NDArray[np.float64], ratings: NDArray[np.float64], tolerance: int
) -> NDArray[np.float64]:
    """Per row, the posterior mass within ``tolerance`` of the row's rating."""
    K = probas.shape[1]
    scale = np.arange(1, K + 1, dtype=np.float64)
    near = np.abs(scale[None, :] - ratings[:, None]) <= tolerance
    return np.asarray((probas * near).sum(axis=1), dtype=np.float64)
