"""Label Studio task JSON: import, export, and the round trips between them."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelshare.errors import ImportFailed, InvalidInput
from labelshare.io import AnnotationRecord, ExportItem, ItemRecord, read_items, write_export
from labelshare.io.labelstudio import item_from_task
from labelshare.schema import LabelSchema, parse_schema
from tests.io.conftest import WriteFile
from tests.strategies import LabelCase, any_valid_cases


def region(kind: str, value: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """One Label Studio result entry as Label Studio exports it."""
    return {
        "id": "r1",
        "from_name": "label",
        "to_name": "text",
        "type": kind,
        "value": value,
        **extra,
    }


def annotation(result: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    """One Label Studio annotation as Label Studio exports it."""
    return {
        "id": 1001,
        "result": result,
        "was_cancelled": False,
        "ground_truth": False,
        "created_at": "2021-03-09T22:16:08.728353Z",
        "lead_time": 4.288,
        "completed_by": 10,
        **fields,
    }


def choices(*names: str) -> dict[str, Any]:
    return region("choices", {"choices": list(names)})


def ner(start: int, end: int, tag: str) -> dict[str, Any]:
    return region("labels", {"start": start, "end": end, "text": "", "labels": [tag]})


def rectangle(x: float, y: float, w: float, h: float, name: str) -> dict[str, Any]:
    return region(
        "rectanglelabels",
        {"x": x, "y": y, "width": w, "height": h, "rotation": 0, "rectanglelabels": [name]},
        original_width=640,
        original_height=480,
        image_rotation=0,
    )


CLASSIFICATION_TASKS = [
    {
        "id": 1,
        "data": {"text": "great film"},
        "annotations": [
            annotation([choices("pos")]),
            annotation([choices("neu")], completed_by={"id": 11, "email": "b@example.org"}),
            annotation([], was_cancelled=True, completed_by=12),
            annotation([choices("pos")], ground_truth=True),
        ],
        "predictions": [],
    },
    {"id": 2, "data": {"text": "no labels yet"}, "annotations": []},
]

SPANS_TASKS = [
    {
        "id": 5,
        "data": {"text": "Ada Lovelace met Babbage in London"},
        "annotations": [annotation([ner(28, 34, "LOC"), ner(0, 12, "PER")], completed_by=3)],
    }
]

BBOX_TASKS = [
    {
        "id": 9,
        "data": {"image": "/data/upload/cat.jpg"},
        "annotations": [
            annotation([rectangle(50.8, 5.869797225186766, 12.4, 10.458911419423693, "cat")]),
            annotation(
                [rectangle(0, 0, 100, 100, "dog"), rectangle(10, 10, 5, 5, "cat")], completed_by=2
            ),
        ],
    }
]


def read_tasks(write_file: WriteFile, tasks: Any, schema: LabelSchema | None) -> list[ItemRecord]:
    path = write_file("export.json", json.dumps(tasks, indent=2))
    return list(read_items(path, schema=schema))


def export(items: list[ItemRecord], schema: LabelSchema) -> str:
    out = io.StringIO()
    exported = (ExportItem(i.external_id, i.payload, i.gold, i.annotations) for i in items)
    write_export(exported, out, format="labelstudio", schema=schema)
    return out.getvalue()


class TestReadLabelStudio:
    def test_choices_become_classification_labels(
        self, write_file: WriteFile, sentiment: LabelSchema
    ) -> None:
        """Annotations become values; cancelled ones are dropped; ground truth becomes gold."""
        first, second = read_tasks(write_file, CLASSIFICATION_TASKS, sentiment)
        assert (first.external_id, first.payload, first.gold) == (
            "1",
            {"text": "great film"},
            "pos",
        )
        assert first.annotations == (
            AnnotationRecord(
                "10", "pos", 4288, datetime(2021, 3, 9, 22, 16, 8, 728353, tzinfo=UTC)
            ),
            AnnotationRecord(
                "b@example.org", "neu", 4288, datetime(2021, 3, 9, 22, 16, 8, 728353, tzinfo=UTC)
            ),
        )
        text = json.dumps(CLASSIFICATION_TASKS, indent=2)
        second_task_line = text[: text.index('"id": 2')].count("\n")  # the "{" line above it
        assert (second.external_id, second.annotations, second.line) == ("2", (), second_task_line)

    def test_labels_become_spans(self, write_file: WriteFile, entities: LabelSchema) -> None:
        """Text regions become canonical spans sorted by start."""
        [item] = read_tasks(write_file, SPANS_TASKS, entities)
        assert item.annotations[0].value == [
            {"start": 0, "end": 12, "tag": "PER"},
            {"start": 28, "end": 34, "tag": "LOC"},
        ]

    def test_rectangles_become_pixel_boxes(
        self, write_file: WriteFile, detector: LabelSchema
    ) -> None:
        """Percent rectangles become pixel boxes, and the image size enters the payload."""
        [item] = read_tasks(write_file, BBOX_TASKS, detector)
        assert item.payload == {"image": "/data/upload/cat.jpg", "width": 640, "height": 480}
        [box] = item.annotations[0].value
        # Each edge is rounded to a micro-pixel, so a size is within two roundings.
        assert box == {
            "x": 325.12,
            "y": pytest.approx(5.869797225186766 * 4.8, abs=1e-6),
            "w": 79.36,
            "h": pytest.approx(10.458911419423693 * 4.8, abs=1.5e-6),
            "class": "cat",
        }
        assert item.annotations[1].value == [
            {"x": 0, "y": 0, "w": 640, "h": 480, "class": "dog"},
            {"x": 64, "y": 48, "w": 32, "h": 24, "class": "cat"},
        ]

    def test_rating_and_textarea_are_read(self, write_file: WriteFile) -> None:
        """Rating regions give integers and TextArea regions give their joined lines."""
        stars = parse_schema({"kind": "rating", "max_rating": 5})
        tasks = [
            {"id": 1, "data": {}, "annotations": [annotation([region("rating", {"rating": 4})])]}
        ]
        assert read_tasks(write_file, tasks, stars)[0].annotations[0].value == 4
        answers = parse_schema({"kind": "text", "max_length": 50})
        tasks = [
            {
                "id": 1,
                "data": {},
                "annotations": [annotation([region("textarea", {"text": ["a", "b"]})])],
            }
        ]
        assert read_tasks(write_file, tasks, answers)[0].annotations[0].value == "a\nb"

    def test_bad_json_names_its_line(self, write_file: WriteFile, sentiment: LabelSchema) -> None:
        """A syntax error inside the list names the line it is on."""
        path = write_file(
            "export.json", '[\n  {"id": 1, "data": {}},\n  {"id": 2, "data": {,}}\n]\n'
        )
        with pytest.raises(ImportFailed, match=r"^line 3: invalid JSON"):
            list(read_items(path, schema=sentiment))

    def test_top_level_must_be_a_list(self, write_file: WriteFile) -> None:
        """A JSON object at the top is refused."""
        with pytest.raises(ImportFailed, match=r"^line 1: expected a JSON list of tasks"):
            list(read_items(write_file("export.json", '{"id": 1}')))

    def test_trailing_text_is_refused(self, write_file: WriteFile) -> None:
        """Text after the closing bracket is refused at its line."""
        with pytest.raises(ImportFailed, match=r"^line 2: unexpected text after the list"):
            list(read_items(write_file("export.json", '[{"id": 1, "data": {}}]\n]')))

    def test_missing_data_is_refused(self, write_file: WriteFile) -> None:
        """A task without a data object is refused."""
        with pytest.raises(ImportFailed, match=r"^line 2: the task has no 'data' object"):
            read_tasks(write_file, [{"id": 1, "text": "x"}], None)

    def test_duplicate_task_id_is_refused(self, write_file: WriteFile) -> None:
        """Two tasks with the same id are refused at the second."""
        tasks = [{"id": 1, "data": {}}, {"id": 1, "data": {}}]
        with pytest.raises(ImportFailed, match=r"^line 6: id '1' repeats the item of line 2"):
            read_tasks(write_file, tasks, None)

    def test_region_refused_by_the_schema_names_annotation_and_field(
        self, write_file: WriteFile, entities: LabelSchema
    ) -> None:
        """A span past the text fails naming the annotation and the span's end."""
        tasks = [
            {"id": 1, "data": {"text": "short"}, "annotations": [annotation([ner(0, 9, "PER")])]}
        ]
        with pytest.raises(
            ImportFailed, match=r"^line 2: annotations\[0\]\.value\[0\]\.end: end 9 is past the end"
        ):
            read_tasks(write_file, tasks, entities)

    def test_two_choices_for_one_class_are_refused(
        self, write_file: WriteFile, sentiment: LabelSchema
    ) -> None:
        """A classification annotation with two choices regions is refused."""
        tasks = [
            {"id": 1, "data": {}, "annotations": [annotation([choices("pos"), choices("neg")])]}
        ]
        with pytest.raises(
            ImportFailed, match=r"annotations\[0\]\.result\[1\]: is a second 'choices' region"
        ):
            read_tasks(write_file, tasks, sentiment)

    def test_rotated_box_is_refused(self, write_file: WriteFile, detector: LabelSchema) -> None:
        """A rotated rectangle cannot become an axis-aligned box."""
        rotated = rectangle(1, 1, 1, 1, "cat")
        rotated["value"]["rotation"] = 30
        tasks = [{"id": 1, "data": {}, "annotations": [annotation([rotated])]}]
        with pytest.raises(
            ImportFailed, match=r"rotation: rotated boxes are not supported \(rotation 30\)"
        ):
            read_tasks(write_file, tasks, detector)

    def test_annotations_need_a_schema(self, write_file: WriteFile) -> None:
        """Without a schema, annotations cannot be converted and the task is refused."""
        with pytest.raises(ImportFailed, match=r"can only be read with the project's schema"):
            read_tasks(write_file, CLASSIFICATION_TASKS, None)

    def test_annotation_without_annotator_is_refused(self, sentiment: LabelSchema) -> None:
        """An annotation without completed_by is refused naming the field."""
        task = {
            "id": 1,
            "data": {},
            "annotations": [annotation([choices("pos")], completed_by=None)],
        }
        with pytest.raises(
            ImportFailed, match=r"annotations\[0\]\.completed_by is missing"
        ) as caught:
            item_from_task(task, line=4, schema=sentiment)
        assert caught.value.line == 4


