"""Import: choosing the reader for a file and reading items from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from labelshare.errors import ImportFailed
from labelshare.io.csv_items import read_csv_items
from labelshare.io.images import read_image_folder
from labelshare.io.jsonl import read_jsonl_items
from labelshare.io.labelstudio import read_labelstudio_items
from labelshare.io.preference import read_preference_jsonl
from labelshare.io.records import ItemRecord
from labelshare.schema import LabelSchema

IMPORT_FORMATS = ("jsonl", "csv", "images", "labelstudio", "preference")
"""The item import formats."""

_FORMAT_BY_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".json": "labelstudio"}


def detect_format(path: Path, explicit: str | None = None) -> str:
    """Decide an import file's format: the explicit one, else from the path.

    A folder is ``images``; ``.jsonl`` / ``.ndjson`` are ``jsonl``, ``.csv`` is ``csv``
    and ``.json`` is ``labelstudio`` (case-insensitive).

    Args:
        path: the file or folder.
        explicit: a format named by the user, which wins over the extension.

    Returns:
        One of ``IMPORT_FORMATS``.

    Raises:
        ImportFailed: the explicit format is unknown, or none is given and the path's
            extension names none (field ``format``).
    """
    choices = ", ".join(IMPORT_FORMATS)
    if explicit is not None:
        if explicit not in IMPORT_FORMATS:
            raise ImportFailed(
                f"unknown import format {explicit!r}; expected one of {choices}", field="format"
            )
        return explicit
    if path.is_dir():
        return "images"
    detected = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if detected is None:
        raise ImportFailed(
            f"cannot tell the format of {path.name!r} from its extension; name one of {choices}",
            field="format",
        )
    return detected


def read_items(
    path: Path, *, format: str | None = None, schema: LabelSchema | None = None
) -> Iterator[ItemRecord]:
    """Read the items of an import file or folder, one at a time.

    The format is decided now (so an unknown one fails at the call); the file is read
    as the returned iterator is consumed, and the first malformed record raises.

    Args:
        path: the file, or the folder of images.
        format: the format, overriding the extension (one of ``IMPORT_FORMATS``).
        schema: the project's schema, used to check payloads, gold and annotations.

    Returns:
        An iterator of ``ItemRecord`` in file order.

    Raises:
        ImportFailed: the format is unknown or cannot be detected; while iterating, at
            the first malformed record (with its line and the reason).
    """
    detected = detect_format(path, format)
    if detected == "jsonl":
        return read_jsonl_items(path, schema=schema)
    if detected == "csv":
        return read_csv_items(path, schema=schema)
    if detected == "images":
        return read_image_folder(path, schema=schema)
    if detected == "preference":
        return read_preference_jsonl(path, schema=schema)
    return read_labelstudio_items(path, schema=schema)
