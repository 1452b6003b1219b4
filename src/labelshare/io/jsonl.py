"""JSON Lines: one item per line, for import and export.

Import reads either of two forms per line:

* flat: ``{"id": "a1", "gold": "pos", "text": "...", ...}`` -- ``id`` is the external
  id, the optional ``gold`` the known answer, every other key goes to the payload;
* export form (what ``write_jsonl`` writes): ``{"id", "payload": {...}, "gold",
  "annotations": [...], "inferred", "confidence"}`` -- recognised by a ``payload``
  key holding an object; ``inferred`` and ``confidence`` are not imported (they are
  recomputed), so an export can be imported again without loss of items or labels.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, TextIO

from labelshare.errors import ImportFailed
from labelshare.io._item_fields import (
    SeenIds,
    check_payload,
    check_value,
    external_id_from,
    timestamp_from,
)
from labelshare.io._source import iter_json_objects
from labelshare.io.records import AnnotationRecord, ExportItem, ItemRecord
from labelshare.schema import LabelSchema

_EXPORT_KEYS = frozenset({"id", "payload", "gold", "annotations", "inferred", "confidence"})
_ANNOTATION_KEYS = frozenset({"annotator", "value", "lead_time_ms", "created_at"})


def read_jsonl_items(path: Path, *, schema: LabelSchema | None = None) -> Iterator[ItemRecord]:
    """Read items from a JSON Lines file, one line at a time.

    Blank lines are skipped. Memory holds one line plus the set of ids seen.

    Args:
        path: the ``.jsonl`` file.
        schema: the project's schema; when given, payloads, gold values and
            annotations are validated and gold and annotations made canonical.

    Yields:
        One ``ItemRecord`` per non-blank line, in file order.

    Raises:
        ImportFailed: at the first malformed line (bad JSON, not an object, missing or
            repeated id, a value the schema refuses), naming the line and the reason.
    """
    seen = SeenIds()
    for line, record in iter_json_objects(path):
        item = item_from_object(record, line=line, schema=schema)
        seen.add(item.external_id, line=line)
        yield item


def item_from_object(
    record: Mapping[str, Any], *, line: int, schema: LabelSchema | None
) -> ItemRecord:
    """Build an item from one parsed JSON object (flat or export form).

    Args:
        record: the object.
        line: its line.
        schema: the project's schema, or None.

    Returns:
        The item.

    Raises:
        ImportFailed: the object is malformed or the schema refuses part of it.
    """
    external_id = external_id_from(record.get("id"), line=line)
    if isinstance(record.get("payload"), dict):
        unknown = sorted(set(record) - _EXPORT_KEYS)
        if unknown:
            raise ImportFailed(
                f"{unknown[0]!r} is not a field of the export form (a line with a 'payload' "
                f"object may only have {', '.join(sorted(_EXPORT_KEYS))})",
                line=line,
                field=unknown[0],
            )
        payload = dict(record["payload"])
        raw_annotations = record.get("annotations") or []
    else:
        payload = {key: value for key, value in record.items() if key not in ("id", "gold")}
        raw_annotations = []
    check_payload(schema, payload, line=line)
    gold = record.get("gold")
    if gold is not None:
        gold = check_value(schema, gold, payload, line=line, prefix="gold")
    annotations = _annotations_from(raw_annotations, payload, line=line, schema=schema)
    return ItemRecord(external_id, payload, gold, annotations, line=line)


def _annotations_from(
    raw: Any, payload: Mapping[str, Any], *, line: int, schema: LabelSchema | None
) -> tuple[AnnotationRecord, ...]:
    if not isinstance(raw, list):
        raise ImportFailed("annotations must be a list", line=line, field="annotations")
    annotations = []
    for index, entry in enumerate(raw):
        field = f"annotations[{index}]"
        if not isinstance(entry, dict) or not {"annotator", "value"} <= set(entry):
            raise ImportFailed(
                f"{field} must be an object with annotator and value", line=line, field=field
            )
        unknown = sorted(set(entry) - _ANNOTATION_KEYS)
        if unknown:
            raise ImportFailed(
                f"{field}.{unknown[0]} is not an annotation field", line=line, field=field
            )
        annotator = entry["annotator"]
        if not isinstance(annotator, str) or not annotator.strip():
            raise ImportFailed(
                f"{field}.annotator must be a non-empty string", line=line, field=field
            )
        lead_time_ms = entry.get("lead_time_ms")
        if lead_time_ms is not None and (
            isinstance(lead_time_ms, bool) or not isinstance(lead_time_ms, int) or lead_time_ms < 0
        ):
            raise ImportFailed(
                f"{field}.lead_time_ms must be a non-negative integer", line=line, field=field
            )
        value = check_value(schema, entry["value"], payload, line=line, prefix=f"{field}.value")
        created_at = timestamp_from(entry.get("created_at"), line=line, field=f"{field}.created_at")
        annotations.append(AnnotationRecord(annotator, value, lead_time_ms, created_at))
    return tuple(annotations)


def annotation_to_json(annotation: AnnotationRecord) -> dict[str, Any]:
    """The JSON object of one annotation in exports.

    Args:
        annotation: the annotation.

    Returns:
        ``{"annotator", "value", "lead_time_ms", "created_at"}`` with an ISO timestamp.
    """
    return {
        "annotator": annotation.annotator,
        "value": annotation.value,
        "lead_time_ms": annotation.lead_time_ms,
        "created_at": annotation.created_at.isoformat() if annotation.created_at else None,
    }


def write_jsonl(items: Iterable[ExportItem], out: TextIO) -> int:
    """Write items in the export form, one JSON object per line.

    Args:
        items: the items, consumed once.
        out: the text stream to write to.

    Returns:
        The number of items written.
    """
    written = 0
    for item in items:
        record = {
            "id": item.external_id,
            "payload": item.payload,
            "gold": item.gold,
            "annotations": [annotation_to_json(a) for a in item.annotations],
            "inferred": item.inferred,
            "confidence": item.confidence,
        }
        out.write(json.dumps(record, ensure_ascii=False, allow_nan=False))
        out.write("\n")
        written += 1
    return written