class TestLabelStudioRoundTrip:
    @pytest.mark.parametrize(
        ("tasks", "schema_json"),
        [
            (CLASSIFICATION_TASKS, {"kind": "classification", "classes": ["pos", "neg", "neu"]}),
            (SPANS_TASKS, {"kind": "spans", "tags": ["PER", "LOC"]}),
            (BBOX_TASKS, {"kind": "bbox", "classes": ["cat", "dog"]}),
        ],
        ids=["classification", "spans", "bbox"],
    )
    def test_import_export_import_keeps_items_and_annotations(
        self, write_file: WriteFile, tasks: Any, schema_json: dict[str, Any]
    ) -> None:
        """A Label Studio export read, written and read again gives the same items."""
        schema = parse_schema(schema_json)
        items = read_tasks(write_file, tasks, schema)
        again = read_tasks(write_file, json.loads(export(items, schema)), schema)
        strip_lines = [(i.external_id, i.payload, i.gold, i.annotations) for i in items]
        assert [(i.external_id, i.payload, i.gold, i.annotations) for i in again] == strip_lines

    def test_exported_regions_match_the_original(
        self, write_file: WriteFile, detector: LabelSchema
    ) -> None:
        """Exported rectangles carry the original percentages, labels and image size."""
        items = read_tasks(write_file, BBOX_TASKS, detector)
        [task] = json.loads(export(items, detector))
        original = BBOX_TASKS[0]["annotations"][0]["result"][0]  # type: ignore[index]  # fixture shape
        [written] = task["annotations"][0]["result"]
        assert written["type"] == "rectanglelabels"
        assert (written["original_width"], written["original_height"]) == (640, 480)
        for key in ("x", "y", "width", "height"):
            assert written["value"][key] == pytest.approx(original["value"][key], abs=1e-6)
        assert written["value"]["rectanglelabels"] == ["cat"]
        assert task["id"] == 9
        assert task["annotations"][0]["ground_truth"] is False
        assert "completed_by" not in task["annotations"][0]

    def test_gold_and_inference_are_exported_as_ground_truth_and_prediction(
        self, sentiment: LabelSchema
    ) -> None:
        """Gold becomes a ground-truth annotation and the inferred label a scored prediction."""
        item = ExportItem(
            "a-1", {"text": "x"}, "neg", (AnnotationRecord("0xA", "pos", 250),), "pos", 0.8
        )
        out = io.StringIO()
        assert write_export([item], out, format="labelstudio", schema=sentiment) == 1
        [task] = json.loads(out.getvalue())
        assert task["id"] == "a-1"
        gold, labelled = task["annotations"]
        assert (gold["ground_truth"], gold["result"][0]["value"]) == (True, {"choices": ["neg"]})
        assert (labelled["labelshare_annotator"], labelled["lead_time"]) == ("0xA", 0.25)
        assert task["predictions"] == [
            {
                "model_version": "labelshare",
                "score": 0.8,
                "result": [
                    {
                        "from_name": "label",
                        "to_name": "text",
                        "type": "choices",
                        "value": {"choices": ["pos"]},
                    }
                ],
            }
        ]

    def test_empty_export_is_an_empty_list(self, sentiment: LabelSchema) -> None:
        """Exporting no items writes an empty JSON list."""
        out = io.StringIO()
        assert write_export([], out, format="labelstudio", schema=sentiment) == 0
        assert json.loads(out.getvalue()) == []

    def test_box_without_image_size_cannot_be_exported(self, detector: LabelSchema) -> None:
        """A box on an item whose payload lacks the image size is refused."""
        box = {"x": 1, "y": 1, "w": 1, "h": 1, "class": "cat"}
        item = ExportItem("1", {"image": "a.png"}, None, (AnnotationRecord("a", [box]),))
        with pytest.raises(
            InvalidInput, match=r"payload\.width: boxes need the image's width and height"
        ):
            write_export([item], io.StringIO(), format="labelstudio", schema=detector)

    @given(
        case=any_valid_cases,
        external_id=st.integers(min_value=0) | st.text(min_size=1).filter(str.strip),
    )
    def test_any_valid_label_round_trips(self, case: LabelCase, external_id: int | str) -> None:
        """Any valid label of any kind, exported to Label Studio, reads back identical."""
        value = case.schema.validate(case.value, payload=case.payload)
        annotations = (AnnotationRecord("w1", value, 1500), AnnotationRecord("0xB", value))
        item = ExportItem(str(external_id), case.payload, value, annotations)
        out = io.StringIO()
        write_export([item], out, format="labelstudio", schema=case.schema)
        [task] = json.loads(out.getvalue())
        back = item_from_task(task, line=2, schema=case.schema)
        assert (back.external_id, back.payload, back.gold, back.annotations) == (
            str(external_id),
            case.payload,
            value,
            annotations,
        )
