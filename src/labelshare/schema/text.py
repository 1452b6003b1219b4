"""``text``: a free-text answer with a maximum length."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictInt

from labelshare.schema._base import LabelSchema
from labelshare.schema._errors import InvalidLabel
from labelshare.schema._json_fields import expect_str

MAX_LENGTH_LIMIT = 1_000_000


class TextSchema(LabelSchema):
    """Free text, e.g. ``{"kind": "text", "max_length": 280}``.

    Lengths count Unicode code points. A value made only of whitespace counts as empty.

    Attributes:
        max_length: the longest accepted answer, 1 to 1,000,000 characters.
        allow_empty: whether an empty (or all-whitespace) answer is valid.
    """

    kind: Literal["text"] = "text"
    max_length: Annotated[StrictInt, Field(ge=1, le=MAX_LENGTH_LIMIT)] = 10_000
    allow_empty: StrictBool = False

    def value_from_text(self, text: str) -> str:
        """Return the text itself: a free-text answer is written as is.

        Args:
            text: the cell's text.

        Returns:
            The text, unchanged.
        """
        return text

    def _canonical_value(self, value: Any, payload: Mapping[str, Any]) -> str:
        answer = expect_str(value, "value")
        if len(answer) > self.max_length:
            raise InvalidLabel(
                "value", f"is {len(answer)} characters long, over the maximum of {self.max_length}"
            )
        if not answer.strip() and not self.allow_empty:
            raise InvalidLabel("value", "must not be empty (the schema sets allow_empty false)")
        return answer
