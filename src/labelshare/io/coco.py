"""COCO object-detection JSON, for bbox projects.

``images`` has one entry per item (``file_name`` is ``payload["image"]``),
``categories`` the schema's classes in order (ids from 1), and ``annotations`` the
boxes: an item's inferred boxes when it has an inferred label (with the confidence
as ``score``), otherwise every annotator's boxes, so that an export made before
inference still carries all the labels. COCO's ``bbox`` is ``[x, y, width, height]``
in pixels from the top-left corner, the same convention as the bbox kind.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from labelshare.errors import InvalidInput
from labelshare.io.records import ExportItem
from labelshare.schema import BboxSchema, LabelSchema


def write_coco(items: Iterable[ExportItem], out: TextIO, *, schema: LabelSchema) -> int:
    """Write a COCO detection file.

    Images are written as items arrive; annotations are spooled to a temporary file
    and copied after them, so memory stays bounded for any number of items.

    Args:
        items: the items, consumed once.
        out: the text stream to write to.
        schema: the project's schema; must be of kind ``bbox``.

    Returns:
        The number of images (items) written.

    Raises:
        InvalidInput: the schema is not a bbox schema (field ``format``), or an item lacks
            its image size or has a box of an unknown class.
    """
    if not isinstance(schema, BboxSchema):
        raise InvalidInput(
            f"COCO export needs a bbox project; this project's schema is {schema.kind!r}",
            field="format",
        )
    category_ids = {name: index for index, name in enumerate(schema.classes, start=1)}
    categories = [{"id": i, "name": name, "supercategory": ""} for name, i in category_ids.items()]
    written = annotation_id = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        out.write('{"info": {"description": "labelshare export"}, "licenses": [], ')
        out.write(f'"categories": {json.dumps(categories, ensure_ascii=False)}, "images": [')
        for item in items:
            written += 1
            out.write(",\n" if written > 1 else "\n")
            out.write(json.dumps(_image(item, written), ensure_ascii=False))
            for box, score in _boxes(item):
                annotation_id += 1
                spool.write(
                    json.dumps(_annotation(box, score, annotation_id, written, category_ids))
                )
                spool.write("\n")
        out.write('\n], "annotations": [')
        spool.seek(0)
        for index, line in enumerate(spool):
            out.write(",\n" if index else "\n")
            out.write(line.rstrip("\n"))
        out.write("\n]}\n")
    return written


def _image(item: ExportItem, image_id: int) -> dict[str, Any]:
    for key in ("width", "height"):
        size = item.payload.get(key)
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise InvalidInput(
                f"item {item.external_id!r} has no image {key} for COCO", field=f"payload.{key}"
            )
    return {
        "id": image_id,
        "file_name": item.payload.get("image", item.external_id),
        "width": item.payload["width"],
        "height": item.payload["height"],
    }


def _boxes(item: ExportItem) -> Iterator[tuple[dict[str, Any], float | None]]:
    if item.inferred is not None:
        for box in item.inferred:
            yield box, item.confidence
        return
    for annotation in item.annotations:
        for box in annotation.value:
            yield box, None


def _annotation(
    box: dict[str, Any],
    score: float | None,
    annotation_id: int,
    image_id: int,
    category_ids: dict[str, int],
) -> dict[str, Any]:
    if box["class"] not in category_ids:
        raise InvalidInput(
            f"box class {box['class']!r} is not a class of the schema", field="class"
        )
    annotation: dict[str, Any] = {
        "id": annotation_id,
        "image_id": image_id,
        "category_id": category_ids[box["class"]],
        "bbox": [box["x"], box["y"], box["w"], box["h"]],
        "area": box["w"] * box["h"],
        "iscrowd": 0,
        "segmentation": [],
    }
    if score is not None:
        annotation["score"] = score
    return annotation
