"""Known answers for the ranking kind (a permutation of the responses)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelshare.schema import InvalidLabel, InvalidSchema, RankingSchema, parse_schema

PAYLOAD: dict[str, Any] = {"prompt": "Name a fruit", "responses": ["apple", "pear", "fig"]}


@pytest.fixture
def ranking() -> RankingSchema:
    schema = parse_schema({"kind": "ranking"})
    assert isinstance(schema, RankingSchema)
    return schema


class TestRankingSchema:
    def test_defaults(self, ranking: RankingSchema) -> None:
        """By default items carry 2 to 20 responses and the display order is optional."""
        assert ranking.to_json() == {
            "kind": "ranking",
            "min_responses": 2,
            "max_responses": 20,
            "record_display_order": False,
        }
        assert ranking.categories is None

    def test_bad_option_is_refused(self) -> None:
        """min_responses below 2 is refused, naming the option."""
        with pytest.raises(InvalidSchema, match=r"^min_responses: input should be greater"):
            parse_schema({"kind": "ranking", "min_responses": 1})


class TestRankingValue:
    def test_bare_list_becomes_an_order(self, ranking: RankingSchema) -> None:
        """A bare permutation is read as the order, best first."""
        assert ranking.validate([2, 0, 1], payload=PAYLOAD) == {"order": [2, 0, 1]}

    def test_display_order_is_kept(self, ranking: RankingSchema) -> None:
        """The shown order is validated and kept beside the ranking."""
        value = {"order": [1, 2, 0], "shown_order": [2, 1, 0]}
        assert ranking.validate(value, payload=PAYLOAD) == value

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("0,1,2", r"^value: must be an object with an order \(or a list\), got a string$"),
            ({"shown_order": [0, 1, 2]}, r"^value\.order: is missing$"),
            ([0, 1], r"^value\.order: must list all 3 responses exactly once, got 2 entries$"),
            ([0, 1, 1], r"^value\.order\[2\]: response 1 appears twice \(positions 1 and 2\)$"),
            ([0, 1, 3], r"^value\.order\[2\]: response index 3 is outside 0\.\.2$"),
            ([0, 1, "2"], r"^value\.order\[2\]: must be an integer, got a string$"),
            ({"order": [0, 1, 2], "shown_order": [0, 0, 1]}, r"^value\.shown_order\[1\]"),
            ({"order": [0, 1, 2], "best": 0}, r"^value\.best: is not a field here"),
        ],
    )
    def test_bad_values_are_refused(
        self, ranking: RankingSchema, value: object, message: str
    ) -> None:
        """Non-permutations and unknown keys are refused, naming the position."""
        with pytest.raises(InvalidLabel, match=message):
            ranking.validate(value, payload=PAYLOAD)

    def test_display_order_required_when_recorded(self) -> None:
        """With record_display_order a ranking without shown_order is refused."""
        schema = parse_schema({"kind": "ranking", "record_display_order": True})
        with pytest.raises(InvalidLabel, match=r"^value\.shown_order: is missing"):
            schema.validate([0, 1, 2], payload=PAYLOAD)

    def test_too_many_responses_are_refused(self) -> None:
        """An item with more responses than max_responses is refused."""
        schema = parse_schema({"kind": "ranking", "max_responses": 2})
        with pytest.raises(InvalidLabel, match=r"^payload\.responses: must hold 2 to 2|exactly 2"):
            schema.validate([0, 1, 2], payload=PAYLOAD)

    @given(st.permutations(list(range(3))))
    def test_every_permutation_is_accepted_unchanged(self, order: list[int]) -> None:
        """Any permutation of the response indices validates to itself."""
        schema = RankingSchema()
        assert schema.validate({"order": order}, payload=PAYLOAD) == {"order": order}
