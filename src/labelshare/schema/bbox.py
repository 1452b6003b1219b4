"""``bbox``: axis-aligned, classed boxes over the item's image (object detection)."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StrictBool

from labelshare.schema._base import LabelSchema
from labelshare.schema._errors import InvalidLabel
from labelshare.schema._json_fields import (
    describe,
    expect_list,
    expect_number,
    expect_object,
    expect_str,
    name_choices,
)
from labelshare.schema._names import NameList

_BOX_KEYS = ("x", "y", "w", "h", "class")


class BboxSchema(LabelSchema):
    """Boxes ``[{"x": 10, "y": 20, "w": 30, "h": 40, "class": "car"}, ...]`` in pixels.

    (x, y) is the top-left corner; the box must lie inside the image, whose size is
    ``payload["width"]`` x ``payload["height"]``. Coordinates may be fractional;
    integral ones are stored as ints. The canonical value is sorted by
    (x, y, w, h, class); identical boxes are refused.

    Attributes:
        classes: the class names, at least one, distinct and non-blank.
        allow_empty: whether the empty list (no object in the image) is a valid answer.
    """

    kind: Literal["bbox"] = "bbox"
    classes: Annotated[NameList, Field(min_length=1)]
    allow_empty: StrictBool = True
    needs_payload: ClassVar[bool] = True

    def _check_payload(self, payload: Mapping[str, Any]) -> None:
        for key in ("width", "height"):
            if key not in payload:
                raise InvalidLabel(
                    f"payload.{key}", "is missing; boxes are checked against the image size"
                )
            size = payload[key]
            if isinstance(size, bool) or not isinstance(size, int):
                raise InvalidLabel(
                    f"payload.{key}", f"must be an integer (pixels), got {describe(size)}"
                )
            if size <= 0:
                raise InvalidLabel(f"payload.{key}", f"must be positive, got {size}")

    def _canonical_value(self, value: Any, payload: Mapping[str, Any]) -> list[dict[str, Any]]:
        width, height = payload["width"], payload["height"]
        boxes = [
            self._read_box(element, f"value[{index}]", width, height)
            for index, element in enumerate(expect_list(value, "value"))
        ]
        if not boxes and not self.allow_empty:
            raise InvalidLabel(
                "value", "must hold at least one box (the schema sets allow_empty false)"
            )
        order = sorted(range(len(boxes)), key=lambda i: _sort_key(boxes[i]))
        for first, second in pairwise(order):
            if boxes[first] == boxes[second]:
                raise InvalidLabel(
                    f"value[{max(first, second)}]", f"repeats box {min(first, second)}"
                )
        return [boxes[index] for index in order]

    def _read_box(self, element: Any, field: str, width: int, height: int) -> dict[str, Any]:
        box = expect_object(element, field, keys=_BOX_KEYS)
        x = expect_number(box["x"], f"{field}.x")
        y = expect_number(box["y"], f"{field}.y")
        w = expect_number(box["w"], f"{field}.w")
        h = expect_number(box["h"], f"{field}.h")
        name = expect_str(box["class"], f"{field}.class")
        for axis, extent_key, origin, extent, size, side in (
            ("x", "w", x, w, width, "width"),
            ("y", "h", y, h, height, "height"),
        ):
            if origin < 0:
                raise InvalidLabel(f"{field}.{axis}", f"{axis} {origin} is negative")
            if origin >= size:
                raise InvalidLabel(
                    f"{field}.{axis}", f"{axis} {origin} is outside the image ({side} {size})"
                )
            if extent <= 0:
                raise InvalidLabel(
                    f"{field}.{extent_key}", f"{extent_key} {extent} is not positive"
                )
            if origin + extent > size:
                raise InvalidLabel(
                    f"{field}.{extent_key}",
                    f"{axis}+{extent_key} = {origin + extent} is past the image {side} ({size})",
                )
        if name not in self.classes:
            raise InvalidLabel(
                f"{field}.class",
                f"{name!r} is not a class; expected one of {name_choices(self.classes)}",
            )
        return {"x": x, "y": y, "w": w, "h": h, "class": name}


def _sort_key(box: dict[str, Any]) -> tuple[float, float, float, float, str]:
    return (box["x"], box["y"], box["w"], box["h"], box["class"])
