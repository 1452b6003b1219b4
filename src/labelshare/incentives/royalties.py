"""Licence revenue split pro rata to the dataset's shareholders.

Revenue received since the last epoch is split over the share balances as they
stand after the epoch's mint (the shares minted for this epoch's labels cover the
data the buyers licensed). The platform first takes ``platform_fee_bps`` of it,
floored; the rest goes to the holders by the largest-remainder method, holders
ordered by lowercase address so that equal remainders break the same way on
every run. With no shares in existence nothing is distributed and the whole
revenue waits in the project's revenue account for the next epoch.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from labelshare.errors import InvalidSettlementInput
from labelshare.incentives.allocation import largest_remainder
from labelshare.incentives.slashing import BPS

__all__ = ["RoyaltySplit", "distribute_revenue"]


@dataclass(frozen=True)
class RoyaltySplit:
    """How one epoch's licence revenue is split.

    Attributes:
        payouts: base units paid to each holder with a non-zero payout, by address.
        platform_fee: base units kept by the platform.
        undistributed: base units left in the revenue account (no shares exist).
    """

    payouts: Mapping[str, int] = field(default_factory=dict)
    platform_fee: int = 0
    undistributed: int = 0


def distribute_revenue(
    revenue: int, share_balances: Mapping[str, int], *, platform_fee_bps: int = 0
) -> RoyaltySplit:
    """Split ``revenue`` among shareholders in proportion to their shares.

    Args:
        revenue: base units of licence revenue to distribute (>= 0).
        share_balances: shares held by each address (>= 0).
        platform_fee_bps: the platform's part in basis points, 0..10_000.

    Returns:
        The payouts, the platform's fee and what stays undistributed; together
        they add up to ``revenue`` exactly.

    Raises:
        InvalidSettlementInput: if an amount is negative or a term is out of range.
    """
    if isinstance(revenue, bool) or not isinstance(revenue, int) or revenue < 0:
        raise InvalidSettlementInput(f"{revenue!r} must be an int >= 0", field="licence_revenue")
    bps = platform_fee_bps
    if isinstance(bps, bool) or not isinstance(bps, int) or not 0 <= bps <= BPS:
        raise InvalidSettlementInput(
            f"{bps!r} must be an int in 0..{BPS}", field="platform_fee_bps"
        )
    holders = sorted(share_balances, key=str.lower)
    balances = [share_balances[holder] for holder in holders]
    for holder, balance in zip(holders, balances, strict=True):
        if isinstance(balance, bool) or not isinstance(balance, int) or balance < 0:
            raise InvalidSettlementInput(
                f"{holder} holds {balance!r}, not an int >= 0", field="share_balances"
            )
    if sum(balances) == 0:
        return RoyaltySplit(payouts={}, platform_fee=0, undistributed=revenue)
    fee = revenue * bps // BPS
    parts = largest_remainder(revenue - fee, balances, field="share_balances")
    payouts = {holder: part for holder, part in zip(holders, parts, strict=True) if part}
    return RoyaltySplit(payouts=payouts, platform_fee=fee, undistributed=0)
