"""parse_schema: picking the kind and reporting bad definitions."""

from __future__ import annotations

import pytest

from labelshare.schema import SCHEMA_KINDS, ClassificationSchema, InvalidSchema, parse_schema


class TestParseSchema:
    def test_every_kind_is_registered(self) -> None:
        """The kinds of the design are registered under their names."""
        assert set(SCHEMA_KINDS) == {
            "classification",
            "multilabel",
            "rating",
            "spans",
            "bbox",
            "text",
            "pairwise",
            "ranking",
            "rubric",
        }

    def test_json_text_is_accepted(self) -> None:
        """A definition given as JSON text parses like the mapping."""
        schema = parse_schema('{"kind": "classification", "classes": ["a", "b"]}')
        assert schema == ClassificationSchema(classes=("a", "b"))

    def test_defaults_appear_in_to_json(self) -> None:
        """to_json lists every option, defaults included."""
        assert parse_schema({"kind": "spans", "tags": ["X"]}).to_json() == {
            "kind": "spans",
            "tags": ["X"],
            "allow_overlap": False,
            "allow_empty": True,
            "text_field": "text",
        }

    @pytest.mark.parametrize(
        ("definition", "message"),
        [
            ({"classes": ["a", "b"]}, r"^kind: is missing; expected one of 'classification'"),
            ({"kind": "triplet"}, r"^kind: unknown kind 'triplet'; expected one of"),
            ({"kind": 3}, r"^kind: unknown kind 3"),
            ({"kind": "multilabel"}, r"^classes: is missing$"),
            ({"kind": "bbox", "classes": ["a"], "colour": "red"}, r"^colour: is not an option"),
            ({"kind": "spans", "tags": ["a", " "]}, r"^tags: entry 1 is blank$"),
            (
                {"kind": "text", "allow_empty": "yes"},
                r"^allow_empty: input should be a valid boolean",
            ),
            (["classification"], r"^schema: must be a JSON object, got a list$"),
            ("{not json", r"^schema: is not valid JSON"),
        ],
    )
    def test_bad_definitions_name_the_field(self, definition: object, message: str) -> None:
        """Every bad definition is refused with the field and the reason."""
        with pytest.raises(InvalidSchema, match=message):
            parse_schema(definition)  # type: ignore[arg-type]  # bad input on purpose

    def test_schemas_are_immutable(self) -> None:
        """A parsed schema cannot be changed in place."""
        schema = parse_schema({"kind": "rating", "max_rating": 3})
        with pytest.raises(ValueError, match="frozen"):
            schema.max_rating = 4  # type: ignore[attr-defined]  # assignment must fail
