"""Known answers for the classification kind."""

from __future__ import annotations

import pytest

from labelshare.schema import ClassificationSchema, InvalidLabel, InvalidSchema, parse_schema


@pytest.fixture
def sentiment() -> ClassificationSchema:
    schema = parse_schema({"kind": "classification", "classes": ["pos", "neg", "neu"]})
    assert isinstance(schema, ClassificationSchema)
    return schema


class TestClassificationSchema:
    def test_categories_are_the_classes_in_order(self, sentiment: ClassificationSchema) -> None:
        """The categories of a classification are its classes, in schema order."""
        assert sentiment.kind == "classification"
        assert sentiment.categories == ("pos", "neg", "neu")

    def test_a_single_class_is_refused(self) -> None:
        """A classification with one class is refused, naming the classes field."""
        with pytest.raises(InvalidSchema, match=r"^classes: needs at least 2 entries"):
            parse_schema({"kind": "classification", "classes": ["pos"]})

    def test_duplicate_classes_are_refused(self) -> None:
        """A class listed twice is refused with both positions."""
        with pytest.raises(
            InvalidSchema, match=r"classes: 'pos' appears twice \(entries 0 and 2\)"
        ):
            parse_schema({"kind": "classification", "classes": ["pos", "neg", "pos"]})

    def test_non_string_class_is_refused(self) -> None:
        """A class that is not a string is refused at its index."""
        with pytest.raises(InvalidSchema, match=r"^classes\[1\]: input should be a valid string"):
            parse_schema({"kind": "classification", "classes": ["pos", 2]})


class TestClassificationValue:
    def test_a_class_is_its_own_canonical_value(self, sentiment: ClassificationSchema) -> None:
        """A class name validates to itself."""
        assert sentiment.validate("neg") == "neg"

    def test_an_unknown_class_is_refused(self, sentiment: ClassificationSchema) -> None:
        """A name outside the classes is refused, listing the classes."""
        with pytest.raises(
            InvalidLabel, match=r"^value: 'good' is not a class; expected one of 'pos'"
        ):
            sentiment.validate("good")

    def test_text_cells_are_taken_as_class_names(self, sentiment: ClassificationSchema) -> None:
        """A CSV cell is read as the class name itself, digits included."""
        assert sentiment.value_from_text("1") == "1"

    def test_a_non_string_is_refused(self, sentiment: ClassificationSchema) -> None:
        """An integer is not a class name."""
        with pytest.raises(InvalidLabel, match=r"^value: must be a string, got an integer$"):
            sentiment.validate(1)
