"""``rating``: an integer from 1 to K (ordinal)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, StrictInt

from labelshare.schema._base import LabelSchema
from labelshare.schema._errors import InvalidLabel
from labelshare.schema._json_fields import expect_int

# Wider scales are better served by a text or numeric kind; the cap also bounds
# ``categories``, which the quality engine turns into arrays.
MAX_RATING_LIMIT = 100

_INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")


class RatingSchema(LabelSchema):
    """An integer rating 1..K, e.g. ``{"kind": "rating", "max_rating": 5}``.

    Attributes:
        max_rating: K, the highest rating, from 2 to 100.
    """

    kind: Literal["rating"] = "rating"
    max_rating: Annotated[StrictInt, Field(ge=2, le=MAX_RATING_LIMIT)]

    @property
    def categories(self) -> tuple[str, ...]:
        """The ratings as strings ``"1"`` .. ``"K"``."""
        return tuple(str(rating) for rating in range(1, self.max_rating + 1))

    def value_from_text(self, text: str) -> int:
        """Read a rating written as a decimal integer.

        Args:
            text: the cell's text, e.g. ``"4"``.

        Returns:
            The integer (not yet checked against 1..K).

        Raises:
            InvalidLabel: the text is not a decimal integer.
        """
        stripped = text.strip()
        if not _INTEGER_TEXT.fullmatch(stripped):
            raise InvalidLabel("value", f"{text!r} is not an integer")
        return int(stripped)

    def _canonical_value(self, value: Any, payload: Mapping[str, Any]) -> int:
        rating = expect_int(value, "value")
        if not 1 <= rating <= self.max_rating:
            raise InvalidLabel("value", f"rating {rating} is outside 1..{self.max_rating}")
        return rating
