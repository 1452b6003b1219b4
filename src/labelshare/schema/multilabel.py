"""``multilabel``: any subset of N classes; the value is the sorted list of class names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool

from labelshare.schema._base import LabelSchema
from labelshare.schema._errors import InvalidLabel
from labelshare.schema._json_fields import expect_list, expect_str, name_choices
from labelshare.schema._names import NameList


class MultilabelSchema(LabelSchema):
    """Any subset of the classes, e.g. ``["news", "sport"]``.

    The canonical value is the list sorted by code point; a class named twice is an
    error rather than silently merged, so what an annotator signed is what is stored.

    Attributes:
        classes: the class names, at least one, distinct and non-blank.
        allow_empty: whether the empty list (no class applies) is a valid answer.
    """

    kind: Literal["multilabel"] = "multilabel"
    classes: Annotated[NameList, Field(min_length=1)]
    allow_empty: StrictBool = False

    @property
    def categories(self) -> tuple[str, ...]:
        """The classes, in schema order."""
        return self.classes

    def _canonical_value(self, value: Any, payload: Mapping[str, Any]) -> list[str]:
        names = expect_list(value, "value")
        first_index: dict[str, int] = {}
        for index, element in enumerate(names):
            field = f"value[{index}]"
            name = expect_str(element, field)
            if name not in self.classes:
                raise InvalidLabel(
                    field, f"{name!r} is not a class; expected one of {name_choices(self.classes)}"
                )
            if name in first_index:
                raise InvalidLabel(
                    field, f"{name!r} is named twice (also at index {first_index[name]})"
                )
            first_index[name] = index
        if not names and not self.allow_empty:
            raise InvalidLabel(
                "value", "must name at least one class (the schema sets allow_empty false)"
            )
        return sorted(first_index)
