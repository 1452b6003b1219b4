"""Known answers for the bbox kind."""

from __future__ import annotations

from typing import Any

import pytest

from labelshare.schema import BboxSchema, InvalidLabel, parse_schema

IMAGE = {"image": "cat.png", "width": 100, "height": 50}


def detector(**options: Any) -> BboxSchema:
    schema = parse_schema({"kind": "bbox", "classes": ["cat", "dog"], **options})
    assert isinstance(schema, BboxSchema)
    return schema


def box(x: float, y: float, w: float, h: float, name: str = "cat") -> dict[str, Any]:
    return {"x": x, "y": y, "w": w, "h": h, "class": name}


class TestBboxValue:
    def test_canonical_value_is_sorted_with_integral_floats_as_ints(self) -> None:
        """Boxes come back sorted, and 10.0 is stored as 10."""
        value = [box(50, 0, 10.5, 5, "dog"), box(10.0, 20.0, 30.0, 30.0)]
        assert detector().validate(value, payload=IMAGE) == [
            box(10, 20, 30, 30),
            box(50, 0, 10.5, 5, "dog"),
        ]

    def test_a_box_filling_the_image_is_accepted(self) -> None:
        """A box from (0, 0) to the far corner is inside the image."""
        assert detector().validate([box(0, 0, 100, 50)], payload=IMAGE) == [box(0, 0, 100, 50)]

    def test_a_box_past_the_right_edge_is_refused(self) -> None:
        """x + w beyond the width is refused at the box's w."""
        with pytest.raises(
            InvalidLabel, match=r"^value\[0\]\.w: x\+w = 101 is past the image width \(100\)$"
        ):
            detector().validate([box(1, 0, 100, 10)], payload=IMAGE)

    def test_zero_height_is_refused(self) -> None:
        """A box of height 0 is refused at its h."""
        with pytest.raises(InvalidLabel, match=r"^value\[0\]\.h: h 0 is not positive$"):
            detector().validate([box(1, 1, 1, 0)], payload=IMAGE)

    def test_unknown_class_is_refused(self) -> None:
        """A box of a class outside the schema is refused at its class."""
        with pytest.raises(InvalidLabel, match=r"^value\[0\]\.class: 'bird' is not a class"):
            detector().validate([box(1, 1, 1, 1, "bird")], payload=IMAGE)

    def test_nan_coordinate_is_refused(self) -> None:
        """NaN is not a coordinate."""
        with pytest.raises(
            InvalidLabel, match=r"^value\[0\]\.x: must be a finite number, got nan$"
        ):
            detector().validate([box(float("nan"), 1, 1, 1)], payload=IMAGE)

    def test_image_size_must_be_positive_integers(self) -> None:
        """A payload whose width is not a positive integer is refused as payload.width."""
        with pytest.raises(
            InvalidLabel, match=r"^payload\.width: must be an integer \(pixels\), got a number$"
        ):
            detector().validate_payload({"width": 10.5, "height": 10})

    def test_payload_with_image_size_passes(self) -> None:
        """A payload with integer width and height passes the payload check."""
        detector().validate_payload(IMAGE)
        assert detector().categories is None
