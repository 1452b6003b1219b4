"""Dataset shares minted each epoch in proportion to quality weight.

An epoch mints ``shares_per_label`` for every label it settles. The annotators'
part, ``royalty_share_bps`` of the total, is split among them by the largest-
remainder method in proportion to the summed fixed-point quality weight of their
labels (:func:`labelshare.incentives.rewards.to_fixed_point`); the requester keeps
the rest. When no label has any quality weight, the requester keeps everything.
Shares are integers like money, so holdings add up to what was minted, exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from labelshare.errors import InvalidSettlementInput
from labelshare.incentives.allocation import largest_remainder
from labelshare.incentives.slashing import BPS

__all__ = ["ShareMint", "mint_shares"]


@dataclass(frozen=True)
class ShareMint:
    """The shares one epoch mints.

    Attributes:
        annotator_shares: shares minted to each annotator, by annotator index.
        requester_shares: shares kept by the requester.
        total: everything minted, ``sum(annotator_shares) + requester_shares``.
    """

    annotator_shares: tuple[int, ...]
    requester_shares: int
    total: int


def mint_shares(
    quality_units: Sequence[int],
    *,
    n_labels: int,
    shares_per_label: int,
    royalty_share_bps: int,
) -> ShareMint:
    """Mint an epoch's shares.

    Args:
        quality_units: summed fixed-point quality weight of each annotator's labels.
        n_labels: labels settled in the epoch.
        shares_per_label: share units minted per label (>= 0).
        royalty_share_bps: the annotators' part in basis points, 0..10_000.

    Returns:
        The shares per annotator and the requester's part.

    Raises:
        InvalidSettlementInput: if a count or term is negative or out of range.
    """
    for name, value in (("n_labels", n_labels), ("shares_per_label", shares_per_label)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidSettlementInput(f"{value!r} must be an int >= 0", field=name)
    bps = royalty_share_bps
    if isinstance(bps, bool) or not isinstance(bps, int) or not 0 <= bps <= BPS:
        raise InvalidSettlementInput(
            f"{bps!r} must be an int in 0..{BPS}", field="royalty_share_bps"
        )
    total = n_labels * shares_per_label
    weights = [int(units) for units in quality_units]
    pool = total * bps // BPS if sum(weights) > 0 else 0
    annotator_shares = largest_remainder(pool, weights, field="quality_units")
    return ShareMint(
        annotator_shares=tuple(annotator_shares),
        requester_shares=total - pool,
        total=total,
    )
