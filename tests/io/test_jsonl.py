"""JSON Lines import and export."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelshare.errors import ImportFailed
from labelshare.io import AnnotationRecord, ExportItem, read_items, write_export
from labelshare.io.jsonl import item_from_object, read_jsonl_items
from labelshare.schema import LabelSchema
from tests.io.conftest import WriteFile, jsonl
from tests.strategies import LabelCase, any_valid_cases


class TestReadJsonl:
    def test_id_and_gold_are_taken_out_of_the_payload(
        self, write_file: WriteFile, sentiment: LabelSchema
    ) -> None:
        """id becomes the external id, gold the gold value, the rest the payload."""
        path = write_file(
            "a.jsonl", jsonl({"id": 7, "text": "great", "gold": "pos"}, {"id": "b", "text": "meh"})
        )
        first, second = read_jsonl_items(path, schema=sentiment)
        assert (first.external_id, first.payload, first.gold, first.line) == (
            "7",
            {"text": "great"},
            "pos",
            1,
        )
        assert (second.external_id, second.gold, second.line) == ("b", None, 2)

    def test_blank_lines_are_skipped_but_counted(self, write_file: WriteFile) -> None:
        """Blank lines yield nothing, and later items keep their true line numbers."""
        path = write_file("a.jsonl", '\n{"id": 1}\n  \n{"id": 2}\n')
        assert [item.line for item in read_jsonl_items(path)] == [2, 4]

    def test_bad_json_names_its_line(self, write_file: WriteFile) -> None:
        """Malformed JSON on line 3 fails with line 3 and the parser's reason."""
        path = write_file("a.jsonl", jsonl({"id": 1}, {"id": 2}) + '{"id": 3,\n')
        with pytest.raises(ImportFailed, match=r"^line 3: invalid JSON: Expecting") as caught:
            list(read_jsonl_items(path))
        assert caught.value.line == 3

    def test_missing_id_is_refused(self, write_file: WriteFile) -> None:
        """A line without id fails naming the id field."""
        path = write_file("a.jsonl", jsonl({"id": 1}, {"text": "no id"}))
        with pytest.raises(ImportFailed, match=r"^line 2: id is missing") as caught:
            list(read_jsonl_items(path))
        assert caught.value.field == "id"

    @pytest.mark.parametrize("bad_id", [True, 1.5, None, "", ["x"]])
    def test_ids_must_be_strings_or_integers(self, write_file: WriteFile, bad_id: object) -> None:
        """Booleans, floats, empty strings and lists are not ids."""
        path = write_file("a.jsonl", jsonl({"id": bad_id}))
        with pytest.raises(ImportFailed, match=r"^line 1: id (is missing|is empty|must be)"):
            list(read_jsonl_items(path))

    def test_duplicate_id_names_both_lines(self, write_file: WriteFile) -> None:
        """An id repeated in the file fails at the repeat, naming the first line."""
        path = write_file("a.jsonl", jsonl({"id": "x"}, {"id": "y"}, {"id": "x"}))
        with pytest.raises(ImportFailed, match=r"^line 3: id 'x' repeats the item of line 1"):
            list(read_jsonl_items(path))

    def test_integer_and_string_ids_collide(self, write_file: WriteFile) -> None:
        """1 and "1" are the same external id."""
        path = write_file("a.jsonl", jsonl({"id": 1}, {"id": "1"}))
        with pytest.raises(ImportFailed, match=r"^line 2: id '1' repeats"):
            list(read_jsonl_items(path))

    def test_gold_refused_by_the_schema_names_line_and_field(
        self, write_file: WriteFile, entities: LabelSchema
    ) -> None:
        """A gold span past the text fails with the line, gold's field and the schema's reason."""
        gold = [{"start": 0, "end": 12, "tag": "PER"}]
        path = write_file("a.jsonl", jsonl({"id": 1, "text": "0123456789", "gold": gold}))
        with pytest.raises(
            ImportFailed,
            match=r"^line 1: gold\[0\]\.end: end 12 is past the end of the text \(length 10\)$",
        ) as caught:
            list(read_jsonl_items(path, schema=entities))
        assert caught.value.field == "gold[0].end"

    def test_payload_without_what_the_kind_needs_is_refused(
        self, write_file: WriteFile, entities: LabelSchema
    ) -> None:
        """A spans item without text fails naming payload.text."""
        path = write_file("a.jsonl", jsonl({"id": 1, "body": "x"}))
        with pytest.raises(ImportFailed, match=r"^line 1: payload\.text: is missing"):
            list(read_jsonl_items(path, schema=entities))

    def test_gold_is_made_canonical(self, write_file: WriteFile, entities: LabelSchema) -> None:
        """Gold spans come back sorted by start."""
        gold = [{"start": 4, "end": 6, "tag": "LOC"}, {"start": 0, "end": 2, "tag": "PER"}]
        path = write_file("a.jsonl", jsonl({"id": 1, "text": "Jo in Rome", "gold": gold}))
        [item] = read_jsonl_items(path, schema=entities)
        assert item.gold == [gold[1], gold[0]]

    @pytest.mark.parametrize(
        ("line", "message"),
        [
            ("[1, 2]", r"^line 1: expected a JSON object, got list"),
            ('{"id": 1, "x": NaN}', r"^line 1: invalid JSON: NaN is not a JSON number"),
        ],
    )
    def test_non_objects_and_nan_are_refused(
        self, write_file: WriteFile, line: str, message: str
    ) -> None:
        """Each line must be a JSON object of standard JSON."""
        path = write_file("a.jsonl", line + "\n")
        with pytest.raises(ImportFailed, match=message):
            list(read_jsonl_items(path))

    def test_invalid_utf8_names_its_line(self, write_file: WriteFile) -> None:
        """Bytes that are not UTF-8 fail at their line."""
        path = write_file("a.jsonl", jsonl({"id": 1}))
        path.write_bytes(path.read_bytes() + b'{"id": "\xff"}\n')
        with pytest.raises(ImportFailed, match=r"^line 2: not UTF-8 text"):
            list(read_jsonl_items(path))

    def test_missing_file_is_refused(self, write_file: WriteFile) -> None:
        """A path that does not exist fails with a clear message."""
        path = write_file("a.jsonl", "").with_name("missing.jsonl")
        with pytest.raises(ImportFailed, match=r"^cannot open .*missing\.jsonl"):
            list(read_jsonl_items(path))


