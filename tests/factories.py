"""Builders of accounts and projects for service-level tests."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from labelshare.core.ids import placeholder_address
from labelshare.services.accounts import ensure_account
from labelshare.services.projects import create_project, set_project_status
from labelshare.store.models import Account, Item, Project

_counter = itertools.count(1)
SENTIMENT = {"kind": "classification", "classes": ["pos", "neg", "neu"]}


def new_address() -> str:
    """A fresh, valid checksum address."""
    return placeholder_address(f"test-account-{next(_counter)}")


def make_account(session: Session, *roles: str, domains: tuple[str, ...] = ()) -> Account:
    """An account with ``roles`` (annotator by default)."""
    return ensure_account(session, new_address(), roles=roles or ("annotator",), domains=domains)


def make_project(
    session: Session, *, owner: Account | None = None, active: bool = True, **terms: Any
) -> Project:
    """A project with a unique name, sentiment schema and ``terms`` overriding defaults."""
    owner = owner or make_account(session, "requester")
    spec = {"name": f"project-{next(_counter)}", "schema": SENTIMENT, "gold_rate": 0.0, **terms}
    project = create_project(session, owner, spec)
    if active:
        set_project_status(session, project, "active")
    return project


def add_items(
    session: Session, project: Project, count: int, *, gold: list[Any] | None = None
) -> list[Item]:
    """``count`` text items (the first ``len(gold)`` of them gold) added to ``project``."""
    gold = gold or []
    items = []
    for n in range(count):
        value = gold[n] if n < len(gold) else None
        item = Item(
            project_id=project.id,
            external_id=f"item-{n}",
            payload={"text": f"text number {n}"},
            gold=value,
            is_gold=value is not None,
            label_target=project.redundancy_min,
        )
        session.add(item)
        items.append(item)
    session.flush()
    return items
