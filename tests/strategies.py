"""Hypothesis strategies shared by the test suite.

Label schemas and values: for every kind a strategy of valid cases
(schema, payload, value) and one of invalid cases (schema, payload, bad value, the
field the error must name). Each invalid case is a valid value with one fault put in,
so the expected field is known exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from labelshare.schema import (
    BboxSchema,
    ClassificationSchema,
    LabelSchema,
    MultilabelSchema,
    RatingSchema,
    SpansSchema,
    TextSchema,
)


@dataclass(frozen=True)
class LabelCase:
    """A schema, an item payload and a label value that the schema accepts."""

    schema: LabelSchema
    payload: dict[str, Any]
    value: Any


@dataclass(frozen=True)
class BadLabelCase:
    """A schema, payload and value that the schema must reject, naming ``field``."""

    schema: LabelSchema
    payload: dict[str, Any]
    value: Any
    field: str


# --- names and schemas -----------------------------------------------------------

name_texts = st.text(min_size=1, max_size=8).filter(lambda name: name.strip() != "")
"""A class or tag name: short and not blank."""

non_strings = st.one_of(
    st.integers(), st.floats(allow_nan=False), st.booleans(), st.none(), st.lists(st.integers())
)
"""JSON values that are not strings."""


def name_lists(min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[list[str]]:
    """Distinct, non-blank names."""
    return st.lists(name_texts, min_size=min_size, max_size=max_size, unique=True)


def unknown_name(names: list[str] | tuple[str, ...]) -> st.SearchStrategy[str]:
    """A non-blank name that is not among ``names``."""
    return name_texts.filter(lambda name: name not in names)


classification_schemas = name_lists(min_size=2).map(
    lambda classes: ClassificationSchema(classes=tuple(classes))
)
multilabel_schemas = st.builds(
    lambda classes, allow_empty: MultilabelSchema(classes=tuple(classes), allow_empty=allow_empty),
    name_lists(),
    st.booleans(),
)
rating_schemas = st.integers(min_value=2, max_value=100).map(lambda k: RatingSchema(max_rating=k))
spans_schemas = st.builds(
    lambda tags, allow_overlap: SpansSchema(tags=tuple(tags), allow_overlap=allow_overlap),
    name_lists(),
    st.booleans(),
)
bbox_schemas = name_lists().map(lambda classes: BboxSchema(classes=tuple(classes)))
text_schemas = st.builds(
    lambda max_length, allow_empty: TextSchema(max_length=max_length, allow_empty=allow_empty),
    st.integers(min_value=1, max_value=40),
    st.booleans(),
)
any_schemas: st.SearchStrategy[LabelSchema] = st.one_of(
    classification_schemas,
    multilabel_schemas,
    rating_schemas,
    spans_schemas,
    bbox_schemas,
    text_schemas,
)
"""A schema of any kind with arbitrary options."""


# --- valid values ------------------------------------------------------------------


@st.composite
def classification_cases(draw: st.DrawFn) -> LabelCase:
    """A classification schema and one of its classes."""
    schema = draw(classification_schemas)
    return LabelCase(schema, {}, draw(st.sampled_from(schema.classes)))


@st.composite
def multilabel_cases(draw: st.DrawFn) -> LabelCase:
    """A multilabel schema and a subset of its classes in any order."""
    schema = draw(multilabel_schemas)
    subset = draw(
        st.lists(
            st.sampled_from(schema.classes),
            unique=True,
            min_size=0 if schema.allow_empty else 1,
        )
    )
    return LabelCase(schema, {}, subset)


@st.composite
def rating_cases(draw: st.DrawFn) -> LabelCase:
    """A rating schema and a rating in 1..K."""
    schema = draw(rating_schemas)
    return LabelCase(schema, {}, draw(st.integers(min_value=1, max_value=schema.max_rating)))


@st.composite
def spans_values(draw: st.DrawFn, schema: SpansSchema, text: str) -> list[dict[str, Any]]:
    """Distinct spans over ``text``, non-overlapping unless the schema allows it, shuffled."""
    if not text:
        return []
    candidates = draw(
        st.lists(
            st.tuples(
                st.integers(min_value=0, max_value=len(text) - 1),
                st.integers(min_value=1, max_value=len(text)),
                st.sampled_from(schema.tags),
            ).filter(lambda span: span[0] < span[1]),
            max_size=6,
            unique=True,
        )
    )
    spans: list[tuple[int, int, str]] = []
    for start, end, tag in candidates:
        if schema.allow_overlap or all(end <= s or start >= e for s, e, _ in spans):
            spans.append((start, end, tag))
    shuffled = draw(st.permutations(spans))
    return [{"start": start, "end": end, "tag": tag} for start, end, tag in shuffled]


@st.composite
def spans_cases(draw: st.DrawFn) -> LabelCase:
    """A spans schema, a payload with text, and valid spans over it."""
    schema = draw(spans_schemas)
    text = draw(st.text(max_size=30))
    return LabelCase(schema, {"text": text}, draw(spans_values(schema, text)))


coordinates_scale = 2
"""Box coordinates are drawn in half pixels, so fractional values are exercised too."""


@st.composite
def boxes(draw: st.DrawFn, schema: BboxSchema, width: int, height: int) -> dict[str, Any]:
    """One box of the schema's classes inside a width x height image."""
    x2 = draw(st.integers(min_value=0, max_value=width * coordinates_scale - 1))
    y2 = draw(st.integers(min_value=0, max_value=height * coordinates_scale - 1))
    w2 = draw(st.integers(min_value=1, max_value=width * coordinates_scale - x2))
    h2 = draw(st.integers(min_value=1, max_value=height * coordinates_scale - y2))

    def pixels(half_pixels: int) -> int | float:
        return half_pixels // 2 if half_pixels % 2 == 0 else half_pixels / 2

    return {
        "x": pixels(x2),
        "y": pixels(y2),
        "w": pixels(w2),
        "h": pixels(h2),
        "class": draw(st.sampled_from(schema.classes)),
    }


