"""The Label Studio labelling config built from a schema."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any, Literal

import pytest
from hypothesis import assume, given

from labelshare.io import ExportItem, labelstudio_config, write_export
from labelshare.schema import LabelSchema, parse_schema
from tests.strategies import LabelCase, any_valid_cases

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def tags_by_name(config: str) -> dict[str, ET.Element]:
    return {
        element.attrib["name"]: element
        for element in ET.fromstring(config)
        if "name" in element.attrib
    }


class TestLabelStudioConfig:
    @given(any_valid_cases)
    def test_exported_regions_point_at_tags_of_the_config(self, case: LabelCase) -> None:
        """Every exported region's from_name and to_name are tags of the schema's config."""
        names = [*getattr(case.schema, "classes", ()), *getattr(case.schema, "tags", ())]
        assume(not any(NOT_XML.search(name) for name in names))
        value = case.schema.validate(case.value, payload=case.payload)
        out = io.StringIO()
        write_export(
            [ExportItem("1", case.payload, value, ())],
            out,
            format="labelstudio",
            schema=case.schema,
        )
        tags = tags_by_name(labelstudio_config(case.schema))
        for region in json.loads(out.getvalue())[0]["annotations"][0]["result"]:
            assert tags[region["to_name"]].tag in ("Text", "Image")
            assert tags[region["from_name"]].attrib["toName"] == region["to_name"]

    def test_choices_list_the_classes_escaped(self) -> None:
        """Class names are written as escaped Choice values, single choice for classification."""
        schema = parse_schema({"kind": "classification", "classes": ['a"<', "b"]})
        choices = tags_by_name(labelstudio_config(schema, data_key="review"))["label"]
        assert choices.attrib["choice"] == "single"
        assert [c.attrib["value"] for c in choices] == ['a"<', "b"]
        assert (
            tags_by_name(labelstudio_config(schema, data_key="review"))["text"].attrib["value"]
            == "$review"
        )

    def test_image_items_show_an_image(self, sentiment: LabelSchema) -> None:
        """With data_key image, the object tag is an Image."""
        assert tags_by_name(labelstudio_config(sentiment, data_key="image"))["image"].tag == "Image"

    def test_names_xml_cannot_hold_are_refused(self) -> None:
        """A class name with a NUL character cannot go into a config and is refused."""
        schema = parse_schema({"kind": "multilabel", "classes": ["a\x00b"]})
        with pytest.raises(ValueError, match="cannot hold"):
            labelstudio_config(schema)

    def test_unknown_kinds_are_refused(self) -> None:
        """A kind without a Label Studio form is refused."""
        with pytest.raises(ValueError, match="kind 'sketch' has no Label Studio form"):
            labelstudio_config(SketchSchema())


class SketchSchema(LabelSchema):
    """A kind added outside the registry, with no Label Studio form."""

    kind: Literal["sketch"] = "sketch"

    def _canonical_value(self, value: Any, payload: Mapping[str, Any]) -> Any:
        return value
