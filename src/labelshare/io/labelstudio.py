"""Label Studio task JSON: a list of tasks ``{"id", "data", "annotations", ...}``.

Import: ``data`` becomes the payload and each annotation's regions become a value
of the schema's kind (see ``labelstudio_results``). Cancelled (skipped) annotations
are left out. An annotation marked ``ground_truth`` gives the item's gold value and
is not imported as an annotation (a known answer is not a paid label). The annotator
is ``labelshare_annotator`` when present (our exports), else ``completed_by`` (a user
id, or a user object's email or id). ``lead_time`` (seconds) becomes milliseconds.
Predictions are not imported. For bbox projects a task without ``data.width`` /
``data.height`` takes them from its rectangles' ``original_width/height``.

Export writes tasks Label Studio can import: ``completed_by`` is left out (Label
Studio accepts only ids or emails of its own members there and gives unattributed
annotations to the importing user) and the annotator goes to
``labelshare_annotator``, which Label Studio ignores; gold becomes a
``ground_truth`` annotation and the inferred label a prediction with
``model_version`` ``"labelshare"`` and the confidence as ``score``. Importing an
export gives back the same items, gold and annotations.
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
from labelshare.io._source import iter_json_array, open_source
from labelshare.io.labelstudio_results import (
    image_size_from_results,
    value_from_results,
    value_to_results,
)
from labelshare.io.records import AnnotationRecord, ExportItem, ItemRecord
from labelshare.schema import InvalidLabel, LabelSchema

ANNOTATOR_KEY = "labelshare_annotator"
"""The annotation key that carries the annotator in exports."""

MODEL_VERSION = "labelshare"
"""The ``model_version`` of exported predictions (inferred labels)."""


def read_labelstudio_items(
    path: Path, *, schema: LabelSchema | None = None
) -> Iterator[ItemRecord]:
    """Read the tasks of a Label Studio JSON export as items.

    The file is read whole (it is one JSON document); tasks are parsed and yielded
    one at a time, each with the line it starts on.

    Args:
        path: the ``.json`` file.
        schema: the project's schema; required when tasks carry annotations.

    Yields:
        One ``ItemRecord`` per task, in file order.

    Raises:
        ImportFailed: at the first malformed task (bad JSON, no id or data, a repeated
            id, regions that do not fit the schema), naming its line.
    """
    with open_source(path) as stream:
        raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ImportFailed(f"not UTF-8 text ({exc.reason})", line=line) from exc
    del raw
    seen = SeenIds()
    for line, task in iter_json_array(text):
        item = item_from_task(task, line=line, schema=schema)
        seen.add(item.external_id, line=line)
        yield item


def item_from_task(task: Any, *, line: int, schema: LabelSchema | None) -> ItemRecord:
    """Build an item from one Label Studio task.

    Args:
        task: the parsed task.
        line: the line it starts on.
        schema: the project's schema, or None (then the task may not carry annotations).

    Returns:
        The item with its gold and annotations.

    Raises:
        ImportFailed: the task is malformed or does not fit the schema.
    """
    if not isinstance(task, dict):
        raise ImportFailed(f"a task must be a JSON object, got {type(task).__name__}", line=line)
    external_id = external_id_from(task.get("id"), line=line)
    if not isinstance(task.get("data"), dict):
        raise ImportFailed("the task has no 'data' object", line=line, field="data")
    payload = dict(task["data"])
    raw_annotations = task.get("annotations") or []
    if not isinstance(raw_annotations, list):
        raise ImportFailed("annotations must be a list", line=line, field="annotations")
    kept: list[tuple[int, Mapping[str, Any]]] = []
    for index, annotation in enumerate(raw_annotations):
        if not isinstance(annotation, dict):
            raise ImportFailed(
                f"annotations[{index}] must be an object", line=line, field=f"annotations[{index}]"
            )
        if not annotation.get("was_cancelled"):
            kept.append((index, annotation))
    if kept and schema is None:
        raise ImportFailed(
            "the task has annotations, which can only be read with the project's schema",
            line=line,
            field="annotations",
        )
    if schema is not None and schema.kind == "bbox" and not {"width", "height"} <= set(payload):
        size = image_size_from_results(raw_annotations)
        if size is not None:
            payload.setdefault("width", size[0])
            payload.setdefault("height", size[1])
    check_payload(schema, payload, line=line)
    gold, annotations = (
        _labels_of(kept, schema, payload, line=line) if schema is not None else (None, ())
    )
    return ItemRecord(external_id, payload, gold, tuple(annotations), line=line)


def _labels_of(
    kept: list[tuple[int, Mapping[str, Any]]],
    schema: LabelSchema,
    payload: Mapping[str, Any],
    *,
    line: int,
) -> tuple[Any, tuple[AnnotationRecord, ...]]:
    gold: Any = None
    annotations: list[AnnotationRecord] = []
    for index, annotation in kept:
        field = f"annotations[{index}]"
        value = _annotation_value(schema, annotation, payload, line=line, field=field)
        if annotation.get("ground_truth") is True:
            if gold is not None and gold != value:
                raise ImportFailed(
                    f"{field} is a second ground-truth annotation with another value",
                    line=line,
                    field=field,
                )
            gold = value
            continue
        annotations.append(
            AnnotationRecord(
                annotator=_annotator(annotation, line=line, field=field),
                value=value,
                lead_time_ms=_lead_time_ms(annotation.get("lead_time"), line=line, field=field),
                created_at=timestamp_from(
                    annotation.get("created_at"), line=line, field=f"{field}.created_at"
                ),
            )
        )
    return gold, tuple(annotations)


def _annotation_value(
    schema: LabelSchema,
    annotation: Mapping[str, Any],
    payload: Mapping[str, Any],
    *,
    line: int,
    field: str,
) -> Any:
    try:
        raw_value = value_from_results(schema, annotation.get("result", []), payload)
    except InvalidLabel as exc:
        where = f"{field}.{exc.field}"
        raise ImportFailed(f"{where}: {exc.reason}", line=line, field=where) from exc
    return check_value(schema, raw_value, payload, line=line, prefix=f"{field}.value")


def _annotator(annotation: Mapping[str, Any], *, line: int, field: str) -> str:
    if ANNOTATOR_KEY in annotation:
        annotator = annotation[ANNOTATOR_KEY]
        if isinstance(annotator, str) and annotator.strip():
            return annotator
        raise ImportFailed(
            f"{field}.{ANNOTATOR_KEY} must be a non-empty string", line=line, field=field
        )
    completed_by = annotation.get("completed_by")
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("email") or completed_by.get("id")
    if isinstance(completed_by, int) and not isinstance(completed_by, bool):
        return str(completed_by)
    if isinstance(completed_by, str) and completed_by.strip():
        return completed_by
    raise ImportFailed(
        f"{field}.completed_by is missing or not a user id; every annotation needs its annotator",
        line=line,
        field=f"{field}.completed_by",
    )


def _lead_time_ms(seconds: Any, *, line: int, field: str) -> int | None:
    if seconds is None:
        return None
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not 0 <= seconds < 1e9:
        raise ImportFailed(
            f"{field}.lead_time must be a non-negative number of seconds, got {seconds!r}",
            line=line,
            field=f"{field}.lead_time",
        )
    return round(seconds * 1000)


def task_from_item(item: ExportItem, schema: LabelSchema) -> dict[str, Any]:
    """Build the Label Studio task of one exported item.

    Args:
        item: the item with its labels.
        schema: the project's schema.

    Returns:
        The task as a JSON-ready dict.

    Raises:
        InvalidLabel: a value cannot be expressed in Label Studio (a box without image size).
    """
    annotations: list[dict[str, Any]] = []
    if item.gold is not None:
        annotations.append(
            {
                "result": value_to_results(schema, item.gold, item.payload),
                "ground_truth": True,
                "was_cancelled": False,
            }
        )
    for annotation in item.annotations:
        entry: dict[str, Any] = {
            "result": value_to_results(schema, annotation.value, item.payload),
            "ground_truth": False,
            "was_cancelled": False,
            ANNOTATOR_KEY: annotation.annotator,
        }
        if annotation.lead_time_ms is not None:
            entry["lead_time"] = annotation.lead_time_ms / 1000
        if annotation.created_at is not None:
            entry["created_at"] = annotation.created_at.isoformat()
        annotations.append(entry)
    task: dict[str, Any] = {
        "id": _task_id(item.external_id),
        "data": item.payload,
        "annotations": annotations,
    }
    if item.inferred is not None:
        task["predictions"] = [
            {
                "model_version": MODEL_VERSION,
                "score": item.confidence,
                "result": value_to_results(schema, item.inferred, item.payload),
            }
        ]
    return task


def _task_id(external_id: str) -> int | str:
    # Label Studio's own ids are integers; keep them integers so a round trip is exact.
    is_decimal = external_id.isascii() and external_id.isdigit()
    if is_decimal and (external_id == "0" or not external_id.startswith("0")):
        return int(external_id)
    return external_id


def write_labelstudio(items: Iterable[ExportItem], out: TextIO, *, schema: LabelSchema) -> int:
    """Write items as a Label Studio JSON task list, one task at a time.

    Args:
        items: the items, consumed once.
        out: the text stream to write to.
        schema: the project's schema.

    Returns:
        The number of tasks written.

    Raises:
        InvalidLabel: a value cannot be expressed in Label Studio.
    """
    written = 0
    out.write("[")
    for item in items:
        out.write(",\n" if written else "\n")
        out.write(json.dumps(task_from_item(item, schema), ensure_ascii=False, allow_nan=False))
        written += 1
    out.write("\n]\n" if written else "]\n")
    return written
