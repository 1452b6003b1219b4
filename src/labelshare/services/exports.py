"""Exporting a project's items with their labels, streamed in batches."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from labelshare.io import AnnotationRecord, ExportItem, write_export
from labelshare.services.projects import project_schema
from labelshare.store.models import Account, Annotation, Item, Project

EXPORT_BATCH = 2_000


def iter_export_items(session: Session, project: Project) -> Iterator[ExportItem]:
    """Every item of ``project`` with its current labels (corrections applied), by id.

    Items are read in keyset-paginated batches so memory stays bounded by the batch.
    """
    last_id = 0
    later = aliased(Annotation)
    while True:
        items = session.execute(
            select(
                Item.id,
                Item.external_id,
                Item.payload,
                Item.gold,
                Item.inferred,
                Item.inferred_confidence,
            )
            .where(Item.project_id == project.id, Item.id > last_id)
            .order_by(Item.id)
            .limit(EXPORT_BATCH)
        ).all()
        if not items:
            return
        first_id, last_id = items[0].id, items[-1].id
        by_item: dict[int, list[AnnotationRecord]] = {}
        rows = session.execute(
            select(
                Annotation.item_id,
                Account.address,
                Annotation.value,
                Annotation.lead_time_ms,
                Annotation.created_at,
            )
            .join(Account, Account.id == Annotation.annotator_id)
            .outerjoin(later, later.supersedes_id == Annotation.id)
            .where(
                Annotation.project_id == project.id,
                Annotation.item_id.between(first_id, last_id),
                later.id.is_(None),
            )
            .order_by(Annotation.item_id, Annotation.id)
        )
        for item_id, address, value, lead_time_ms, created_at in rows:
            by_item.setdefault(item_id, []).append(
                AnnotationRecord(
                    annotator=address,
                    value=value,
                    lead_time_ms=lead_time_ms,
                    created_at=created_at,
                )
            )
        for item in items:
            yield ExportItem(
                external_id=item.external_id,
                payload=item.payload,
                gold=item.gold,
                annotations=tuple(by_item.get(item.id, ())),
                inferred=item.inferred,
                confidence=item.inferred_confidence,
            )


def export_project(session: Session, project: Project, out: TextIO, *, format: str) -> int:
    """Write ``project`` to ``out`` in ``format`` (jsonl, csv, labelstudio, coco).

    Returns:
        The number of items written.

    Raises:
        InvalidInput: if the format is unknown or does not fit the project's schema.
    """
    return write_export(
        iter_export_items(session, project), out, format=format, schema=project_schema(project)
    )
