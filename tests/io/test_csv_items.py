"""CSV import of items and CSV export of annotations."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from labelshare.errors import ImportFailed
from labelshare.io import AnnotationRecord, ExportItem, write_export
from labelshare.io.csv_items import EXPORT_CSV_COLUMNS, read_csv_items
from labelshare.schema import LabelSchema, parse_schema
from tests.io.conftest import WriteFile


class TestReadCsv:
    def test_columns_become_payload_fields(
        self, write_file: WriteFile, sentiment: LabelSchema
    ) -> None:
        """id is the external id, gold the gold, other columns the payload."""
        path = write_file("a.csv", 'id,text,gold\n1,"hello, world",pos\n2,bye,\n')
        first, second = read_csv_items(path, schema=sentiment)
        assert (first.external_id, first.payload, first.gold, first.line) == (
            "1",
            {"text": "hello, world"},
            "pos",
            2,
        )
        assert (second.gold, second.line) == (None, 3)

    def test_quoted_newlines_keep_line_numbers_right(self, write_file: WriteFile) -> None:
        """A cell spanning two lines does not shift the next row's line number."""
        path = write_file("a.csv", 'id,text\n1,"two\nlines"\n2,x\n')
        assert [item.line for item in read_csv_items(path)] == [2, 4]

    def test_gold_is_read_with_the_schema(self, write_file: WriteFile) -> None:
        """A rating gold cell "4" becomes the integer 4."""
        stars = parse_schema({"kind": "rating", "max_rating": 5})
        path = write_file("a.csv", "id,gold\nq,4\n")
        [item] = read_csv_items(path, schema=stars)
        assert item.gold == 4

    def test_gold_refused_by_the_schema_names_line_and_field(
        self, write_file: WriteFile, sentiment: LabelSchema
    ) -> None:
        """A gold outside the classes fails with the row's line and field gold."""
        path = write_file("a.csv", "id,gold\n1,pos\n2,great\n")
        with pytest.raises(ImportFailed, match=r"^line 3: gold: 'great' is not a class") as caught:
            list(read_csv_items(path, schema=sentiment))
        assert caught.value.field == "gold"

    def test_wrong_column_count_names_the_line(self, write_file: WriteFile) -> None:
        """A row with more cells than the header fails at its line."""
        path = write_file("a.csv", "id,text\n1,a\n2,b,extra\n")
        with pytest.raises(ImportFailed, match=r"^line 3: row has 3 cells; the header has 2$"):
            list(read_csv_items(path))

    def test_header_without_id_is_refused(self, write_file: WriteFile) -> None:
        """A header lacking the id column fails on line 1."""
        path = write_file("a.csv", "key,text\n1,a\n")
        with pytest.raises(ImportFailed, match=r"^line 1: the header has no 'id' column"):
            list(read_csv_items(path))

    def test_empty_file_is_refused(self, write_file: WriteFile) -> None:
        """A file with no header row fails."""
        with pytest.raises(ImportFailed, match=r"^line 1: the file is empty"):
            list(read_csv_items(write_file("a.csv", "")))

    def test_duplicate_id_is_refused(self, write_file: WriteFile) -> None:
        """An id repeated in the file fails at the repeat."""
        path = write_file("a.csv", "id\na\nb\na\n")
        with pytest.raises(ImportFailed, match=r"^line 4: id 'a' repeats the item of line 2"):
            list(read_csv_items(path))

    def test_empty_id_is_refused(self, write_file: WriteFile) -> None:
        """A row with an empty id cell fails naming the id."""
        with pytest.raises(ImportFailed, match=r"^line 2: id is empty"):
            list(read_csv_items(write_file("a.csv", "id,text\n,a\n")))

    def test_duplicate_column_is_refused(self, write_file: WriteFile) -> None:
        """A header naming a column twice fails."""
        with pytest.raises(ImportFailed, match=r"^line 1: the header names column 'text' twice"):
            list(read_csv_items(write_file("a.csv", "id,text,text\n1,a,b\n")))

    def test_a_bom_is_ignored(self, write_file: WriteFile) -> None:
        """A UTF-8 byte-order mark before the header does not rename the id column."""
        [item] = read_csv_items(write_file("a.csv", "\ufeffid,text\n1,a\n"))
        assert item.external_id == "1"


class TestWriteCsv:
    def test_one_row_per_annotation_with_canonical_json(self, sentiment: LabelSchema) -> None:
        """Each annotation is a row; values, gold and inferred are canonical JSON."""
        created = datetime(2026, 1, 1, tzinfo=UTC)
        items = [
            ExportItem(
                "1",
                {"text": "x"},
                "pos",
                (AnnotationRecord("a", "pos", 1500, created), AnnotationRecord("b", "neg")),
                inferred="pos",
                confidence=0.9,
            ),
            ExportItem("2", {"text": "y"}, None, ()),
        ]
        out = io.StringIO(newline="")
        assert write_export(items, out, format="csv", schema=sentiment) == 2
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        assert tuple(rows[0]) == EXPORT_CSV_COLUMNS
        assert rows[1] == ["1", "a", '"pos"', "1500", created.isoformat(), '"pos"', '"pos"', "0.9"]
        assert rows[2] == ["1", "b", '"neg"', "", "", '"pos"', '"pos"', "0.9"]
        assert rows[3] == ["2", "", "", "", "", "", "", ""]
        assert len(rows) == 4
