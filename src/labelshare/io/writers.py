"""Export: writing items with their labels in one of the export formats."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from labelshare.errors import InvalidInput
from labelshare.io.coco import write_coco
from labelshare.io.csv_items import write_csv
from labelshare.io.jsonl import write_jsonl
from labelshare.io.labelstudio import write_labelstudio
from labelshare.io.records import ExportItem
from labelshare.schema import InvalidLabel, LabelSchema

EXPORT_FORMATS = ("jsonl", "csv", "labelstudio", "coco")
"""The export formats."""


def write_export(
    items: Iterable[ExportItem], out: TextIO, *, format: str, schema: LabelSchema
) -> int:
    """Write items with their labels to a text stream, streaming.

    Only COCO keeps anything beyond one item at a time, and that on disk (see
    ``labelshare.io.coco``).

    Args:
        items: the items, consumed once.
        out: the stream (open CSV outputs with ``newline=""``).
        format: one of ``EXPORT_FORMATS``.
        schema: the project's schema.

    Returns:
        The number of items written.

    Raises:
        InvalidInput: the format is unknown, COCO is asked of a non-bbox project, or a
            label cannot be written in the format (field names it).
    """
    if format == "jsonl":
        return write_jsonl(items, out)
    if format == "csv":
        return write_csv(items, out)
    if format == "coco":
        return write_coco(items, out, schema=schema)
    if format == "labelstudio":
        try:
            return write_labelstudio(items, out, schema=schema)
        except InvalidLabel as exc:
            raise InvalidInput(str(exc), field=exc.field) from exc
    raise InvalidInput(
        f"unknown export format {format!r}; expected one of {', '.join(EXPORT_FORMATS)}",
        field="format",
    )
