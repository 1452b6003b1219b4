"""Per-annotator position bias: how often the response shown first (left) is chosen.

When the display order is shuffled per annotator, an annotator who reads both answers
picks the first-shown one about half the time whatever their skill; one who always
clicks the left answer picks it every time. The rate is estimated under a Beta prior,
as ``labelshare.quality.gold_accuracy`` does for gold answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelshare.quality._base import check_nonnegative
from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.preference._comparisons import TIE, Comparisons
from labelshare.quality.reliability import beta_posterior

__all__ = ["PositionBias", "position_bias"]


@dataclass(frozen=True, eq=False)
class PositionBias:
    """Per-annotator rate of choosing the first-shown response, ties and unknown orders left out.

    Attributes:
        worker_ids: ``(n_workers,)`` ids (every worker of the judgements).
        n_judged: ``(n_workers,)`` int64 decided judgements with a known display order.
        n_first: ``(n_workers,)`` int64 of those won by the response shown first.
        first_rate: ``(n_workers,)`` posterior mean of the rate (prior mean when none).
        lower: ``(n_workers,)`` lower end of the equal-tailed credible interval.
        upper: ``(n_workers,)`` upper end.
        credibility: mass of the interval.
    """

    worker_ids: NDArray[Any]
    n_judged: NDArray[np.int64]
    n_first: NDArray[np.int64]
    first_rate: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    credibility: float

    @property
    def bias(self) -> NDArray[np.float64]:
        """``first_rate - 0.5``: 0 for no bias, +0.5 for always-first, -0.5 for always-second."""
        return self.first_rate - 0.5

    @property
    def is_biased(self) -> NDArray[np.bool_]:
        """Whether 0.5 lies outside the worker's credible interval."""
        return (self.lower > 0.5) | (self.upper < 0.5)


def position_bias(
    comparisons: Comparisons,
    *,
    prior: tuple[float, float] = (1.0, 1.0),
    credibility: float = 0.95,
) -> PositionBias:
    """Beta–Binomial estimate of each annotator's rate of picking the first-shown response.

    Args:
        comparisons: judgements with ``shown_first`` recorded (rows where it is -1, and
            ties, are not counted).
        prior: Beta pseudo-counts ``(a, b)`` for first and second choices (> 0).
        credibility: mass of the credible interval, in (0, 1).

    Returns:
        A :class:`PositionBias` covering every worker.

    Raises:
        QualityInputError: bad prior or credibility.
    """
    a = check_nonnegative(prior[0], "prior[0]", strict=True)
    b = check_nonnegative(prior[1], "prior[1]", strict=True)
    mass = float(credibility)
    if not 0.0 < mass < 1.0:
        raise QualityInputError(f"credibility: must be in (0, 1), got {credibility!r}")
    known = (comparisons.shown_first >= 0) & (comparisons.outcomes != TIE)
    chose_first = known & (comparisons.outcomes == comparisons.shown_first)
    n_workers = comparisons.n_workers
    n = np.bincount(comparisons.workers[known], minlength=n_workers).astype(np.int64)
    k = np.bincount(comparisons.workers[chose_first], minlength=n_workers).astype(np.int64)
    first_rate, lower, upper = beta_posterior(k, n, prior=(a, b), credibility=mass)
    return PositionBias(
        worker_ids=comparisons.worker_ids,
        n_judged=n,
        n_first=k,
        first_rate=first_rate,
        lower=lower,
        upper=upper,
        credibility=mass,
    )
