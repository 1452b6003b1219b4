"""Known answers for the rubric kind (a score per criterion)."""

from __future__ import annotations

import pytest

from labelshare.schema import InvalidLabel, InvalidSchema, RubricSchema, parse_schema

HHH = ["helpfulness", "harmlessness", "honesty"]


@pytest.fixture
def rubric() -> RubricSchema:
    schema = parse_schema({"kind": "rubric", "criteria": HHH})
    assert isinstance(schema, RubricSchema)
    return schema


class TestRubricSchema:
    def test_defaults_are_a_one_to_five_scale(self, rubric: RubricSchema) -> None:
        """Scores run 1..5 unless the schema says otherwise."""
        assert rubric.to_json() == {
            "kind": "rubric",
            "criteria": HHH,
            "min_score": 1,
            "max_score": 5,
        }

    @pytest.mark.parametrize(
        ("definition", "message"),
        [
            ({"criteria": []}, r"^criteria: needs at least 1 entries"),
            ({"criteria": ["a", "a"]}, r"^criteria: 'a' appears twice"),
            ({"criteria": ["a"], "min_score": 3, "max_score": 3}, r"max_score 3 must be above"),
        ],
    )
    def test_bad_definitions_are_refused(self, definition: dict[str, object], message: str) -> None:
        """Empty or repeated criteria and an empty scale are refused."""
        with pytest.raises(InvalidSchema, match=message):
            parse_schema({"kind": "rubric", **definition})


class TestRubricValue:
    def test_every_criterion_scored_is_accepted(self, rubric: RubricSchema) -> None:
        """Scores for every criterion come back in criterion order."""
        value = {"honesty": 3, "helpfulness": 5, "harmlessness": 1}
        assert list(rubric.validate(value)) == HHH
        assert rubric.validate(value) == value

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ([5, 5, 5], r"^value: must be an object of scores per criterion, got a list$"),
            ({"helpfulness": 5, "honesty": 3}, r"^value\.harmlessness: is missing"),
            ({"helpfulness": 6, "harmlessness": 1, "honesty": 1}, r"score 6 is outside 1\.\.5"),
            ({"helpfulness": 2.5, "harmlessness": 1, "honesty": 1}, r"must be an integer"),
            ({"helpfulness": 1, "harmlessness": 1, "honesty": 1, "tone": 1}, r"^value\.tone:"),
        ],
    )
    def test_bad_values_are_refused(
        self, rubric: RubricSchema, value: object, message: str
    ) -> None:
        """Missing, out-of-scale, non-integer and unknown criteria are refused by field."""
        with pytest.raises(InvalidLabel, match=message):
            rubric.validate(value)
