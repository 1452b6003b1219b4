"""Properties that hold for every label-schema kind (Hypothesis)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelshare.schema import InvalidLabel, LabelSchema, canonical_json, parse_schema
from tests.strategies import (
    BadLabelCase,
    LabelCase,
    any_schemas,
    invalid_cases_by_kind,
    valid_cases_by_kind,
)

KINDS = sorted(valid_cases_by_kind)


class TestValidValues:
    @pytest.mark.parametrize("kind", KINDS)
    @given(data=st.data())
    def test_valid_value_validates_to_a_fixed_point(self, kind: str, data: st.DataObject) -> None:
        """Every valid value validates, and validating its canonical form changes nothing."""
        case: LabelCase = data.draw(valid_cases_by_kind[kind])
        canonical = case.schema.validate(case.value, payload=case.payload)
        again = case.schema.validate(canonical, payload=case.payload)
        assert again == canonical
        assert canonical_json(again) == canonical_json(canonical)

    @pytest.mark.parametrize("kind", ["multilabel", "spans", "bbox"])
    @given(data=st.data())
    def test_list_order_does_not_change_the_canonical_value(
        self, kind: str, data: st.DataObject
    ) -> None:
        """A list-valued label gives the same canonical value whatever order its entries come in."""
        case: LabelCase = data.draw(valid_cases_by_kind[kind])
        shuffled = list(case.value)
        random.Random(data.draw(st.integers())).shuffle(shuffled)
        first = case.schema.validate(case.value, payload=case.payload)
        assert case.schema.validate(shuffled, payload=case.payload) == first


class TestInvalidValues:
    @pytest.mark.parametrize("kind", KINDS)
    @given(data=st.data())
    def test_each_fault_is_rejected_naming_its_field(self, kind: str, data: st.DataObject) -> None:
        """A valid value with one fault put in is rejected naming that fault's field."""
        case: BadLabelCase = data.draw(invalid_cases_by_kind[kind])
        with pytest.raises(InvalidLabel) as caught:
            case.schema.validate(case.value, payload=case.payload)
        assert caught.value.field == case.field
        assert str(caught.value) == f"{case.field}: {caught.value.reason}"
        assert caught.value.reason


class TestSchemaJson:
    @given(any_schemas)
    def test_to_json_round_trips_through_parse_schema(self, schema: LabelSchema) -> None:
        """A schema's JSON form parses back to an equal schema."""
        parsed = parse_schema(schema.to_json())
        assert parsed == schema
        assert parsed.to_json() == schema.to_json()

    @given(any_schemas)
    def test_to_json_survives_text_encoding(self, schema: LabelSchema) -> None:
        """A schema's JSON form, written as JSON text, parses back to an equal schema."""
        assert parse_schema(canonical_json(schema.to_json())) == schema
