"""Tests for labelshare.incentives.shares."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelshare.errors import InvalidSettlementInput
from labelshare.incentives.shares import mint_shares


class TestMintShares:
    def test_known_mint(self) -> None:
        """Annotators share their part by quality; the requester keeps the rest."""
        mint = mint_shares([3, 1], n_labels=4, shares_per_label=100, royalty_share_bps=7_000)
        assert mint.total == 400
        assert mint.annotator_shares == (210, 70)
        assert mint.requester_shares == 120

    def test_no_quality_leaves_everything_to_requester(self) -> None:
        """When no label earned quality, the requester keeps every minted share."""
        mint = mint_shares([0, 0], n_labels=3, shares_per_label=10, royalty_share_bps=9_000)
        assert mint.annotator_shares == (0, 0)
        assert mint.requester_shares == 30

    @given(
        st.lists(st.integers(0, 10**15), min_size=1, max_size=30),
        st.integers(0, 10**6),
        st.integers(0, 10**18),
        st.integers(0, 10_000),
    )
    def test_mint_adds_up(self, units: list[int], n_labels: int, per_label: int, bps: int) -> None:
        """Annotators' and requester's shares add up to exactly what was minted."""
        mint = mint_shares(
            units, n_labels=n_labels, shares_per_label=per_label, royalty_share_bps=bps
        )
        assert sum(mint.annotator_shares) + mint.requester_shares == mint.total
        assert mint.total == n_labels * per_label
        assert min(mint.annotator_shares) >= 0
        assert mint.requester_shares >= 0

    def test_bps_out_of_range_is_refused(self) -> None:
        """A royalty split above 100% is refused by name."""
        with pytest.raises(InvalidSettlementInput, match="royalty_share_bps: 10001"):
            mint_shares([1], n_labels=1, shares_per_label=1, royalty_share_bps=10_001)

    def test_negative_count_is_refused(self) -> None:
        """A negative label count is refused by name."""
        with pytest.raises(InvalidSettlementInput, match="n_labels: -1"):
            mint_shares([1], n_labels=-1, shares_per_label=1, royalty_share_bps=1)
