"""The records that import readers yield and export writers take.

They are plain frozen values, independent of the database: the service turns
``ItemRecord`` into stored items and stored items into ``ExportItem``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class AnnotationRecord:
    """One annotator's label of one item, as read from or written to a file.

    Attributes:
        annotator: who labelled, as the file names them (an address, a worker id ...).
        value: the label, canonical for the project's schema.
        lead_time_ms: time spent labelling in milliseconds, if known.
        created_at: when the label was made, if known.
    """

    annotator: str
    value: Any
    lead_time_ms: int | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class ItemRecord:
    """One item read from an import file.

    Attributes:
        external_id: the item's id in the file (unique within it).
        payload: what annotators see (text, image reference, metadata).
        gold: the known answer, canonical for the schema, or None.
        annotations: labels the file already carries (Label Studio imports).
        media_path: absolute path of the media file to store, for image folders.
        line: 1-based line (or task) number where the item starts; 0 when not
            applicable (image folders).
    """

    external_id: str
    payload: dict[str, Any]
    gold: Any | None = None
    annotations: tuple[AnnotationRecord, ...] = ()
    media_path: Path | None = None
    line: int = 0


@dataclass(frozen=True)
class LabelRecord:
    """One row of a ``worker,task,label`` file of existing crowd labels.

    Attributes:
        worker: the worker's id in the data set.
        task: the task's id, which becomes the item's external id.
        label: the label as written (a class name, or a code such as ``"0"``).
        line: the 1-based line of the row.
    """

    worker: str
    task: str
    label: str
    line: int


@dataclass(frozen=True)
class ExportItem:
    """One item with its labels, as handed to an export writer.

    Attributes:
        external_id: the item's external id.
        payload: the item's payload.
        gold: the known answer, or None.
        annotations: every current annotation of the item.
        inferred: the label inferred from the annotations, or None when not computed.
        confidence: the posterior probability of ``inferred``, or None.
    """

    external_id: str
    payload: dict[str, Any]
    gold: Any | None
    annotations: tuple[AnnotationRecord, ...]
    inferred: Any | None = None
    confidence: float | None = None
