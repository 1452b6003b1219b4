"""Tests for labelshare.incentives.royalties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelshare.errors import InvalidSettlementInput
from labelshare.incentives.royalties import distribute_revenue

A = "0x" + "aa" * 20
B = "0x" + "bb" * 20
C = "0x" + "cc" * 20

holders = st.dictionaries(
    st.sampled_from([A, B, C, "0x" + "dd" * 20]), st.integers(0, 10**24), max_size=4
)


class TestDistributeRevenue:
    def test_pro_rata_split(self) -> None:
        """Revenue follows share balances after the platform's fee."""
        split = distribute_revenue(1_000, {A: 3, B: 1}, platform_fee_bps=1_000)
        assert split.platform_fee == 100
        assert dict(split.payouts) == {A: 675, B: 225}
        assert split.undistributed == 0

    def test_ties_break_by_address_not_mapping_order(self) -> None:
        """The same holdings listed in another order give the same split."""
        first = distribute_revenue(10, {B: 1, A: 1, C: 1})
        second = distribute_revenue(10, {C: 1, A: 1, B: 1})
        assert dict(first.payouts) == dict(second.payouts) == {A: 4, B: 3, C: 3}

    def test_no_shares_keeps_revenue(self) -> None:
        """Without shareholders nothing is paid and no fee is taken."""
        split = distribute_revenue(50, {A: 0}, platform_fee_bps=500)
        assert (dict(split.payouts), split.platform_fee, split.undistributed) == ({}, 0, 50)

    @given(st.integers(0, 10**30), holders, st.integers(0, 10_000))
    def test_revenue_is_conserved(self, revenue: int, balances: dict[str, int], bps: int) -> None:
        """Payouts, fee and undistributed revenue add up to the revenue exactly."""
        split = distribute_revenue(revenue, balances, platform_fee_bps=bps)
        assert sum(split.payouts.values()) + split.platform_fee + split.undistributed == revenue
        assert all(amount > 0 for amount in split.payouts.values())
        assert all(balances[holder] > 0 for holder in split.payouts)

    def test_negative_revenue_is_refused(self) -> None:
        """Negative revenue is refused by name."""
        with pytest.raises(InvalidSettlementInput, match="licence_revenue: -1"):
            distribute_revenue(-1, {A: 1})

    def test_negative_balance_is_refused(self) -> None:
        """A negative share balance names its holder."""
        with pytest.raises(InvalidSettlementInput, match=f"{A} holds -2"):
            distribute_revenue(1, {A: -2})
