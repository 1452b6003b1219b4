"""Known answers for the text kind."""

from __future__ import annotations

import pytest

from labelshare.schema import InvalidLabel, InvalidSchema, TextSchema, parse_schema


def answers(*, allow_empty: bool = False) -> TextSchema:
    schema = parse_schema({"kind": "text", "max_length": 5, "allow_empty": allow_empty})
    assert isinstance(schema, TextSchema)
    return schema


class TestTextValue:
    def test_an_answer_within_the_limit_is_kept_as_is(self) -> None:
        """An answer of exactly max_length characters is accepted unchanged."""
        assert answers().validate(" héé ") == " héé "
        assert answers().categories is None

    def test_an_answer_over_the_limit_is_refused(self) -> None:
        """An answer longer than max_length is refused with its length."""
        with pytest.raises(
            InvalidLabel, match=r"^value: is 6 characters long, over the maximum of 5$"
        ):
            answers().validate("abcdef")

    def test_blank_answer_is_valid_only_when_allowed(self) -> None:
        """A blank answer validates when allow_empty is set."""
        assert answers(allow_empty=True).validate("  ") == "  "

    def test_blank_answer_is_refused_by_default(self) -> None:
        """A blank answer is refused when allow_empty is not set."""
        with pytest.raises(InvalidLabel, match=r"^value: must not be empty"):
            answers().validate(" \n")

    def test_max_length_below_one_is_refused(self) -> None:
        """max_length 0 is refused."""
        with pytest.raises(
            InvalidSchema, match=r"^max_length: input should be greater than or equal to 1"
        ):
            parse_schema({"kind": "text", "max_length": 0})
