"""detect_format and read_items: picking the reader, and reading lazily."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from labelshare.errors import ImportFailed
from labelshare.io import IMPORT_FORMATS, detect_format, read_items
from tests.io.conftest import WriteFile, jsonl


class TestDetectFormat:
    @pytest.mark.parametrize(
        ("name", "expected"),
        [
            ("items.jsonl", "jsonl"),
            ("items.NDJSON", "jsonl"),
            ("items.csv", "csv"),
            ("export.json", "labelstudio"),
        ],
    )
    def test_extension_names_the_format(self, name: str, expected: str) -> None:
        """The file extension decides the format, ignoring case."""
        assert detect_format(Path(name)) == expected

    def test_a_folder_is_images(self, tmp_path: Path) -> None:
        """A directory is read as a folder of images."""
        assert detect_format(tmp_path) == "images"

    def test_explicit_format_wins(self) -> None:
        """An explicit format overrides the extension."""
        assert detect_format(Path("data.txt"), "jsonl") == "jsonl"
        assert set(IMPORT_FORMATS) == {"jsonl", "csv", "images", "labelstudio", "preference"}

    def test_unknown_extension_is_refused(self) -> None:
        """A file whose extension names no format is refused, naming the formats."""
        with pytest.raises(
            ImportFailed, match=r"cannot tell the format of 'data\.txt'.*jsonl, csv"
        ):
            detect_format(Path("data.txt"))

    def test_unknown_explicit_format_is_refused(self) -> None:
        """An explicit format that does not exist is refused with field format."""
        with pytest.raises(ImportFailed, match=r"unknown import format 'xml'") as caught:
            detect_format(Path("a.jsonl"), "xml")
        assert caught.value.field == "format"


class TestReadItems:
    def test_dispatches_on_the_explicit_format(self, write_file: WriteFile) -> None:
        """A .txt file named as jsonl is read as JSON Lines."""
        path = write_file("items.txt", jsonl({"id": 1, "text": "hi"}))
        [item] = read_items(path, format="jsonl")
        assert (item.external_id, item.payload) == ("1", {"text": "hi"})

    def test_bad_format_fails_at_the_call(self, write_file: WriteFile) -> None:
        """An undetectable format fails when read_items is called, before iteration."""
        path = write_file("items.txt", "")
        with pytest.raises(ImportFailed, match="cannot tell the format"):
            read_items(path)

    def test_large_jsonl_is_read_lazily(self, write_file: WriteFile) -> None:
        """Over 100,000 lines, the first item arrives before the broken last line is read."""
        lines = [f'{{"id": {n}, "text": "item {n}"}}\n' for n in range(1, 100_000)]
        path = write_file("big.jsonl", "".join(lines) + "{broken\n")
        items = read_items(path)
        first = next(items)
        assert inspect.isgenerator(items)
        assert (first.external_id, first.line) == ("1", 1)
        with pytest.raises(ImportFailed, match=r"^line 100000: invalid JSON"):
            for _ in items:
                pass
