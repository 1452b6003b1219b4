"""The base class every label-schema kind derives from."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from labelshare.schema._errors import InvalidLabel
from labelshare.schema._json_fields import describe


class LabelSchema(BaseModel, ABC):
    """A label schema: which values an annotation of a project may take.

    Concrete kinds are frozen pydantic models (one module each) whose fields are the
    schema's options; ``parse_schema`` picks the kind by the ``kind`` key. A kind
    implements ``_canonical_value`` and, when its values refer to the item (text
    offsets, pixel boxes), sets ``needs_payload`` and implements ``_check_payload``.

    Attributes:
        kind: the kind's name, e.g. ``"classification"``.
        needs_payload: whether values are checked against the item's payload.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    needs_payload: ClassVar[bool] = False

    def validate(  # type: ignore[override]  # BaseModel.validate is pydantic v1's deprecated classmethod; this name is the schema API
        self, value: Any, *, payload: Mapping[str, Any] | None = None
    ) -> Any:
        """Check a label value and return its canonical form.

        The canonical form is what is stored, hashed and signed: e.g. multilabel
        classes sorted, spans sorted by start, integral box coordinates as ints.
        Validating a canonical value returns it unchanged.

        Args:
            value: the label as parsed JSON.
            payload: the item's payload; required by kinds whose values refer to it
                (spans need its text, bbox its image size).

        Returns:
            The canonical value.

        Raises:
            InvalidLabel: the value (field ``value...``) or the payload (field
                ``payload...``) is not acceptable; the message names field and reason.
        """
        if self.needs_payload:
            if payload is None:
                raise InvalidLabel(
                    "payload",
                    f"a {self.kind} label is checked against the item's payload; none given",
                )
            self.validate_payload(payload)
        return self._canonical_value(value, payload if payload is not None else {})

    def validate_payload(self, payload: Mapping[str, Any]) -> None:
        """Check that an item's payload carries what labels of this kind refer to.

        Args:
            payload: the item's payload.

        Raises:
            InvalidLabel: the payload is not an object, or lacks a needed field (field
                ``payload.<key>``).
        """
        if not isinstance(payload, Mapping):
            raise InvalidLabel("payload", f"must be an object, got {describe(payload)}")
        self._check_payload(payload)

    @property
    def categories(self) -> tuple[str, ...] | None:
        """The categories of a categorical kind, in schema order; None for other kinds."""
        return None

    def to_json(self) -> dict[str, Any]:
        """Return the schema as a JSON object that ``parse_schema`` reads back unchanged.

        Returns:
            A dict with ``kind`` and every option, defaults included.
        """
        return self.model_dump(mode="json")

    def value_from_text(self, text: str) -> Any:
        """Turn a label written as text (a CSV cell) into a raw value for ``validate``.

        The default reads JSON, for kinds whose values are lists or objects; kinds
        whose values are strings or integers override it.

        Args:
            text: the cell's text.

        Returns:
            The raw, not yet validated value.

        Raises:
            InvalidLabel: the text cannot be read as a value of this kind.
        """
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvalidLabel("value", f"is not valid JSON ({exc.msg})") from exc

    def _check_payload(self, payload: Mapping[str, Any]) -> None:
        """Check the payload fields this kind needs; kinds without needs accept any."""

    @abstractmethod
    def _canonical_value(self, value: Any, payload: Mapping[str, Any]) -> Any:
        """Check ``value`` (the payload is already checked) and return its canonical form."""
