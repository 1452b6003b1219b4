"""The option type shared by kinds that list names (classes, tags)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StrictStr


def _check_names(names: tuple[str, ...]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name.strip():
            raise ValueError(f"entry {index} is blank")
        if name in seen:
            raise ValueError(f"{name!r} appears twice (entries {seen[name]} and {index})")
        seen[name] = index
    return names


NameList = Annotated[tuple[StrictStr, ...], AfterValidator(_check_names)]
"""A list of distinct, non-blank names, kept in the order given."""
