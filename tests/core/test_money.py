"""Tests of token amount parsing and formatting."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelshare.core.money import (
    BASE_UNITS_PER_TOKEN,
    UINT256_MAX,
    format_token_amount,
    parse_token_amount,
)
from labelshare.errors import InvalidInput


class TestParseTokenAmount:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("1", BASE_UNITS_PER_TOKEN),
            ("0.05", 5 * 10**16),
            ("1_000", 1000 * BASE_UNITS_PER_TOKEN),
            ("0.000000000000000001", 1),
            ("12wei", 12),
            (7, 7),
        ],
    )
    def test_parses_tokens_and_base_units(self, text: str | int, expected: int) -> None:
        """Token strings scale by 10**18; "wei" strings and ints are base units."""
        assert parse_token_amount(text) == expected

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("-1", "is negative"),
            ("abc", "is not a token amount"),
            ("NaN", "is not a token amount"),
            ("0.0000000000000000001", "more than 18 decimals"),
            (str(UINT256_MAX + 1) + "wei", "exceeds uint256"),
            (True, "expected an amount"),
        ],
    )
    def test_rejects_bad_amounts(self, text: str, reason: str) -> None:
        """Bad amounts are refused with the field name and the reason."""
        with pytest.raises(InvalidInput, match=f"^budget: .*{reason}"):
            parse_token_amount(text, field="budget")


class TestFormatTokenAmount:
    @given(st.integers(min_value=0, max_value=UINT256_MAX))
    def test_round_trips(self, amount: int) -> None:
        """Formatting then parsing gives back the same base units, exactly."""
        assert parse_token_amount(format_token_amount(amount)) == amount

    def test_drops_trailing_zeros(self) -> None:
        """1.5 tokens print as 1.5, whole tokens without a point."""
        assert format_token_amount(15 * 10**17) == "1.5"
        assert format_token_amount(2 * BASE_UNITS_PER_TOKEN) == "2"
