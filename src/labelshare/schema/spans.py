"""``spans``: tagged character ranges over the item's text (named entities, highlights)."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StrictBool, StrictStr

from labelshare.schema._base import LabelSchema
from labelshare.schema._errors import InvalidLabel
from labelshare.schema._json_fields import (
    describe,
    expect_int,
    expect_list,
    expect_object,
    expect_str,
    name_choices,
)
from labelshare.schema._names import NameList

_SPAN_KEYS = ("start", "end", "tag")


class SpansSchema(LabelSchema):
    """Tagged spans ``[{"start": 0, "end": 5, "tag": "PER"}, ...]`` over ``payload["text"]``.

    Offsets count Unicode code points of the text, ``0 <= start < end <= len(text)``
    (end exclusive, as in Python slices). The canonical value is sorted by
    (start, end, tag). Identical spans are always refused; overlapping ones unless
    ``allow_overlap``.

    Attributes:
        tags: the tag names, at least one, distinct and non-blank.
        allow_overlap: whether two spans may share characters (nested entities).
        allow_empty: whether the empty list (nothing to tag) is a valid answer.
        text_field: the payload key holding the text the offsets refer to.
    """

    kind: Literal["spans"] = "spans"
    tags: Annotated[NameList, Field(min_length=1)]
    allow_overlap: StrictBool = False
    allow_empty: StrictBool = True
    text_field: Annotated[StrictStr, Field(min_length=1)] = "text"
    needs_payload: ClassVar[bool] = True

    def _check_payload(self, payload: Mapping[str, Any]) -> None:
        field = f"payload.{self.text_field}"
        if self.text_field not in payload:
            raise InvalidLabel(field, "is missing; spans refer to offsets in this text")
        if not isinstance(payload[self.text_field], str):
            raise InvalidLabel(field, f"must be a string, got {describe(payload[self.text_field])}")

    def _canonical_value(self, value: Any, payload: Mapping[str, Any]) -> list[dict[str, Any]]:
        text_length = len(payload[self.text_field])
        spans = [
            self._read_span(element, f"value[{index}]", text_length)
            for index, element in enumerate(expect_list(value, "value"))
        ]
        if not spans and not self.allow_empty:
            raise InvalidLabel(
                "value", "must hold at least one span (the schema sets allow_empty false)"
            )
        order = sorted(range(len(spans)), key=lambda i: _sort_key(spans[i]))
        for previous, current in pairwise(order):
            self._check_pair(spans, previous, current)
        return [spans[index] for index in order]

    def _read_span(self, element: Any, field: str, text_length: int) -> dict[str, Any]:
        span = expect_object(element, field, keys=_SPAN_KEYS)
        start = expect_int(span["start"], f"{field}.start")
        end = expect_int(span["end"], f"{field}.end")
        tag = expect_str(span["tag"], f"{field}.tag")
        if start < 0:
            raise InvalidLabel(f"{field}.start", f"start {start} is negative")
        if end <= start:
            raise InvalidLabel(f"{field}.end", f"end {end} is not after start {start}")
        if end > text_length:
            raise InvalidLabel(
                f"{field}.end", f"end {end} is past the end of the text (length {text_length})"
            )
        if tag not in self.tags:
            raise InvalidLabel(
                f"{field}.tag", f"{tag!r} is not a tag; expected one of {name_choices(self.tags)}"
            )
        return {"start": start, "end": end, "tag": tag}

    def _check_pair(self, spans: list[dict[str, Any]], first: int, second: int) -> None:
        # Reported on the span given later, so the message points at the newcomer.
        later, earlier = max(first, second), min(first, second)
        a, b = spans[first], spans[second]
        if a == b:
            raise InvalidLabel(f"value[{later}]", f"repeats span {earlier}")
        if not self.allow_overlap and b["start"] < a["end"]:
            raise InvalidLabel(
                f"value[{later}]",
                f"[{spans[later]['start']}, {spans[later]['end']}) overlaps span {earlier} "
                f"[{spans[earlier]['start']}, {spans[earlier]['end']}) and the schema sets "
                "allow_overlap false",
            )


def _sort_key(span: dict[str, Any]) -> tuple[int, int, str]:
    return (span["start"], span["end"], span["tag"])
