"""Known answers for the multilabel kind."""

from __future__ import annotations

import pytest

from labelshare.schema import InvalidLabel, MultilabelSchema, parse_schema


def topics(*, allow_empty: bool = False) -> MultilabelSchema:
    schema = parse_schema(
        {"kind": "multilabel", "classes": ["sport", "news", "art"], "allow_empty": allow_empty}
    )
    assert isinstance(schema, MultilabelSchema)
    return schema


class TestMultilabelValue:
    def test_canonical_value_is_sorted(self) -> None:
        """The canonical value lists the classes sorted."""
        assert topics().validate(["sport", "art"]) == ["art", "sport"]
        assert topics().categories == ("sport", "news", "art")

    def test_a_class_named_twice_is_refused(self) -> None:
        """A repeated class is refused at its second position."""
        with pytest.raises(
            InvalidLabel, match=r"^value\[2\]: 'art' is named twice \(also at index 0\)"
        ):
            topics().validate(["art", "news", "art"])

    def test_empty_set_is_valid_only_when_allowed(self) -> None:
        """The empty list validates when allow_empty is set."""
        assert topics(allow_empty=True).validate([]) == []

    def test_empty_set_is_refused_by_default(self) -> None:
        """The empty list is refused when allow_empty is not set."""
        with pytest.raises(InvalidLabel, match=r"^value: must name at least one class"):
            topics().validate([])

    def test_text_cells_are_read_as_json(self) -> None:
        """A CSV cell holding a JSON list is read as that list."""
        assert topics().value_from_text('["news"]') == ["news"]

    def test_text_cells_that_are_not_json_are_refused(self) -> None:
        """A CSV cell that is not JSON is refused."""
        with pytest.raises(InvalidLabel, match=r"^value: is not valid JSON"):
            topics().value_from_text("news;art")