@st.composite
def bbox_cases(draw: st.DrawFn) -> LabelCase:
    """A bbox schema, an image size, and distinct boxes inside it."""
    schema = draw(bbox_schemas)
    width = draw(st.integers(min_value=1, max_value=400))
    height = draw(st.integers(min_value=1, max_value=400))
    value = draw(
        st.lists(
            boxes(schema, width, height), max_size=5, unique_by=lambda b: tuple(sorted(b.items()))
        )
    )
    return LabelCase(schema, {"width": width, "height": height}, value)


@st.composite
def text_cases(draw: st.DrawFn) -> LabelCase:
    """A text schema and an answer within its length (non-blank unless allowed)."""
    schema = draw(text_schemas)
    answer = draw(st.text(max_size=schema.max_length))
    if not schema.allow_empty:
        answer = draw(
            st.text(min_size=1, max_size=schema.max_length).filter(lambda t: t.strip() != "")
        )
    return LabelCase(schema, {}, answer)


valid_cases_by_kind: dict[str, st.SearchStrategy[LabelCase]] = {
    "classification": classification_cases(),
    "multilabel": multilabel_cases(),
    "rating": rating_cases(),
    "spans": spans_cases(),
    "bbox": bbox_cases(),
    "text": text_cases(),
}
"""Valid cases of each kind, by kind name."""

any_valid_cases: st.SearchStrategy[LabelCase] = st.one_of(*valid_cases_by_kind.values())


# --- invalid values: one fault each --------------------------------------------------


@st.composite
def bad_classification_cases(draw: st.DrawFn) -> BadLabelCase:
    """An unknown class name or a non-string value."""
    schema = draw(classification_schemas)
    value = draw(st.one_of(unknown_name(schema.classes), non_strings))
    return BadLabelCase(schema, {}, value, "value")


def _insert(draw: st.DrawFn, items: list[Any], bad: Any) -> tuple[list[Any], int]:
    position = draw(st.integers(min_value=0, max_value=len(items)))
    return [*items[:position], bad, *items[position:]], position


