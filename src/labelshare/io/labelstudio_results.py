"""Conversion between label values and Label Studio annotation results (regions).

One Label Studio control type per kind:

=================  ===================  ===========================================
kind               result ``type``      ``value``
=================  ===================  ===========================================
classification     ``choices``          ``{"choices": [class]}`` (exactly one)
multilabel         ``choices``          ``{"choices": [class, ...]}``
rating             ``rating``           ``{"rating": n}``
spans              ``labels``           ``{"start", "end", "text", "labels": [tag]}``
bbox               ``rectanglelabels``  ``{"x", "y", "width", "height"`` in percent of
                                        ``original_width/height``, ``"rotation": 0,
                                        "rectanglelabels": [class]}``
text               ``textarea``         ``{"text": [answer]}``
=================  ===================  ===========================================

Regions of other types (other controls of the same labelling config, relations)
are ignored on import. Exported regions use the control name ``label`` and, as the
object name, ``image`` for boxes, the schema's text field for spans, and otherwise
``image`` for image items and ``text`` for the rest (``labelstudio_config`` builds a
matching labelling config).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from labelshare.schema import InvalidLabel, LabelSchema

RESULT_TYPES: dict[str, str] = {
    "classification": "choices",
    "multilabel": "choices",
    "rating": "rating",
    "spans": "labels",
    "bbox": "rectanglelabels",
    "text": "textarea",
}
"""The Label Studio result type of each kind."""

CONTROL_NAME = "label"
"""The ``from_name`` of exported regions (the control tag's name in the config)."""

# Percentages times the image size are rounded to a micro-pixel so that float noise
# (50.8 % of 640 = 325.12000000000006) neither survives nor pushes a box past the edge.
PIXEL_DECIMALS = 6


def result_type(schema: LabelSchema) -> str:
    """The Label Studio result type for a schema's kind.

    Args:
        schema: the project's schema.

    Returns:
        E.g. ``"choices"``.

    Raises:
        InvalidLabel: the kind has no Label Studio form (field ``result``).
    """
    if schema.kind not in RESULT_TYPES:
        raise InvalidLabel("result", f"kind {schema.kind!r} has no Label Studio form")
    return RESULT_TYPES[schema.kind]


def value_from_results(schema: LabelSchema, results: Any, payload: Mapping[str, Any]) -> Any:
    """Turn the regions of one Label Studio annotation into a (raw) label value.

    Args:
        schema: the project's schema.
        results: the annotation's ``result`` list.
        payload: the item's payload (boxes fall back on its width/height).

    Returns:
        The value, still to be validated by the schema.

    Raises:
        InvalidLabel: the regions do not form a value of the kind; ``field`` is relative
            to the annotation (``result[2].value.x``).
    """
    wanted = result_type(schema)
    if not isinstance(results, list):
        raise InvalidLabel("result", "must be a list of regions")
    regions: list[tuple[int, Mapping[str, Any]]] = []
    for index, region in enumerate(results):
        if not isinstance(region, Mapping):
            raise InvalidLabel(f"result[{index}]", "must be an object")
        if region.get("type") == wanted:
            regions.append((index, region))
    if schema.kind == "multilabel":
        if not regions:
            return []
        index, region = _single(regions, wanted, schema.kind)
        return _field(region, index, "choices")
    if schema.kind in ("classification", "rating", "text"):
        index, region = _single(regions, wanted, schema.kind)
        if schema.kind == "rating":
            return _field(region, index, "rating")
        if schema.kind == "text":
            return _text_answer(_field(region, index, "text"), index)
        choices = _field(region, index, "choices")
        if not isinstance(choices, list) or len(choices) != 1:
            raise InvalidLabel(f"result[{index}].value.choices", "must hold exactly one choice")
        return choices[0]
    if schema.kind == "spans":
        return [span for index, region in regions for span in _spans(region, index)]
    return [box for index, region in regions for box in _boxes(region, index, payload)]


def image_size_from_results(annotations: list[Any]) -> tuple[int, int] | None:
    """Find the image size recorded in the rectangle regions of some annotations.

    Args:
        annotations: a task's ``annotations`` list.

    Returns:
        (original_width, original_height) of the first rectangle region that has
        both as positive integers, or None.
    """
    for annotation in annotations:
        results = annotation.get("result") if isinstance(annotation, Mapping) else None
        for region in results if isinstance(results, list) else []:
            if not isinstance(region, Mapping) or region.get("type") != "rectanglelabels":
                continue
            width, height = region.get("original_width"), region.get("original_height")
            if _is_positive_int(width) and _is_positive_int(height):
                return width, height
    return None


def object_name(schema: LabelSchema, payload: Mapping[str, Any]) -> str:
    """The ``to_name`` of exported regions: the object tag the labels refer to.

    Args:
        schema: the project's schema.
        payload: the item's payload.

    Returns:
        ``"image"`` for boxes, the text field for spans; for other kinds ``"image"``
        when the payload has an image and no text, else ``"text"``.
    """
    if schema.kind == "bbox":
        return "image"
    text_field = getattr(schema, "text_field", None)
    if isinstance(text_field, str):
        return text_field
    return "image" if "image" in payload and "text" not in payload else "text"


def value_to_results(
    schema: LabelSchema, value: Any, payload: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Turn a canonical label value into Label Studio regions.

    Args:
        schema: the project's schema.
        value: the canonical value.
        payload: the item's payload (spans quote its text; boxes need its size).

    Returns:
        The ``result`` list of one annotation.

    Raises:
        InvalidLabel: the kind has no Label Studio form, or a box's image has no size.
    """
    wanted = result_type(schema)
    base = {"from_name": CONTROL_NAME, "to_name": object_name(schema, payload), "type": wanted}
    if schema.kind in ("classification", "multilabel"):
        choices = [value] if schema.kind == "classification" else list(value)
        return [{**base, "value": {"choices": choices}}] if choices else []
    if schema.kind == "rating":
        return [{**base, "value": {"rating": value}}]
    if schema.kind == "text":
        return [{**base, "value": {"text": [value]}}]
    if schema.kind == "spans":
        text = payload.get(object_name(schema, payload), "")
        return [
            {
                **base,
                "id": f"span{index}",
                "value": {
                    "start": span["start"],
                    "end": span["end"],
                    "text": text[span["start"] : span["end"]],
                    "labels": [span["tag"]],
                },
            }
            for index, span in enumerate(value)
        ]
    width, height = payload.get("width"), payload.get("height")
    if not (_is_positive_int(width) and _is_positive_int(height)):
        raise InvalidLabel("payload.width", "boxes need the image's width and height")
    return [
        {
            **base,
            "id": f"box{index}",
            "original_width": width,
            "original_height": height,
            "image_rotation": 0,
            "value": {
                "x": box["x"] * 100 / width,
                "y": box["y"] * 100 / height,
                "width": box["w"] * 100 / width,
                "height": box["h"] * 100 / height,
                "rotation": 0,
                "rectanglelabels": [box["class"]],
            },
        }
        for index, box in enumerate(value)
    ]


def _single(
    regions: list[tuple[int, Mapping[str, Any]]], wanted: str, kind: str
) -> tuple[int, Mapping[str, Any]]:
    if not regions:
        raise InvalidLabel("result", f"has no {wanted!r} region; a {kind} label needs one")
    if len(regions) > 1:
        raise InvalidLabel(
            f"result[{regions[1][0]}]", f"is a second {wanted!r} region; a {kind} label has one"
        )
    return regions[0]


def _value_object(region: Mapping[str, Any], index: int) -> Mapping[str, Any]:
    value = region.get("value")
    if not isinstance(value, Mapping):
        raise InvalidLabel(f"result[{index}].value", "must be an object")
    return value


def _field(region: Mapping[str, Any], index: int, key: str) -> Any:
    value = _value_object(region, index)
    if key not in value:
        raise InvalidLabel(f"result[{index}].value.{key}", "is missing")
    return value[key]


def _text_answer(lines: Any, index: int) -> str:
    # Label Studio keeps one string per submitted line of a TextArea.
    if isinstance(lines, str):
        return lines
    if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
        raise InvalidLabel(f"result[{index}].value.text", "must be a list of strings")
    return "\n".join(lines)


def _labels(region: Mapping[str, Any], index: int, key: str) -> list[Any]:
    labels = _field(region, index, key)
    if not isinstance(labels, list) or not labels:
        raise InvalidLabel(f"result[{index}].value.{key}", "must be a non-empty list")
    return labels


def _spans(region: Mapping[str, Any], index: int) -> list[dict[str, Any]]:
    start, end = _field(region, index, "start"), _field(region, index, "end")
    return [{"start": start, "end": end, "tag": tag} for tag in _labels(region, index, "labels")]


def _boxes(
    region: Mapping[str, Any], index: int, payload: Mapping[str, Any]
) -> list[dict[str, Any]]:
    value = _value_object(region, index)
    rotation = value.get("rotation", 0)
    if rotation not in (0, None):
        raise InvalidLabel(
            f"result[{index}].value.rotation",
            f"rotated boxes are not supported (rotation {rotation})",
        )
    size = {}
    for key, fallback in (("original_width", "width"), ("original_height", "height")):
        found = region.get(key, payload.get(fallback))
        if not _is_positive_number(found):
            raise InvalidLabel(
                f"result[{index}].{key}", f"must be the image size in pixels, got {found!r}"
            )
        size[key] = found
    percent = {}
    for key in ("x", "y", "width", "height"):
        number = _field(region, index, key)
        if not _is_number(number):
            raise InvalidLabel(f"result[{index}].value.{key}", f"must be a number, got {number!r}")
        percent[key] = number
    x, w = _pixel_range(percent["x"], percent["width"], size["original_width"])
    y, h = _pixel_range(percent["y"], percent["height"], size["original_height"])
    return [
        {"x": x, "y": y, "w": w, "h": h, "class": name}
        for name in _labels(region, index, "rectanglelabels")
    ]


def _pixel_range(start_percent: float, extent_percent: float, size: float) -> tuple[float, float]:
    start = round(start_percent * size / 100, PIXEL_DECIMALS)
    end = min(round((start_percent + extent_percent) * size / 100, PIXEL_DECIMALS), size)
    return start, round(end - start, PIXEL_DECIMALS)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_positive_number(value: Any) -> bool:
    return _is_number(value) and value > 0


def _is_positive_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
