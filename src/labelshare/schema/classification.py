"""``classification``: one of N classes; the value is the class name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field

from labelshare.schema._base import LabelSchema
from labelshare.schema._errors import InvalidLabel
from labelshare.schema._json_fields import expect_str, name_choices
from labelshare.schema._names import NameList


class ClassificationSchema(LabelSchema):
    """One of N classes, e.g. ``{"kind": "classification", "classes": ["pos", "neg"]}``.

    Attributes:
        classes: the class names, at least two, distinct and non-blank.
    """

    kind: Literal["classification"] = "classification"
    classes: Annotated[NameList, Field(min_length=2)]

    @property
    def categories(self) -> tuple[str, ...]:
        """The classes, in schema order."""
        return self.classes

    def value_from_text(self, text: str) -> str:
        """Return the text itself: a class name is written as is.

        Args:
            text: the cell's text.

        Returns:
            The text, unchanged.
        """
        return text

    def _canonical_value(self, value: Any, payload: Mapping[str, Any]) -> str:
        name = expect_str(value, "value")
        if name not in self.classes:
            raise InvalidLabel(
                "value", f"{name!r} is not a class; expected one of {name_choices(self.classes)}"
            )
        return name
