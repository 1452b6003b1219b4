"""``pairwise``: which of two responses to a prompt is better.

The item's payload is ``{"prompt": str, "responses": [A, B]}`` (see
``labelshare.schema._responses``). The value is an object::

    {"choice": "A" | "B" | "tie", "strength": 1..max_strength, "rationale": str,
     "shown_first": "A" | "B"}

``choice`` is required; ``tie`` only when the schema allows ties. ``strength`` (how
clear the preference is; not given with a tie) and ``rationale`` are optional.
``shown_first`` records which response the annotator saw on the left (first): the
workspace shuffles the order per annotator and stores it here, so that a per-annotator
position bias can be measured; it is required when the schema sets
``record_display_order``. ``choice`` always names the response by its place in the
payload (A = ``responses[0]``), never by where it was shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StrictBool, StrictInt

from labelshare.schema._base import LabelSchema
from labelshare.schema._errors import InvalidLabel
from labelshare.schema._json_fields import describe, expect_int, expect_str
from labelshare.schema._responses import check_responses

SIDES = ("A", "B")
"""The two responses, in payload order."""

TIE = "tie"
"""The choice that prefers neither response."""

_VALUE_KEYS = ("choice", "strength", "rationale", "shown_first")


class PairwiseSchema(LabelSchema):
    """A choice between responses A and B, e.g. ``{"kind": "pairwise", "allow_ties": true}``.

    Attributes:
        allow_ties: whether ``"tie"`` is an acceptable choice.
        max_strength: the highest strength of preference (strengths are 1..this).
        max_rationale_chars: the longest rationale accepted, in characters.
        record_display_order: whether every value must carry ``shown_first``.
    """

    kind: Literal["pairwise"] = "pairwise"
    needs_payload: ClassVar[bool] = True
    allow_ties: StrictBool = True
    max_strength: Annotated[StrictInt, Field(ge=1, le=10)] = 3
    max_rationale_chars: Annotated[StrictInt, Field(ge=0, le=100_000)] = 2000
    record_display_order: StrictBool = False

    @property
    def categories(self) -> tuple[str, ...]:
        """The choices: ``("A", "B", "tie")``, or ``("A", "B")`` without ties."""
        return (*SIDES, TIE) if self.allow_ties else SIDES

    def value_from_text(self, text: str) -> Any:
        """Read ``A``, ``B`` or ``tie`` as a bare choice, anything else as JSON.

        Args:
            text: the cell's text, e.g. ``"B"`` or ``'{"choice": "B", "strength": 2}'``.

        Returns:
            The raw, not yet validated value.

        Raises:
            InvalidLabel: the text is neither a choice nor valid JSON.
        """
        stripped = text.strip()
        if stripped in self.categories:
            return {"choice": stripped}
        return super().value_from_text(text)

    def _check_payload(self, payload: Mapping[str, Any]) -> None:
        check_responses(payload, at_least=2, at_most=2)

    def _canonical_value(self, value: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            raise InvalidLabel("value", f"must be an object with a choice, got {describe(value)}")
        for key in value:
            if key not in _VALUE_KEYS:
                raise InvalidLabel(
                    f"value.{key}", f"is not a field here (expected {', '.join(_VALUE_KEYS)})"
                )
        if "choice" not in value:
            raise InvalidLabel("value.choice", "is missing")
        choice = expect_str(value["choice"], "value.choice")
        if choice not in self.categories:
            allowed = "'A', 'B' or 'tie'" if self.allow_ties else "'A' or 'B' (no ties)"
            raise InvalidLabel("value.choice", f"{choice!r} is not {allowed}")
        canonical: dict[str, Any] = {"choice": choice}
        if value.get("strength") is not None:
            if choice == TIE:
                raise InvalidLabel("value.strength", "is not given with a tie")
            strength = expect_int(value["strength"], "value.strength")
            if not 1 <= strength <= self.max_strength:
                raise InvalidLabel(
                    "value.strength", f"{strength} is outside 1..{self.max_strength}"
                )
            canonical["strength"] = strength
        if value.get("rationale") is not None:
            rationale = expect_str(value["rationale"], "value.rationale")
            if len(rationale) > self.max_rationale_chars:
                raise InvalidLabel(
                    "value.rationale",
                    f"has {len(rationale)} characters, more than {self.max_rationale_chars}",
                )
            canonical["rationale"] = rationale
        if value.get("shown_first") is not None:
            shown_first = expect_str(value["shown_first"], "value.shown_first")
            if shown_first not in SIDES:
                raise InvalidLabel("value.shown_first", f"{shown_first!r} is not 'A' or 'B'")
            canonical["shown_first"] = shown_first
        elif self.record_display_order:
            raise InvalidLabel(
                "value.shown_first", "is missing; this schema records the display order"
            )
        return canonical
