"""Listing a project's items and marking some of them as gold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.errors import InvalidInput, UnknownItem
from labelshare.schema import InvalidLabel
from labelshare.services.projects import project_schema
from labelshare.store.models import Item, Project


def list_items(
    session: Session,
    project: Project,
    *,
    after_id: int = 0,
    limit: int = 50,
    is_gold: bool | None = None,
    min_labels: int | None = None,
    max_labels: int | None = None,
    external_id: str | None = None,
) -> Sequence[Item]:
    """The project's items by id, after ``after_id`` (keyset pages), filtered.

    Args:
        is_gold: only gold (True) or only regular (False) items.
        min_labels, max_labels: bounds on the number of labels, inclusive.
        external_id: only the item with this id from the imported file.
    """
    query = select(Item).where(Item.project_id == project.id, Item.id > after_id)
    if is_gold is not None:
        query = query.where(Item.is_gold == is_gold)
    if min_labels is not None:
        query = query.where(Item.n_labels >= min_labels)
    if max_labels is not None:
        query = query.where(Item.n_labels <= max_labels)
    if external_id is not None:
        query = query.where(Item.external_id == external_id)
    return session.scalars(query.order_by(Item.id).limit(limit)).all()


def set_gold(session: Session, project: Project, answers: Mapping[str, Any]) -> int:
    """Give items (by external id) their gold answer; all or nothing.

    Returns:
        How many items were changed.

    Raises:
        UnknownItem: an external id is not in the project.
        InvalidInput: an answer the project's schema rejects (field ``gold.<id>``).
    """
    items = {
        item.external_id: item
        for item in session.scalars(
            select(Item).where(Item.project_id == project.id, Item.external_id.in_(list(answers)))
        )
    }
    schema = project_schema(project)
    for external_id, value in answers.items():
        item = items.get(external_id)
        if item is None:
            raise UnknownItem(f"gold: no item {external_id!r} in project {project.name!r}")
        try:
            item.gold = schema.validate(value, payload=item.payload)
        except InvalidLabel as exc:
            field = f"gold.{external_id}"
            raise InvalidInput(f"{field}: {exc.reason}", field=field) from exc
        item.is_gold = True
    session.flush()
    return len(answers)
