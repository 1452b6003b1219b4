"""Typed dependencies: the request's unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from labelshare.store.session import unit_of_work


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: commit at the end, roll back on error."""
    with unit_of_work(request.app.state.sessions) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
