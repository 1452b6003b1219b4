"""Known answers for the spans kind."""

from __future__ import annotations

from typing import Any

import pytest

from labelshare.schema import InvalidLabel, SpansSchema, parse_schema

TEXT = {"text": "Ada Lovelace met Babbage"}


def entities(**options: Any) -> SpansSchema:
    schema = parse_schema({"kind": "spans", "tags": ["PER", "LOC"], **options})
    assert isinstance(schema, SpansSchema)
    return schema


def span(start: int, end: int, tag: str = "PER") -> dict[str, Any]:
    return {"start": start, "end": end, "tag": tag}


class TestSpansValue:
    def test_canonical_value_is_sorted_by_start(self) -> None:
        """Spans come back sorted by start offset."""
        value = [span(17, 24), span(0, 12)]
        assert entities().validate(value, payload=TEXT) == [span(0, 12), span(17, 24)]

    def test_end_past_the_text_is_refused(self) -> None:
        """An end offset beyond the text names the span's end and the text length."""
        with pytest.raises(
            InvalidLabel,
            match=r"^value\[1\]\.end: end 30 is past the end of the text \(length 24\)$",
        ):
            entities().validate([span(0, 3), span(17, 30)], payload=TEXT)

    def test_overlap_is_refused_by_default(self) -> None:
        """Two spans sharing characters are refused, naming the later one."""
        with pytest.raises(InvalidLabel, match=r"^value\[1\]: \[4, 12\) overlaps span 0 \[0, 12\)"):
            entities().validate([span(0, 12), span(4, 12, "LOC")], payload=TEXT)

    def test_overlap_is_accepted_when_allowed(self) -> None:
        """Nested spans validate when allow_overlap is set."""
        value = [span(0, 12), span(4, 12, "LOC")]
        assert entities(allow_overlap=True).validate(value, payload=TEXT) == value

    def test_identical_spans_are_refused_even_when_overlap_is_allowed(self) -> None:
        """The same span twice is refused whatever allow_overlap says."""
        with pytest.raises(InvalidLabel, match=r"^value\[1\]: repeats span 0$"):
            entities(allow_overlap=True).validate([span(0, 3), span(0, 3)], payload=TEXT)

    def test_text_field_option_names_the_payload_key(self) -> None:
        """With text_field "body" the offsets refer to payload["body"]."""
        schema = entities(text_field="body")
        assert schema.validate([span(0, 2)], payload={"body": "Hi"}) == [span(0, 2)]

    def test_missing_text_is_refused_naming_the_payload_field(self) -> None:
        """A payload without the text is refused as payload.<text_field>."""
        with pytest.raises(InvalidLabel, match=r"^payload\.body: is missing"):
            entities(text_field="body").validate([], payload=TEXT)

    def test_no_payload_at_all_is_refused(self) -> None:
        """Validating spans without a payload is refused, naming the payload."""
        with pytest.raises(InvalidLabel, match=r"^payload: a spans label is checked against"):
            entities().validate([])

    def test_empty_list_is_refused_when_not_allowed(self) -> None:
        """An empty list is refused when allow_empty is false."""
        with pytest.raises(InvalidLabel, match=r"^value: must hold at least one span"):
            entities(allow_empty=False).validate([], payload=TEXT)
