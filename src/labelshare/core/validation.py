"""Turn pydantic's validation errors into ``InvalidInput`` naming the first bad field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from labelshare.errors import InvalidInput

ModelT = TypeVar("ModelT", bound=BaseModel)


def field_path(loc: tuple[int | str, ...]) -> str:
    """Render a pydantic error location as a dotted path (``redundancy.min``, ``items[2]``)."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "body"


def validate_model(model: type[ModelT], data: Mapping[str, Any]) -> ModelT:
    """Validate ``data`` into ``model``.

    Raises:
        InvalidInput: for the first error, with ``field`` set to its dotted path.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        field = field_path(tuple(first["loc"]))
        message = first["msg"]
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        raise InvalidInput(f"{field}: {message}", field=field) from exc
