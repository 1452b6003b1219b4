"""Bodies shared by every feature: errors and keyset pages."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


class ErrorBody(BaseModel):
    """Every error: the error class, a sentence naming the field, and the field."""

    error: str
    detail: str
    field: str | None = None


class Page(BaseModel, Generic[T]):
    """One page of a list ordered by id; pass ``next_after`` as ``after`` for the next."""

    items: list[T]
    next_after: int | None


MAX_ID = 2**62
"""Ids above this are refused before they reach a database that cannot hold them."""
