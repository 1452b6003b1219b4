"""Tests of Ethereum address handling."""

from __future__ import annotations

import pytest
from eth_utils import to_checksum_address

from labelshare.core.ids import checksum_address, placeholder_address
from labelshare.errors import InvalidAddress

GOOD = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55's own example


class TestChecksumAddress:
    def test_accepts_a_valid_checksum(self) -> None:
        """A correctly checksummed address comes back unchanged."""
        assert checksum_address(GOOD) == GOOD

    @pytest.mark.parametrize("spelling", [GOOD.lower(), "0x" + GOOD[2:].upper()])
    def test_accepts_single_case_and_checksums_it(self, spelling: str) -> None:
        """All-lower or all-upper hex carries no checksum and is normalised."""
        assert checksum_address(spelling) == GOOD

    def test_rejects_a_wrong_checksum(self) -> None:
        """Mixed case that fails EIP-55 is refused, naming the field."""
        bad = GOOD[:-1] + GOOD[-1].swapcase()
        with pytest.raises(InvalidAddress, match="^owner: .* fails its EIP-55 checksum"):
            checksum_address(bad, field="owner")

    @pytest.mark.parametrize(
        "value", ["", "0x123", GOOD[2:], GOOD + "0", "0x" + "g" * 40, "0X" + GOOD[2:]]
    )
    def test_rejects_malformed(self, value: str) -> None:
        """Anything but 0x and 40 hex digits is refused with the reason."""
        with pytest.raises(InvalidAddress, match="is not an Ethereum address"):
            checksum_address(value)


class TestPlaceholderAddress:
    def test_is_deterministic_and_valid(self) -> None:
        """The same worker id always gives the same checksummed address."""
        first = placeholder_address("A3GVKARKY0E0U9")
        assert first == placeholder_address("A3GVKARKY0E0U9")
        assert first == to_checksum_address(first)

    def test_differs_between_workers(self) -> None:
        """Different worker ids give different addresses."""
        assert placeholder_address("w1") != placeholder_address("w2")
