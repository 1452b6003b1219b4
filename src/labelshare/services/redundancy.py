"""Adaptive redundancy: ask for more labels only where annotators disagree.

An item starts with a label target equal to the project's minimum redundancy. Once it
has that many labels, it gets one more slot (up to the maximum) unless its labels
already settle it. ``labelshare.quality`` refines "settle" with posteriors; the rule
here is the one that needs no model: every current label agrees.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from labelshare.schema import canonical_json
from labelshare.store.models import Annotation, Item, Project


def current_values(session: Session, item_id: int) -> list[object]:
    """The item's current labels: each annotator's latest, corrections applied."""
    later = aliased(Annotation)
    rows = session.scalars(
        select(Annotation.value)
        .outerjoin(later, later.supersedes_id == Annotation.id)
        .where(Annotation.item_id == item_id, later.id.is_(None))
        .order_by(Annotation.id)
    ).all()
    return list(rows)


def update_label_target(session: Session, project: Project, item: Item) -> int:
    """Raise ``item``'s label target by one if it is due and its labels disagree.

    Returns:
        The item's label target after the decision.
    """
    if item.is_gold or item.n_labels < item.label_target:
        return item.label_target
    if item.label_target >= project.redundancy_max:
        return item.label_target
    distinct = {canonical_json(value) for value in current_values(session, item.id)}
    if len(distinct) <= 1:
        return item.label_target
    session.execute(
        update(Item)
        .where(Item.id == item.id, Item.label_target < project.redundancy_max)
        .values(label_target=Item.label_target + 1)
    )
    session.refresh(item)
    return item.label_target
