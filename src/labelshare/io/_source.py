"""Opening import files and decoding their text, with errors that name the line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from labelshare.errors import ImportFailed


@contextmanager
def open_source(path: Path, mode: str = "rb") -> Iterator[IO[Any]]:
    """Open an import file, turning OS errors into ``ImportFailed``.

    Args:
        path: the file.
        mode: ``"rb"`` (default) or a text mode; text is read as UTF-8 with an optional BOM.

    Yields:
        The open file.

    Raises:
        ImportFailed: the file cannot be opened (missing, a directory, no permission).
    """
    try:
        if "b" in mode:
            stream: IO[Any] = path.open(mode)
        else:
            stream = path.open(mode, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise ImportFailed(f"cannot open {path}: {exc.strerror or exc}") from exc
    with stream:
        yield stream


def decode_line(raw: bytes, line: int) -> str:
    """Decode one line of a UTF-8 file (a BOM on line 1 is dropped).

    Args:
        raw: the line's bytes.
        line: its 1-based number.

    Returns:
        The text.

    Raises:
        ImportFailed: the bytes are not UTF-8.
    """
    try:
        return raw.decode("utf-8-sig" if line == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFailed(f"not UTF-8 text ({exc.reason} at byte {exc.start})", line=line) from exc


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_json(text: str, *, line: int) -> Any:
    """Parse JSON text, refusing NaN and Infinity (which JSON does not have).

    Args:
        text: the JSON text of one record.
        line: the record's 1-based line, for errors.

    Returns:
        The parsed value.

    Raises:
        ImportFailed: the text is not valid JSON.
    """
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ImportFailed(f"invalid JSON: {exc.msg} (column {exc.colno})", line=line) from exc
    except ValueError as exc:
        raise ImportFailed(f"invalid JSON: {exc}", line=line) from exc


_WHITESPACE = " \t\n\r"


def iter_json_array(text: str) -> Iterator[tuple[int, Any]]:
    """Parse a JSON array element by element, with the line each element starts on.

    The whole text is in memory (a JSON document cannot be split safely without a
    streaming parser), but the parsed elements are not: each is yielded and dropped.

    Args:
        text: a JSON document whose top level is an array.

    Yields:
        (1-based line, element) pairs in order.

    Raises:
        ImportFailed: the text is not a JSON array, or an element is malformed (with the
            line of the error).
    """
    decoder = json.JSONDecoder(parse_constant=_refuse_constant)
    position, line, counted_to = 0, 1, 0

    def skip(pos: int) -> int:
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        return pos

    def line_at(pos: int) -> int:
        nonlocal line, counted_to
        line += text.count("\n", counted_to, pos)
        counted_to = pos
        return line

    position = skip(0)
    if position >= len(text) or text[position] != "[":
        raise ImportFailed("expected a JSON list of tasks", line=line_at(position))
    position = skip(position + 1)
    if position < len(text) and text[position] == "]":
        position = skip(position + 1)
    else:
        while True:
            try:
                element, end = decoder.raw_decode(text, position)
            except json.JSONDecodeError as exc:
                raise ImportFailed(
                    f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno
                ) from exc
            except ValueError as exc:
                raise ImportFailed(f"invalid JSON: {exc}", line=line_at(position)) from exc
            yield line_at(position), element
            position = skip(end)
            if position < len(text) and text[position] == ",":
                position = skip(position + 1)
                continue
            if position < len(text) and text[position] == "]":
                position = skip(position + 1)
                break
            raise ImportFailed("expected ',' or ']' after a task", line=line_at(position))
    if position != len(text):
        raise ImportFailed("unexpected text after the list of tasks", line=line_at(position))


def iter_json_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for every non-blank line of a JSON Lines file.

    Raises:
        ImportFailed: a line that is not UTF-8, not JSON, or not a JSON object.
    """
    with open_source(path) as stream:
        for line, raw in enumerate(stream, start=1):
            text = decode_line(raw, line)
            if not text.strip():
                continue
            record = load_json(text, line=line)
            if not isinstance(record, dict):
                raise ImportFailed(
                    f"expected a JSON object, got {type(record).__name__}", line=line
                )
            yield line, record
