"""Progress figures of a project, computed in the database."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from labelshare.store.models import Annotation, Item, Project


@dataclass(frozen=True)
class ProjectProgress:
    """How far a project's labelling has come.

    Attributes:
        items: all items, gold included.
        gold_items: items with a hidden gold answer.
        labels: annotations stored, corrections included.
        items_done: regular items that reached their label target.
        fraction_done: ``items_done`` over regular items (1.0 when there are none).
    """

    items: int
    gold_items: int
    labels: int
    items_done: int
    fraction_done: float


def project_progress(session: Session, project: Project) -> ProjectProgress:
    """Count the project's items, labels and finished items."""
    items, gold_items, items_done = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(case((Item.is_gold, 1), else_=0)), 0),
            func.coalesce(
                func.sum(
                    case(((~Item.is_gold) & (Item.n_labels >= Item.label_target), 1), else_=0)
                ),
                0,
            ),
        ).where(Item.project_id == project.id)
    ).one()
    labels = session.scalar(
        select(func.count()).select_from(Annotation).where(Annotation.project_id == project.id)
    )
    regular = items - gold_items
    return ProjectProgress(
        items=items,
        gold_items=int(gold_items),
        labels=labels or 0,
        items_done=int(items_done),
        fraction_done=items_done / regular if regular else 1.0,
    )
