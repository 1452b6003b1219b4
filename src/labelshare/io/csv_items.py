"""CSV: items as rows for import, annotations as rows for export.

Import: a header row is required; the ``id`` column is the external id, an optional
``gold`` column the known answer (an empty cell means none; read with the schema's
``value_from_text``: class names as written, ratings as integers, lists as JSON),
every other column a payload field (as text).

Export: one row per annotation with the label as canonical JSON, and the item's gold
and inferred label on every row of the item; an item without annotations still gets
one row (with empty annotation cells) so that no item is lost.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from labelshare.errors import ImportFailed
from labelshare.io._item_fields import (
    SeenIds,
    check_payload,
    check_value,
    external_id_from,
    import_failure,
)
from labelshare.io._source import open_source
from labelshare.io.records import ExportItem, ItemRecord
from labelshare.schema import InvalidLabel, LabelSchema, canonical_json

EXPORT_CSV_COLUMNS = (
    "id",
    "annotator",
    "value",
    "lead_time_ms",
    "created_at",
    "gold",
    "inferred",
    "confidence",
)
"""The header of a CSV export."""


def csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Read a CSV file's rows with the line each starts on, blank lines skipped.

    Args:
        path: the file (UTF-8, optional BOM).

    Yields:
        (1-based line, cells) for every non-blank row, header included.

    Raises:
        ImportFailed: the file cannot be read, is not UTF-8, or is not valid CSV.
    """
    with open_source(path, "r") as stream:
        reader = csv.reader(stream, strict=True)
        next_line = 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except (csv.Error, UnicodeDecodeError) as exc:
                raise ImportFailed(f"malformed CSV: {exc}", line=next_line) from exc
            line, next_line = next_line, reader.line_num + 1
            if row:
                yield line, row


def read_csv_items(path: Path, *, schema: LabelSchema | None = None) -> Iterator[ItemRecord]:
    """Read items from a CSV file with a header row, one row at a time.

    Args:
        path: the ``.csv`` file.
        schema: the project's schema; when given, payloads and gold values are validated
            and gold made canonical.

    Yields:
        One ``ItemRecord`` per data row, in file order.

    Raises:
        ImportFailed: at the first malformed row (no ``id`` column, wrong number of
            cells, missing or repeated id, a gold the schema refuses), naming its line.
    """
    rows = csv_rows(path)
    header_line, header = next(rows, (1, []))
    if not header:
        raise ImportFailed("the file is empty; a header row with an 'id' column is needed", line=1)
    _check_header(header, line=header_line)
    id_column = header.index("id")
    gold_column = header.index("gold") if "gold" in header else None
    seen = SeenIds()
    for line, row in rows:
        if len(row) != len(header):
            raise ImportFailed(f"row has {len(row)} cells; the header has {len(header)}", line=line)
        external_id = external_id_from(row[id_column], line=line)
        payload = {
            name: cell
            for column, (name, cell) in enumerate(zip(header, row, strict=True))
            if column not in (id_column, gold_column)
        }
        check_payload(schema, payload, line=line)
        gold: Any = None
        if gold_column is not None and row[gold_column] != "":
            gold = _gold_from_text(schema, row[gold_column], payload, line=line)
        seen.add(external_id, line=line)
        yield ItemRecord(external_id, payload, gold, line=line)


def _check_header(header: list[str], *, line: int) -> None:
    if "id" not in header:
        raise ImportFailed(
            f"the header has no 'id' column (columns: {', '.join(header)})", line=line
        )
    seen: set[str] = set()
    for name in header:
        if not name.strip():
            raise ImportFailed("the header has an empty column name", line=line)
        if name in seen:
            raise ImportFailed(f"the header names column {name!r} twice", line=line)
        seen.add(name)


def _gold_from_text(
    schema: LabelSchema | None, text: str, payload: dict[str, Any], *, line: int
) -> Any:
    if schema is None:
        return text
    try:
        raw = schema.value_from_text(text)
    except InvalidLabel as exc:
        raise import_failure(exc, line=line, prefix="gold") from exc
    return check_value(schema, raw, payload, line=line, prefix="gold")


def _json_cell(value: Any) -> str:
    return "" if value is None else canonical_json(value).decode("utf-8")


def write_csv(items: Iterable[ExportItem], out: TextIO) -> int:
    """Write one CSV row per annotation (see the module docstring for the columns).

    Args:
        items: the items, consumed once.
        out: the text stream to write to (opened with ``newline=""``).

    Returns:
        The number of items written (not rows).
    """
    writer = csv.writer(out)
    writer.writerow(EXPORT_CSV_COLUMNS)
    written = 0
    for item in items:
        shared = (
            _json_cell(item.gold),
            _json_cell(item.inferred),
            "" if item.confidence is None else repr(item.confidence),
        )
        for annotation in item.annotations:
            writer.writerow(
                (
                    item.external_id,
                    annotation.annotator,
                    _json_cell(annotation.value),
                    "" if annotation.lead_time_ms is None else annotation.lead_time_ms,
                    annotation.created_at.isoformat() if annotation.created_at else "",
                    *shared,
                )
            )
        if not item.annotations:
            writer.writerow((item.external_id, "", "", "", "", *shared))
        written += 1
    return written
