"""Checks on values handed to the EVM backend; each error names the field."""

from __future__ import annotations

from eth_utils.address import is_address, to_checksum_address

from labelshare.errors import InvalidAddress, InvalidInput


def checksum(address: str, *, field: str) -> str:
    """Return ``address`` checksummed.

    Raises:
        InvalidAddress: if it is not a 20-byte hex address.
    """
    if not isinstance(address, str) or not is_address(address):
        raise InvalidAddress(f"{field}: {address!r} is not an Ethereum address", field=field)
    return to_checksum_address(address)


def hash32(value: bytes, *, field: str) -> bytes:
    """Return ``value`` if it is 32 bytes.

    Raises:
        InvalidInput: otherwise.
    """
    if not isinstance(value, bytes) or len(value) != 32:
        raise InvalidInput(f"{field}: expected 32 bytes", field=field)
    return value


def amount(value: int, *, field: str, allow_zero: bool = False) -> int:
    """Return ``value`` if it is an integer in uint256 (and not zero unless allowed).

    Raises:
        InvalidInput: otherwise.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < (0 if allow_zero else 1):
        bound = "a non-negative" if allow_zero else "a positive"
        raise InvalidInput(f"{field}: {value!r} is not {bound} integer", field=field)
    if value >= 2**256:
        raise InvalidInput(f"{field}: {value} is outside uint256", field=field)
    return value
