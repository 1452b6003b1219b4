"""Typed reads of JSON label values that fail with an ``InvalidLabel`` naming the field.

Label values arrive as parsed JSON (dicts, lists, str, int, float, bool, None). These
helpers check one node's JSON type; the kinds add their own rules on top.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from labelshare.schema._errors import InvalidLabel

_JSON_TYPE_NAMES: dict[type, str] = {
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    str: "a string",
    list: "a list",
    tuple: "a list",
    dict: "an object",
    type(None): "null",
}


def describe(value: Any) -> str:
    """Name the JSON type of a value for an error message (``"a string"``, ``"null"``).

    Args:
        value: any Python value.

    Returns:
        A short phrase naming its JSON type, or its Python type name when it has none.
    """
    return _JSON_TYPE_NAMES.get(type(value), type(value).__name__)


def expect_str(value: Any, field: str) -> str:
    """Return ``value`` if it is a string.

    Args:
        value: the JSON node.
        field: its dotted path, used in the error.

    Returns:
        The string.

    Raises:
        InvalidLabel: it is not a string.
    """
    if not isinstance(value, str):
        raise InvalidLabel(field, f"must be a string, got {describe(value)}")
    return value


def expect_int(value: Any, field: str) -> int:
    """Return ``value`` if it is an integer (booleans and floats are refused).

    Args:
        value: the JSON node.
        field: its dotted path, used in the error.

    Returns:
        The integer.

    Raises:
        InvalidLabel: it is not an integer.
    """
    # bool is a subclass of int in Python, but true/false are not numbers in JSON.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidLabel(field, f"must be an integer, got {describe(value)}")
    return value


def expect_number(value: Any, field: str) -> int | float:
    """Return ``value`` if it is a finite number, with integral floats turned into ints.

    ``10.0`` becomes ``10`` so that a value hashes the same whether it went through
    Python, JavaScript (which writes ``10``) or a JSON round trip.

    Args:
        value: the JSON node.
        field: its dotted path, used in the error.

    Returns:
        The number, as an int when it is integral.

    Raises:
        InvalidLabel: it is not a number, or is NaN or infinite.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidLabel(field, f"must be a number, got {describe(value)}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidLabel(field, f"must be a finite number, got {value}")
        if value.is_integer():
            return int(value)
    return value


def expect_list(value: Any, field: str) -> list[Any]:
    """Return ``value`` as a list if it is a JSON array (a list or tuple).

    Args:
        value: the JSON node.
        field: its dotted path, used in the error.

    Returns:
        The elements as a list.

    Raises:
        InvalidLabel: it is not a list.
    """
    if not isinstance(value, list | tuple):
        raise InvalidLabel(field, f"must be a list, got {describe(value)}")
    return list(value)


def expect_object(value: Any, field: str, *, keys: tuple[str, ...]) -> Mapping[str, Any]:
    """Return ``value`` if it is an object with exactly the given keys.

    Args:
        value: the JSON node.
        field: its dotted path, used in the error.
        keys: the keys it must have, and the only ones it may have.

    Returns:
        The object.

    Raises:
        InvalidLabel: it is not an object, lacks a key (field ``<field>.<key>``) or has
            another one.
    """
    if not isinstance(value, Mapping):
        raise InvalidLabel(
            field, f"must be an object with keys {', '.join(keys)}, got {describe(value)}"
        )
    for key in keys:
        if key not in value:
            raise InvalidLabel(f"{field}.{key}", "is missing")
    for key in value:
        if key not in keys:
            raise InvalidLabel(
                f"{field}.{key}", f"is not a field here (expected only {', '.join(keys)})"
            )
    return value


def name_choices(names: tuple[str, ...], *, limit: int = 10) -> str:
    """List allowed names for an error message, cut short when there are many.

    Args:
        names: the allowed names.
        limit: how many to show at most.

    Returns:
        E.g. ``"'pos', 'neg', 'neu'"`` or ``"'a', 'b', ... (40 in all)"``.
    """
    shown = ", ".join(repr(name) for name in names[:limit])
    if len(names) > limit:
        return f"{shown}, ... ({len(names)} in all)"
    return shown
