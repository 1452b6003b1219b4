"""Known answers for the pairwise kind (A / B / tie with display order)."""

from __future__ import annotations

from typing import Any

import pytest

from labelshare.schema import InvalidLabel, InvalidSchema, PairwiseSchema, parse_schema

PAYLOAD: dict[str, Any] = {
    "prompt": "Say hi",
    "responses": ["hi", {"text": "hello", "model": "m2"}],
}


@pytest.fixture
def pairwise() -> PairwiseSchema:
    schema = parse_schema({"kind": "pairwise"})
    assert isinstance(schema, PairwiseSchema)
    return schema


class TestPairwiseSchema:
    def test_defaults_allow_ties_and_three_strengths(self, pairwise: PairwiseSchema) -> None:
        """By default ties are allowed and strengths run 1..3."""
        assert pairwise.to_json() == {
            "kind": "pairwise",
            "allow_ties": True,
            "max_strength": 3,
            "max_rationale_chars": 2000,
            "record_display_order": False,
        }
        assert pairwise.categories == ("A", "B", "tie")

    def test_no_tie_schema_has_two_categories(self) -> None:
        """Without ties the categories are A and B."""
        assert parse_schema({"kind": "pairwise", "allow_ties": False}).categories == ("A", "B")

    def test_bad_option_is_refused(self) -> None:
        """A non-boolean allow_ties is refused, naming the option."""
        with pytest.raises(InvalidSchema, match=r"^allow_ties: input should be a valid boolean"):
            parse_schema({"kind": "pairwise", "allow_ties": "yes"})


class TestPairwiseValue:
    def test_full_value_is_canonical(self, pairwise: PairwiseSchema) -> None:
        """A choice with strength, rationale and display order comes back unchanged."""
        value = {"choice": "B", "strength": 3, "rationale": "kinder", "shown_first": "B"}
        assert pairwise.validate(value, payload=PAYLOAD) == value
        assert (
            pairwise.validate(pairwise.validate(value, payload=PAYLOAD), payload=PAYLOAD) == value
        )

    def test_null_optionals_are_dropped(self, pairwise: PairwiseSchema) -> None:
        """Optional fields given as null are left out of the canonical value."""
        value = {"choice": "tie", "strength": None, "rationale": None, "shown_first": None}
        assert pairwise.validate(value, payload=PAYLOAD) == {"choice": "tie"}

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ("A", r"^value: must be an object with a choice, got a string$"),
            ({}, r"^value\.choice: is missing$"),
            ({"choice": "C"}, r"^value\.choice: 'C' is not 'A', 'B' or 'tie'$"),
            ({"choice": "A", "strength": 4}, r"^value\.strength: 4 is outside 1\.\.3$"),
            ({"choice": "A", "strength": 0}, r"^value\.strength: 0 is outside 1\.\.3$"),
            ({"choice": "tie", "strength": 1}, r"^value\.strength: is not given with a tie$"),
            ({"choice": "A", "shown_first": "left"}, r"^value\.shown_first: 'left' is not"),
            ({"choice": "A", "rationale": 3}, r"^value\.rationale: must be a string, got an"),
            ({"choice": "A", "why": "x"}, r"^value\.why: is not a field here"),
        ],
    )
    def test_bad_values_are_refused(
        self, pairwise: PairwiseSchema, value: object, message: str
    ) -> None:
        """Malformed choices, strengths, orders and unknown keys are refused by field."""
        with pytest.raises(InvalidLabel, match=message):
            pairwise.validate(value, payload=PAYLOAD)

    def test_tie_refused_when_not_allowed(self) -> None:
        """A schema without ties refuses the tie choice."""
        schema = parse_schema({"kind": "pairwise", "allow_ties": False})
        with pytest.raises(InvalidLabel, match=r"^value\.choice: 'tie' is not 'A' or 'B'"):
            schema.validate({"choice": "tie"}, payload=PAYLOAD)

    def test_long_rationale_is_refused(self) -> None:
        """A rationale longer than the schema's cap is refused."""
        schema = parse_schema({"kind": "pairwise", "max_rationale_chars": 3})
        with pytest.raises(InvalidLabel, match=r"^value\.rationale: has 4 characters"):
            schema.validate({"choice": "A", "rationale": "four"}, payload=PAYLOAD)

    def test_display_order_required_when_recorded(self) -> None:
        """With record_display_order a value must say which response was shown first."""
        schema = parse_schema({"kind": "pairwise", "record_display_order": True})
        assert schema.validate({"choice": "A", "shown_first": "A"}, payload=PAYLOAD) == {
            "choice": "A",
            "shown_first": "A",
        }
        with pytest.raises(InvalidLabel, match=r"^value\.shown_first: is missing"):
            schema.validate({"choice": "A"}, payload=PAYLOAD)

    def test_text_cells_are_bare_choices_or_json(self, pairwise: PairwiseSchema) -> None:
        """A CSV cell "B" reads as that choice and JSON cells as objects."""
        assert pairwise.value_from_text(" B ") == {"choice": "B"}
        assert pairwise.value_from_text('{"choice": "A", "strength": 2}') == {
            "choice": "A",
            "strength": 2,
        }
        with pytest.raises(InvalidLabel, match=r"^value: is not valid JSON"):
            pairwise.value_from_text("left")


class TestPairwisePayload:
    @pytest.mark.parametrize(
        ("payload", "message"),
        [
            ({"responses": ["a", "b"]}, r"^payload\.prompt: is missing"),
            ({"prompt": 1, "responses": ["a", "b"]}, r"^payload\.prompt: must be a string"),
            ({"prompt": "p"}, r"^payload\.responses: must be a list of responses, got null"),
            ({"prompt": "p", "responses": ["a"]}, r"^payload\.responses: must hold exactly 2"),
            (
                {"prompt": "p", "responses": ["a", "b", "c"]},
                r"^payload\.responses: must hold exactly 2 responses, got 3$",
            ),
            ({"prompt": "p", "responses": ["a", {"txt": "b"}]}, r"^payload\.responses\[1\]: must"),
        ],
    )
    def test_bad_payloads_are_refused(
        self, pairwise: PairwiseSchema, payload: dict[str, Any], message: str
    ) -> None:
        """A payload without a prompt and exactly two responses is refused by field."""
        with pytest.raises(InvalidLabel, match=message):
            pairwise.validate({"choice": "A"}, payload=payload)

    def test_payload_is_required(self, pairwise: PairwiseSchema) -> None:
        """A pairwise value cannot be checked without the item's payload."""
        with pytest.raises(InvalidLabel, match=r"^payload: a pairwise label is checked"):
            pairwise.validate({"choice": "A"})