class TestExportForm:
    def test_unknown_keys_beside_payload_are_refused(self, write_file: WriteFile) -> None:
        """A line in export form may not carry other keys, which would be lost."""
        path = write_file("a.jsonl", jsonl({"id": 1, "payload": {"text": "x"}, "note": "?"}))
        with pytest.raises(
            ImportFailed, match=r"^line 1: 'note' is not a field of the export form"
        ):
            list(read_jsonl_items(path))

    def test_annotation_refused_by_the_schema_names_its_index(
        self, write_file: WriteFile, sentiment: LabelSchema
    ) -> None:
        """A bad annotation value in export form names annotations[i].value."""
        record = {
            "id": 1,
            "payload": {},
            "annotations": [
                {"annotator": "a", "value": "pos"},
                {"annotator": "b", "value": "great"},
            ],
        }
        path = write_file("a.jsonl", jsonl(record))
        with pytest.raises(
            ImportFailed, match=r"^line 1: annotations\[1\]\.value: 'great' is not a class"
        ):
            list(read_jsonl_items(path, schema=sentiment))

    def test_export_then_import_keeps_everything_but_inference(
        self, write_file: WriteFile, sentiment: LabelSchema
    ) -> None:
        """An exported item reads back with its payload, gold and annotations."""
        created = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        item = ExportItem(
            "q1",
            {"text": "fine"},
            "neu",
            (AnnotationRecord("0xabc", "pos", 1200, created), AnnotationRecord("w2", "neu")),
            inferred="neu",
            confidence=0.75,
        )
        out = io.StringIO()
        assert write_export([item], out, format="jsonl", schema=sentiment) == 1
        written = json.loads(out.getvalue())
        assert written["inferred"] == "neu"
        assert written["confidence"] == 0.75
        path = write_file("export.jsonl", out.getvalue())
        [back] = read_items(path, schema=sentiment)
        assert (back.external_id, back.payload, back.gold, back.annotations) == (
            item.external_id,
            item.payload,
            item.gold,
            item.annotations,
        )

    @given(case=any_valid_cases, external_id=st.text(min_size=1).filter(str.strip))
    def test_any_valid_label_round_trips(self, case: LabelCase, external_id: str) -> None:
        """Any valid label of any kind, exported to JSON Lines, reads back identical."""
        value = case.schema.validate(case.value, payload=case.payload)
        item = ExportItem(external_id, case.payload, value, (AnnotationRecord("w", value, 5),))
        out = io.StringIO()
        write_export([item], out, format="jsonl", schema=case.schema)
        back = item_from_object(json.loads(out.getvalue()), line=1, schema=case.schema)
        assert (back.gold, back.annotations) == (value, item.annotations)
