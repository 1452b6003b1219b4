"""The registry of label-schema kinds and ``parse_schema``.

A new kind (pairwise, ranking, rubric ...) is one module defining a ``LabelSchema``
subclass with a ``kind: Literal[...]`` field, plus its class in ``_KIND_CLASSES``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from labelshare.schema._base import LabelSchema
from labelshare.schema._errors import InvalidSchema
from labelshare.schema._json_fields import describe, name_choices
from labelshare.schema.bbox import BboxSchema
from labelshare.schema.classification import ClassificationSchema
from labelshare.schema.multilabel import MultilabelSchema
from labelshare.schema.pairwise import PairwiseSchema
from labelshare.schema.ranking import RankingSchema
from labelshare.schema.rating import RatingSchema
from labelshare.schema.rubric import RubricSchema
from labelshare.schema.spans import SpansSchema
from labelshare.schema.text import TextSchema

_KIND_CLASSES: tuple[type[LabelSchema], ...] = (
    ClassificationSchema,
    MultilabelSchema,
    RatingSchema,
    SpansSchema,
    BboxSchema,
    TextSchema,
    PairwiseSchema,
    RankingSchema,
    RubricSchema,
)

SCHEMA_KINDS: dict[str, type[LabelSchema]] = {
    cls.model_fields["kind"].default: cls for cls in _KIND_CLASSES
}
"""Every kind's name mapped to its schema class."""


def parse_schema(data: Mapping[str, Any] | str | bytes) -> LabelSchema:
    """Build a label schema from its JSON definition.

    Args:
        data: the definition, e.g. ``{"kind": "classification", "classes": ["pos", "neg"]}``,
            as a mapping or as JSON text.

    Returns:
        The schema of the named kind; its ``to_json()`` gives ``data`` back with defaults.

    Raises:
        InvalidSchema: the definition is not an object, names no known kind, or one of
            its options is missing or bad (``field`` names the option).
    """
    if isinstance(data, str | bytes):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InvalidSchema("schema", f"is not valid JSON ({exc})") from exc
    if not isinstance(data, Mapping):
        raise InvalidSchema("schema", f"must be a JSON object, got {describe(data)}")
    known = name_choices(tuple(SCHEMA_KINDS))
    if "kind" not in data:
        raise InvalidSchema("kind", f"is missing; expected one of {known}")
    kind = data["kind"]
    if not isinstance(kind, str) or kind not in SCHEMA_KINDS:
        raise InvalidSchema("kind", f"unknown kind {kind!r}; expected one of {known}")
    try:
        return SCHEMA_KINDS[kind].model_validate(dict(data))
    except ValidationError as exc:
        raise _to_invalid_schema(exc.errors(include_url=False)[0]) from exc


def _to_invalid_schema(error: ErrorDetails) -> InvalidSchema:
    field = ""
    for part in error["loc"]:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else part)
    if error["type"] == "missing":
        reason = "is missing"
    elif error["type"] == "extra_forbidden":
        reason = "is not an option of this kind"
    elif error["type"] == "too_short":
        minimum = error.get("ctx", {}).get("min_length")
        reason = f"needs at least {minimum} entries, got {error['input']!r}"
    elif error["type"] == "value_error":
        reason = str(error.get("ctx", {}).get("error", error["msg"]))
    else:
        reason = f"{error['msg'][:1].lower()}{error['msg'][1:]}, got {error['input']!r}"
    return InvalidSchema(field or "schema", reason)
