"""COCO export of bbox projects."""

from __future__ import annotations

import io
import json

import pytest

from labelshare.errors import InvalidInput
from labelshare.io import AnnotationRecord, ExportItem, write_export
from labelshare.schema import LabelSchema

IMAGE = {"image": "media/ab12.png", "width": 100, "height": 80}
CAT = {"x": 10, "y": 20, "w": 30, "h": 40, "class": "cat"}
DOG = {"x": 0, "y": 0, "w": 5.5, "h": 2, "class": "dog"}


def coco(items: list[ExportItem], schema: LabelSchema) -> dict[str, object]:
    out = io.StringIO()
    assert write_export(items, out, format="coco", schema=schema) == len(items)
    document: dict[str, object] = json.loads(out.getvalue())
    return document


class TestWriteCoco:
    def test_categories_come_from_the_schema(self, detector: LabelSchema) -> None:
        """Categories are the schema classes in order, with ids from 1."""
        document = coco([], detector)
        assert document["categories"] == [
            {"id": 1, "name": "cat", "supercategory": ""},
            {"id": 2, "name": "dog", "supercategory": ""},
        ]
        assert (document["images"], document["annotations"]) == ([], [])

    def test_inferred_boxes_are_used_when_present(self, detector: LabelSchema) -> None:
        """An item with inferred boxes exports those, scored by the confidence."""
        item = ExportItem(
            "a", IMAGE, None, (AnnotationRecord("w", [DOG]),), inferred=[CAT], confidence=0.7
        )
        document = coco([item], detector)
        assert document["images"] == [
            {"id": 1, "file_name": "media/ab12.png", "width": 100, "height": 80}
        ]
        assert document["annotations"] == [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "bbox": [10, 20, 30, 40],
                "area": 1200,
                "iscrowd": 0,
                "segmentation": [],
                "score": 0.7,
            }
        ]

    def test_every_annotation_is_used_without_inference(self, detector: LabelSchema) -> None:
        """Without an inferred label, every annotator's boxes are exported, unscored."""
        items = [
            ExportItem(
                "a",
                IMAGE,
                None,
                (AnnotationRecord("w1", [CAT, DOG]), AnnotationRecord("w2", [CAT])),
            ),
            ExportItem("b", {**IMAGE, "image": "b.png"}, None, (AnnotationRecord("w1", [DOG]),)),
        ]
        document = coco(items, detector)
        annotations = document["annotations"]
        assert isinstance(annotations, list)
        assert [(a["id"], a["image_id"], a["category_id"]) for a in annotations] == [
            (1, 1, 1),
            (2, 1, 2),
            (3, 1, 1),
            (4, 2, 2),
        ]
        assert all("score" not in a for a in annotations)

    def test_non_bbox_projects_are_refused(self, sentiment: LabelSchema) -> None:
        """COCO export of a classification project is refused naming the format."""
        with pytest.raises(
            InvalidInput, match=r"COCO export needs a bbox project; .* 'classification'"
        ) as caught:
            write_export([], io.StringIO(), format="coco", schema=sentiment)
        assert caught.value.field == "format"

    def test_items_without_image_size_are_refused(self, detector: LabelSchema) -> None:
        """An item lacking its image height is refused naming the field."""
        item = ExportItem("a", {"image": "a.png", "width": 10}, None, ())
        with pytest.raises(InvalidInput, match=r"item 'a' has no image height"):
            write_export([item], io.StringIO(), format="coco", schema=detector)
