"""``ranking``: a full order of N responses to a prompt, best first.

The item's payload is ``{"prompt": str, "responses": [r0, r1, ...]}`` (see
``labelshare.schema._responses``). The value is an object::

    {"order": [i, j, ...], "shown_order": [k, l, ...]}

``order`` lists every response index (0-based, into ``payload.responses``) exactly
once, best first. ``shown_order`` records the order in which the workspace displayed
the responses to this annotator (also a permutation), so that position bias can be
measured; it is required when the schema sets ``record_display_order``. A bare list
``[i, j, ...]`` is read as ``{"order": [i, j, ...]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StrictBool, StrictInt

from labelshare.schema._base import LabelSchema
from labelshare.schema._errors import InvalidLabel
from labelshare.schema._json_fields import describe, expect_int, expect_list
from labelshare.schema._responses import check_responses

_VALUE_KEYS = ("order", "shown_order")


class RankingSchema(LabelSchema):
    """A permutation of an item's responses, e.g. ``{"kind": "ranking"}``.

    Attributes:
        min_responses: the fewest responses an item may carry (at least 2).
        max_responses: the most responses an item may carry.
        record_display_order: whether every value must carry ``shown_order``.
    """

    kind: Literal["ranking"] = "ranking"
    needs_payload: ClassVar[bool] = True
    min_responses: Annotated[StrictInt, Field(ge=2, le=100)] = 2
    max_responses: Annotated[StrictInt, Field(ge=2, le=100)] = 20
    record_display_order: StrictBool = False

    def _check_payload(self, payload: Mapping[str, Any]) -> None:
        check_responses(payload, at_least=self.min_responses, at_most=self.max_responses)

    def _canonical_value(self, value: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
        if isinstance(value, list | tuple):
            value = {"order": value}
        if not isinstance(value, Mapping):
            raise InvalidLabel(
                "value", f"must be an object with an order (or a list), got {describe(value)}"
            )
        for key in value:
            if key not in _VALUE_KEYS:
                raise InvalidLabel(
                    f"value.{key}", f"is not a field here (expected {', '.join(_VALUE_KEYS)})"
                )
        if "order" not in value:
            raise InvalidLabel("value.order", "is missing")
        count = len(payload["responses"])
        canonical: dict[str, Any] = {"order": _permutation(value["order"], count, "value.order")}
        if value.get("shown_order") is not None:
            canonical["shown_order"] = _permutation(
                value["shown_order"], count, "value.shown_order"
            )
        elif self.record_display_order:
            raise InvalidLabel(
                "value.shown_order", "is missing; this schema records the display order"
            )
        return canonical


def _permutation(raw: Any, count: int, field: str) -> list[int]:
    """Check that ``raw`` lists 0..count-1 each exactly once; return it as ints."""
    entries = expect_list(raw, field)
    if len(entries) != count:
        raise InvalidLabel(
            field, f"must list all {count} responses exactly once, got {len(entries)} entries"
        )
    seen: dict[int, int] = {}
    for position, entry in enumerate(entries):
        index = expect_int(entry, f"{field}[{position}]")
        if not 0 <= index < count:
            raise InvalidLabel(
                f"{field}[{position}]", f"response index {index} is outside 0..{count - 1}"
            )
        if index in seen:
            raise InvalidLabel(
                f"{field}[{position}]",
                f"response {index} appears twice (positions {seen[index]} and {position})",
            )
        seen[index] = position
    return list(seen)
