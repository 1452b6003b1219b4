"""Slashing stake when gold accuracy is confidently below the project's bar.

An annotator's accuracy on gold items has the posterior
``Beta(prior_alpha + correct, prior_beta + wrong)``. They are slashed only when the
upper end of its one-sided credible interval, the ``confidence`` quantile, lies
below ``slash_bar``: the evidence must make it unlikely that their accuracy reaches
the bar, so a newcomer with few gold answers or an honest annotator with a bad day
keeps their stake. The default uniform prior ``Beta(1, 1)`` claims nothing about
the annotator, which keeps the test conservative.

The amount is ``stake × slash_bps // 10_000``, floored, so it never exceeds the
stake; it moves from the annotator's stake account to the project's escrow.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import beta

from labelshare.errors import InvalidSettlementInput

__all__ = ["BPS", "SlashTerms", "accuracy_upper_bound", "is_slashed", "slash_amounts"]

BPS = 10_000
"""Basis points in a whole."""


@dataclass(frozen=True)
class SlashTerms:
    """A project's slashing parameters.

    Attributes:
        slash_bar: gold accuracy an annotator must plausibly reach, in [0, 1].
        confidence: probability mass below the upper bound, in (0, 1).
        slash_bps: part of the stake slashed, in basis points, 0..10_000.
        prior_alpha: prior pseudo-count of correct gold answers (> 0).
        prior_beta: prior pseudo-count of wrong gold answers (> 0).
    """

    slash_bar: float
    confidence: float = 0.95
    slash_bps: int = 5_000
    prior_alpha: float = 1.0
    prior_beta: float = 1.0

    def __post_init__(self) -> None:
        """Reject out-of-range terms, naming the field."""
        if not 0.0 <= self.slash_bar <= 1.0:
            raise InvalidSettlementInput(f"{self.slash_bar} is outside [0, 1]", field="slash_bar")
        if not 0.0 < self.confidence < 1.0:
            raise InvalidSettlementInput(f"{self.confidence} is outside (0, 1)", field="confidence")
        bps = self.slash_bps
        if isinstance(bps, bool) or not isinstance(bps, int) or not 0 <= bps <= BPS:
            raise InvalidSettlementInput(f"{bps!r} must be an int in 0..{BPS}", field="slash_bps")
        for name in ("prior_alpha", "prior_beta"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise InvalidSettlementInput(f"{value} must be a finite number > 0", field=name)


def accuracy_upper_bound(
    correct: NDArray[np.int64],
    total: NDArray[np.int64],
    *,
    confidence: float,
    prior_alpha: float = 1.0,
    prior_beta: float = 1.0,
) -> NDArray[np.float64]:
    """The ``confidence`` quantile of each annotator's Beta posterior of gold accuracy.

    Args:
        correct: gold answers right, shape (n,).
        total: gold answers given, shape (n,), each >= ``correct``.
        confidence: quantile in (0, 1).
        prior_alpha: prior pseudo-count of right answers.
        prior_beta: prior pseudo-count of wrong answers.

    Returns:
        Upper bounds in [0, 1], shape (n,).

    Raises:
        InvalidSettlementInput: if a count is negative or ``correct`` exceeds ``total``.
    """
    right = np.asarray(correct, dtype=np.int64)
    given = np.asarray(total, dtype=np.int64)
    if right.shape != given.shape:
        raise InvalidSettlementInput(
            f"shapes {right.shape} and {given.shape} differ", field="gold_correct"
        )
    if right.size and (right.min() < 0 or (right > given).any()):
        raise InvalidSettlementInput(
            "each count must satisfy 0 <= correct <= total", field="gold_correct"
        )
    bound: NDArray[np.float64] = beta.ppf(
        confidence, prior_alpha + right, prior_beta + (given - right)
    ).astype(np.float64)
    return bound


def is_slashed(
    correct: NDArray[np.int64], total: NDArray[np.int64], terms: SlashTerms
) -> NDArray[np.bool_]:
    """Whether each annotator's gold accuracy is confidently below the bar.

    Args:
        correct: gold answers right, shape (n,).
        total: gold answers given, shape (n,).
        terms: the project's slashing terms.

    Returns:
        Booleans, shape (n,): upper bound < ``terms.slash_bar``.

    Raises:
        InvalidSettlementInput: if the counts are inconsistent.
    """
    bound = accuracy_upper_bound(
        correct,
        total,
        confidence=terms.confidence,
        prior_alpha=terms.prior_alpha,
        prior_beta=terms.prior_beta,
    )
    slashed: NDArray[np.bool_] = bound < terms.slash_bar
    return slashed


def slash_amounts(
    stakes: Sequence[int], slashed: NDArray[np.bool_], *, slash_bps: int
) -> list[int]:
    """The amount taken from each stake.

    Args:
        stakes: each annotator's stake in base units, length n.
        slashed: whether each annotator is slashed, shape (n,).
        slash_bps: part of the stake taken, in basis points.

    Returns:
        n ints, ``stake × slash_bps // 10_000`` where slashed and 0 elsewhere; never
        more than the stake.

    Raises:
        InvalidSettlementInput: if a stake is negative or the lengths differ.
    """
    flags = np.asarray(slashed, dtype=bool).tolist()
    if len(flags) != len(stakes):
        raise InvalidSettlementInput(
            f"{len(stakes)} stakes for {len(flags)} annotators", field="stake"
        )
    for index, stake in enumerate(stakes):
        if isinstance(stake, bool) or not isinstance(stake, int) or stake < 0:
            raise InvalidSettlementInput(
                f"stake {index} is {stake!r}, not an int >= 0", field="stake"
            )
    return [
        stake * slash_bps // BPS if flag else 0 for stake, flag in zip(stakes, flags, strict=True)
    ]
