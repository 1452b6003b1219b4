"""Rules shared by the item readers: external ids, duplicates, payload and label checks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from labelshare.errors import ImportFailed
from labelshare.schema import InvalidLabel, LabelSchema


def external_id_from(raw: Any, *, line: int, field: str = "id") -> str:
    """Read an item's external id: a non-empty string, or an integer written in decimal.

    Args:
        raw: the id as found in the file; ``None`` when the record has none.
        line: the record's line, for errors.
        field: the field name used in errors.

    Returns:
        The id as a string.

    Raises:
        ImportFailed: the id is missing, empty, or neither a string nor an integer.
    """
    if raw is None:
        raise ImportFailed(f"{field} is missing; every item needs one", line=line, field=field)
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise ImportFailed(
            f"{field} must be a string or an integer, got {type(raw).__name__}",
            line=line,
            field=field,
        )
    external_id = str(raw)
    if not external_id.strip():
        raise ImportFailed(f"{field} is empty", line=line, field=field)
    return external_id


class SeenIds:
    """Remembers the external ids read so far, to refuse a repeated one.

    Memory grows with the number of distinct ids (one short string each), which is
    the price of reporting a duplicate at its line rather than at commit time.
    """

    def __init__(self) -> None:
        self._first_line: dict[str, int] = {}

    def add(self, external_id: str, *, line: int, field: str = "id") -> None:
        """Record an id, refusing one seen before.

        Args:
            external_id: the id.
            line: where it was read.
            field: the field name used in errors.

        Raises:
            ImportFailed: the id appeared earlier in the file.
        """
        first = self._first_line.setdefault(external_id, line)
        if first != line:
            raise ImportFailed(
                f"{field} {external_id!r} repeats the item of line {first}", line=line, field=field
            )


def relabel_field(field: str, prefix: str) -> str:
    """Put a label error's ``value...`` path under another name (``gold...``).

    Args:
        field: the field from an ``InvalidLabel``, e.g. ``"value[2].end"``.
        prefix: the name of the value in the file, e.g. ``"gold"``.

    Returns:
        E.g. ``"gold[2].end"``; payload fields are returned unchanged.
    """
    if field == "value" or field.startswith(("value.", "value[")):
        return prefix + field[len("value") :]
    return field


def import_failure(exc: InvalidLabel, *, line: int | None, prefix: str) -> ImportFailed:
    """Turn a schema's ``InvalidLabel`` into the ``ImportFailed`` of a file's line.

    Args:
        exc: the schema's error.
        line: the record's line.
        prefix: the name of the value in the file (``"gold"``, ``"annotations[0].value"``).

    Returns:
        The error to raise, naming the renamed field and the schema's reason.
    """
    field = relabel_field(exc.field, prefix)
    return ImportFailed(f"{field}: {exc.reason}", line=line, field=field)


def check_payload(
    schema: LabelSchema | None, payload: Mapping[str, Any], *, line: int | None
) -> None:
    """Check that a payload carries what the schema's labels refer to.

    Args:
        schema: the project's schema, or None to skip the check.
        payload: the item's payload.
        line: the record's line.

    Raises:
        ImportFailed: the schema refuses the payload (e.g. ``payload.text`` missing).
    """
    if schema is None:
        return
    try:
        schema.validate_payload(payload)
    except InvalidLabel as exc:
        raise import_failure(exc, line=line, prefix="value") from exc


def check_value(
    schema: LabelSchema | None,
    value: Any,
    payload: Mapping[str, Any],
    *,
    line: int | None,
    prefix: str,
) -> Any:
    """Validate a label from a file and return its canonical form.

    Args:
        schema: the project's schema, or None to keep the value as read.
        value: the label as read.
        payload: the item's payload (already checked).
        line: the record's line.
        prefix: the name of the value in the file, used in errors.

    Returns:
        The canonical value (or ``value`` itself without a schema).

    Raises:
        ImportFailed: the schema refuses the value.
    """
    if schema is None:
        return value
    try:
        return schema.validate(value, payload=payload)
    except InvalidLabel as exc:
        raise import_failure(exc, line=line, prefix=prefix) from exc


def timestamp_from(raw: Any, *, line: int, field: str) -> datetime | None:
    """Read an optional ISO 8601 timestamp.

    Args:
        raw: the text, or None.
        line: the record's line.
        field: the field name used in errors.

    Returns:
        The datetime, or None when ``raw`` is None.

    Raises:
        ImportFailed: the value is not an ISO 8601 string.
    """
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise ImportFailed(f"{field} must be an ISO 8601 string", line=line, field=field)
    try:
        return datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ImportFailed(
            f"{field} {raw!r} is not an ISO 8601 timestamp", line=line, field=field
        ) from exc