@st.composite
def bad_multilabel_cases(draw: st.DrawFn) -> BadLabelCase:
    """An unknown or non-string class, a class named twice, an empty list, or no list."""
    case = draw(multilabel_cases())
    schema = case.schema
    assert isinstance(schema, MultilabelSchema)
    fault = draw(st.sampled_from(["unknown", "not_string", "twice", "empty", "not_list"]))
    if fault == "not_list":
        return BadLabelCase(
            schema, {}, draw(non_strings.filter(lambda v: not isinstance(v, list))), "value"
        )
    if fault == "empty" and not schema.allow_empty:
        return BadLabelCase(schema, {}, [], "value")
    if fault == "twice" and case.value:
        repeated = draw(st.sampled_from(case.value))
        return BadLabelCase(schema, {}, [*case.value, repeated], f"value[{len(case.value)}]")
    bad = draw(unknown_name(schema.classes) if fault != "not_string" else non_strings)
    value, position = _insert(draw, case.value, bad)
    return BadLabelCase(schema, {}, value, f"value[{position}]")


@st.composite
def bad_rating_cases(draw: st.DrawFn) -> BadLabelCase:
    """A rating outside 1..K, a boolean, a float or a string."""
    schema = draw(rating_schemas)
    value = draw(
        st.one_of(
            st.integers(max_value=0),
            st.integers(min_value=schema.max_rating + 1),
            st.booleans(),
            st.floats(min_value=1, max_value=schema.max_rating),
            st.integers(min_value=1, max_value=schema.max_rating).map(str),
            st.none(),
        )
    )
    return BadLabelCase(schema, {}, value, "value")


@st.composite
def bad_spans_cases(draw: st.DrawFn) -> BadLabelCase:
    """A valid spans value with one fault: a bad offset, tag or key, an overlap or a repeat."""
    schema = draw(spans_schemas)
    text = draw(st.text(min_size=2, max_size=30))
    spans = draw(spans_values(schema, text))
    n = len(text)
    fault = draw(
        st.sampled_from(
            [
                "negative",
                "before_start",
                "past_end",
                "tag",
                "missing",
                "extra",
                "type",
                "repeat",
                "overlap",
                "no_text",
                "not_list",
            ]
        )
    )
    tag = schema.tags[0]
    if fault == "no_text":
        return BadLabelCase(schema, draw(st.sampled_from([{}, {"text": 3}])), spans, "payload.text")
    if fault == "not_list":
        return BadLabelCase(schema, {"text": text}, {"start": 0, "end": 1, "tag": tag}, "value")
    if fault == "repeat" and spans:
        return BadLabelCase(
            schema,
            {"text": text},
            [*spans, dict(draw(st.sampled_from(spans)))],
            f"value[{len(spans)}]",
        )
    if fault == "overlap" and not schema.allow_overlap:
        # Spans of a valid value never overlap each other, so the only overlap is the newcomer's.
        base = spans or [{"start": 0, "end": n, "tag": tag}]
        target = draw(st.sampled_from(base))
        start = draw(st.integers(min_value=target["start"], max_value=target["end"] - 1))
        end = draw(st.integers(min_value=start + 1, max_value=n))
        newcomer = {"start": start, "end": end, "tag": draw(st.sampled_from(schema.tags))}
        if newcomer not in base:
            return BadLabelCase(schema, {"text": text}, [*base, newcomer], f"value[{len(base)}]")
    bad: dict[str, Any]
    subfield: str
    if fault == "negative":
        bad, subfield = {"start": draw(st.integers(max_value=-1)), "end": 1, "tag": tag}, "start"
    elif fault == "before_start":
        start = draw(st.integers(min_value=0, max_value=n))
        bad, subfield = {"start": start, "end": draw(st.integers(0, start)), "tag": tag}, "end"
    elif fault == "past_end":
        bad, subfield = {"start": 0, "end": draw(st.integers(min_value=n + 1)), "tag": tag}, "end"
    elif fault == "tag":
        bad, subfield = {"start": 0, "end": 1, "tag": draw(unknown_name(schema.tags))}, "tag"
    elif fault == "missing":
        subfield = draw(st.sampled_from(["start", "end", "tag"]))
        bad = {k: v for k, v in {"start": 0, "end": 1, "tag": tag}.items() if k != subfield}
    elif fault == "extra":
        subfield = draw(name_texts.filter(lambda k: k not in ("start", "end", "tag")))
        bad = {"start": 0, "end": 1, "tag": tag, subfield: 1}
    else:
        subfield = draw(st.sampled_from(["start", "end"]))
        bad = {"start": 0, "end": 1, "tag": tag}
        bad[subfield] = draw(st.one_of(st.booleans(), st.floats(), st.text(), st.none()))
    value, position = _insert(draw, spans, bad)
    return BadLabelCase(schema, {"text": text}, value, f"value[{position}].{subfield}")


