"""Canonical JSON encoding of label values, the form that is hashed and signed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from labelshare.schema._errors import InvalidLabel


def canonical_json(value: Any) -> bytes:
    """Encode a JSON value in its one canonical byte form.

    Keys are sorted, there is no whitespace, text is UTF-8 and not escaped to ASCII,
    so two equal values always give the same bytes (the input of hashes and EIP-712).

    Args:
        value: a JSON value (dict, list, str, int, float, bool or None).

    Returns:
        The UTF-8 bytes of the canonical encoding.

    Raises:
        InvalidLabel: the value holds something JSON cannot encode (NaN, sets, objects).
    """
    try:
        text = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise InvalidLabel("value", f"cannot be encoded as JSON ({exc})") from exc
    return text.encode("utf-8")


def value_sha256(value: Any) -> str:
    """Hash a JSON value by its canonical encoding.

    Args:
        value: a JSON value.

    Returns:
        The hex SHA-256 digest (64 lowercase characters) of ``canonical_json(value)``.

    Raises:
        InvalidLabel: the value cannot be encoded as JSON.
    """
    return hashlib.sha256(canonical_json(value)).hexdigest()
