"""Bootstrap confidence intervals of preference scores and of the global ranking.

B. Efron and R. J. Tibshirani, "An Introduction to the Bootstrap", Chapman & Hall,
1993 (percentile intervals, chapter 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelshare.quality._base import check_positive_int
from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.preference._base import (
    PairwiseEstimator,
    check_weights,
    single_threaded_blas,
)
from labelshare.quality.preference._comparisons import Comparisons
from labelshare.quality.preference.bradley_terry import BradleyTerry

__all__ = ["ScoreIntervals", "bootstrap_scores"]


@dataclass(frozen=True, eq=False)
class ScoreIntervals:
    """Scores with percentile bootstrap intervals, for scores and for rank positions.

    Attributes:
        object_ids: ``(n_objects,)`` ids.
        scores: ``(n_objects,)`` log-strengths fitted on all judgements.
        lower: ``(n_objects,)`` lower end of the score interval.
        upper: ``(n_objects,)`` upper end of the score interval.
        rank_lower: ``(n_objects,)`` best (smallest, 1-based) rank within the interval.
        rank_upper: ``(n_objects,)`` worst rank within the interval.
        level: mass of every interval, e.g. 0.95.
        n_resamples: bootstrap resamples drawn.
    """

    object_ids: NDArray[Any]
    scores: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    rank_lower: NDArray[np.int64]
    rank_upper: NDArray[np.int64]
    level: float
    n_resamples: int

    def ranking(self) -> NDArray[np.int64]:
        """Object indices from best to worst by the full-data score (stable).

        Returns:
            ``(n_objects,)`` indices into ``object_ids``.
        """
        return np.argsort(-self.scores, kind="stable").astype(np.int64)


def bootstrap_scores(
    comparisons: Comparisons,
    *,
    estimator: PairwiseEstimator | None = None,
    sample_weight: NDArray[Any] | None = None,
    n_resamples: int = 200,
    level: float = 0.95,
    random_state: int = 0,
) -> ScoreIntervals:
    """Refit the estimator on judgements drawn with replacement; report percentile intervals.

    Each resample draws ``n`` judgements with replacement (as integer weights, so the
    fit sees the same rows); the interval of an object is the central ``level`` mass
    of its resampled scores, and its rank interval the same quantiles of its rank.
    A fixed ``random_state`` gives the same intervals on every run.

    Args:
        comparisons: the judgements.
        estimator: the model to refit (``BradleyTerry()`` by default); cloned from its
            parameters, never modified.
        sample_weight: ``(n,)`` weights applied on top of the resampling counts.
        n_resamples: number of resamples (>= 1).
        level: interval mass in (0, 1).
        random_state: seed of ``numpy.random.default_rng``.

    Returns:
        The intervals.

    Raises:
        QualityInputError: bad level, resample count, weights or comparisons.
    """
    base = check_weights(sample_weight, comparisons)
    resamples = check_positive_int(n_resamples, "n_resamples")
    mass = float(level)
    if not 0.0 < mass < 1.0:
        raise QualityInputError(f"level: must be in (0, 1), got {level!r}")
    model = estimator if estimator is not None else BradleyTerry()
    if not isinstance(model, PairwiseEstimator):
        raise QualityInputError(
            f"estimator: expected a pairwise estimator, got {type(model).__name__}"
        )
    full = type(model)(**model.get_params()).fit(comparisons, sample_weight=base)
    rng = np.random.default_rng(random_state)
    n = comparisons.n_comparisons
    draws = np.empty((resamples, comparisons.n_objects), dtype=np.float64)
    with single_threaded_blas():
        for b in range(resamples):
            counts = np.bincount(rng.integers(0, n, size=n), minlength=n).astype(np.float64)
            refit = type(model)(**model.get_params()).fit(comparisons, sample_weight=counts * base)
            draws[b] = refit.scores_
    # Rank 1 is the best: count the objects that scored strictly higher in that draw.
    ranks = (draws[:, None, :] > draws[:, :, None]).sum(axis=2) + 1
    tail = (1.0 - mass) / 2.0
    lower, upper = np.quantile(draws, [tail, 1.0 - tail], axis=0)
    rank_lower, rank_upper = np.quantile(ranks, [tail, 1.0 - tail], axis=0, method="nearest")
    return ScoreIntervals(
        object_ids=comparisons.object_ids,
        scores=full.scores_,
        lower=np.asarray(lower, dtype=np.float64),
        upper=np.asarray(upper, dtype=np.float64),
        rank_lower=np.asarray(rank_lower, dtype=np.int64),
        rank_upper=np.asarray(rank_upper, dtype=np.int64),
        level=mass,
        n_resamples=resamples,
    )
