"""Account identities: Ethereum addresses in their EIP-55 checksum form."""

from __future__ import annotations

import re

from eth_utils.address import is_checksum_address, to_checksum_address
from eth_utils.crypto import keccak

from labelshare.errors import InvalidAddress

_HEX_ADDRESS = re.compile(r"^0x[0-9a-fA-F]{40}$")
# Imported workers (public crowdsourcing data) have no wallet; their placeholder address
# is derived from this domain-separated hash so it can never collide with a key's address
# by accident and is the same on every machine.
_PLACEHOLDER_DOMAIN = b"labelshare:imported-worker:"


def checksum_address(value: str, *, field: str = "address") -> str:
    """Return ``value`` as an EIP-55 checksum address.

    All-lowercase and all-uppercase hex are accepted (they carry no checksum); mixed case
    must be a valid checksum, because a wrong one usually means a mistyped address.

    Raises:
        InvalidAddress: if ``value`` is not 0x followed by 40 hex digits, or its mixed-case
            checksum is wrong. The message names ``field``.
    """
    if not isinstance(value, str) or not _HEX_ADDRESS.match(value):
        raise InvalidAddress(
            f"{field}: {value!r} is not an Ethereum address (0x followed by 40 hex digits)",
            field=field,
        )
    digits = value[2:]
    if digits != digits.lower() and digits != digits.upper() and not is_checksum_address(value):
        raise InvalidAddress(f"{field}: {value} fails its EIP-55 checksum", field=field)
    return to_checksum_address(value)


def placeholder_address(worker_id: str) -> str:
    """Derive a deterministic address for an imported worker who has no wallet."""
    return to_checksum_address(keccak(_PLACEHOLDER_DOMAIN + worker_id.encode("utf-8"))[-20:])