@st.composite
def bad_bbox_cases(draw: st.DrawFn) -> BadLabelCase:
    """A valid bbox value with one fault: a box off the image, a bad size, class or key."""
    case = draw(bbox_cases())
    schema = case.schema
    assert isinstance(schema, BboxSchema)
    width, height = case.payload["width"], case.payload["height"]
    fault = draw(
        st.sampled_from(
            [
                "negative",
                "outside",
                "size",
                "overflow",
                "class",
                "missing",
                "type",
                "repeat",
                "payload",
            ]
        )
    )
    if fault == "payload":
        key = draw(st.sampled_from(["width", "height"]))
        payload = dict(case.payload)
        payload[key] = draw(st.one_of(st.integers(max_value=0), st.booleans(), st.just("10")))
        if draw(st.booleans()):
            del payload[key]
        return BadLabelCase(schema, payload, case.value, f"payload.{key}")
    if fault == "repeat" and case.value:
        repeated = dict(draw(st.sampled_from(case.value)))
        return BadLabelCase(
            schema, case.payload, [*case.value, repeated], f"value[{len(case.value)}]"
        )
    bad = dict(draw(boxes(schema, width, height)))
    axis = draw(st.sampled_from(["x", "y"]))
    extent_key, size = ("w", width) if axis == "x" else ("h", height)
    if fault == "negative":
        bad[axis], subfield = draw(st.integers(max_value=-1)), axis
    elif fault == "outside":
        bad[axis], subfield = draw(st.integers(min_value=size, max_value=size + 50)), axis
    elif fault == "size":
        bad[extent_key] = draw(st.one_of(st.integers(max_value=0), st.floats(max_value=0)))
        subfield = extent_key
    elif fault == "overflow":
        bad[extent_key], subfield = size - bad[axis] + draw(st.integers(1, 50)), extent_key
    elif fault == "class":
        bad["class"], subfield = draw(unknown_name(schema.classes)), "class"
    elif fault == "missing":
        subfield = draw(st.sampled_from(["x", "y", "w", "h", "class"]))
        del bad[subfield]
    else:
        subfield = draw(st.sampled_from(["x", "y", "w", "h"]))
        bad[subfield] = draw(
            st.one_of(
                st.booleans(), st.text(), st.none(), st.sampled_from([float("nan"), float("inf")])
            )
        )
    value, position = _insert(draw, case.value, bad)
    return BadLabelCase(schema, case.payload, value, f"value[{position}].{subfield}")


@st.composite
def bad_text_cases(draw: st.DrawFn) -> BadLabelCase:
    """An answer over the maximum length, an empty one where not allowed, or a non-string."""
    schema = draw(text_schemas)
    assert isinstance(schema, TextSchema)
    options = [st.text(min_size=schema.max_length + 1, max_size=schema.max_length + 5), non_strings]
    if not schema.allow_empty:
        options.append(st.sampled_from(["", " ", "\n\t"]))
    return BadLabelCase(schema, {}, draw(st.one_of(options)), "value")


invalid_cases_by_kind: dict[str, st.SearchStrategy[BadLabelCase]] = {
    "classification": bad_classification_cases(),
    "multilabel": bad_multilabel_cases(),
    "rating": bad_rating_cases(),
    "spans": bad_spans_cases(),
    "bbox": bad_bbox_cases(),
    "text": bad_text_cases(),
}
"""Invalid cases of each kind, by kind name."""
