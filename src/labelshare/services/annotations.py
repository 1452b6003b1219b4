"""Accepting labels: validated against the schema, tied to a lease, never altered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from labelshare.core.statuses import AssignmentStatus
from labelshare.errors import (
    AlreadyAnnotated,
    Conflict,
    InvalidInput,
    LeaseExpired,
    UnknownAssignment,
    UnknownItem,
)
from labelshare.schema import InvalidLabel, value_sha256
from labelshare.services.assignment import check_can_annotate
from labelshare.services.projects import project_schema
from labelshare.services.provenance import check_nonce_unused, check_signature_fields
from labelshare.services.redundancy import update_label_target
from labelshare.store.models import Account, Annotation, Assignment, Item, Project
from labelshare.store.repositories import ItemRepository
from labelshare.store.types import utcnow

MAX_LEAD_TIME_MS = 7 * 24 * 3600 * 1000


def validate_value(project: Project, item: Item, value: Any) -> Any:
    """The canonical form of ``value`` under the project's schema for ``item``.

    Raises:
        InvalidInput: naming the offending field (``value[2].end``) and the reason.
    """
    try:
        return project_schema(project).validate(value, payload=item.payload)
    except InvalidLabel as exc:
        raise InvalidInput(str(exc), field=exc.field) from exc


def find_replay(
    session: Session, annotator: Account, key: str, item_id: int, digest: str
) -> Annotation | None:
    """The annotation stored earlier under idempotency ``key``, if any.

    Raises:
        Conflict: if ``key`` was used for a different item or value.
    """
    existing = session.scalar(
        select(Annotation).where(
            Annotation.annotator_id == annotator.id, Annotation.idempotency_key == key
        )
    )
    if existing is None:
        return None
    if existing.item_id != item_id or existing.value_sha256 != digest:
        raise Conflict(
            "idempotency_key: this key was used for a different annotation; use a new key"
        )
    return existing


def submit_annotation(
    session: Session,
    project: Project,
    annotator: Account,
    *,
    item_id: int,
    value: Any,
    lead_time_ms: int | None = None,
    idempotency_key: str | None = None,
    signature: str | None = None,
    nonce: str | None = None,
    supersedes_id: int | None = None,
    now: datetime | None = None,
) -> Annotation:
    """Store one label of ``annotator`` for an item of ``project``.

    A first label needs the annotator's lease on the item. A correction names the
    annotator's earlier annotation in ``supersedes_id`` and is stored as a new row.
    With an ``idempotency_key``, a retry of the same submission returns the stored
    annotation instead of failing or storing it twice.

    Raises:
        InvalidInput: the value, lead time, signature or nonce is bad (names the field).
        UnknownItem: the item is not in the project.
        UnknownAssignment: the item is not leased to the annotator.
        AlreadyAnnotated: the annotator labelled it already (use a correction).
        LeaseExpired: the lease lapsed and its slot went to someone else.
        Conflict: the idempotency key was used for something else.
    """
    now = now or utcnow()
    if lead_time_ms is not None and not 0 <= lead_time_ms <= MAX_LEAD_TIME_MS:
        raise InvalidInput(
            f"lead_time_ms: {lead_time_ms} is outside 0..{MAX_LEAD_TIME_MS}", field="lead_time_ms"
        )
    item = ItemRepository(session).get_in_project(project.id, item_id)
    if item is None:
        raise UnknownItem(f"item_id: no item {item_id} in project {project.name!r}")
    canonical = validate_value(project, item, value)
    digest = value_sha256(canonical)
    if idempotency_key is not None:
        replay = find_replay(session, annotator, idempotency_key, item_id, digest)
        if replay is not None:
            return replay
    check_can_annotate(session, project, annotator)
    check_signature_fields(
        project, annotator, item_id=item.id, value_digest=digest, signature=signature, nonce=nonce
    )
    check_nonce_unused(session, annotator, nonce)
    annotation = Annotation(
        project_id=project.id,
        item_id=item.id,
        annotator_id=annotator.id,
        value=canonical,
        value_sha256=digest,
        lead_time_ms=lead_time_ms,
        signature=signature,
        nonce=nonce,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    if supersedes_id is not None:
        _check_correction(session, annotator, item, supersedes_id)
        annotation.supersedes_id = supersedes_id
        session.add(annotation)
        session.flush()
        return annotation

    assignment = session.scalar(
        select(Assignment)
        .where(Assignment.item_id == item.id, Assignment.annotator_id == annotator.id)
        .with_for_update()
    )
    if assignment is None:
        raise UnknownAssignment(
            f"item_id: item {item_id} is not assigned to you; ask for the next item first"
        )
    if assignment.status == AssignmentStatus.SUBMITTED:
        raise AlreadyAnnotated(
            f"item_id: you labelled item {item_id} already; send a correction instead"
        )
    if assignment.status != AssignmentStatus.LEASED:
        raise LeaseExpired(f"item_id: your lease on item {item_id} is {assignment.status}")
    assignment.status = AssignmentStatus.SUBMITTED.value
    assignment.finished_at = now
    session.add(annotation)
    # The item is refreshed below, so the session need not search its identity map.
    session.execute(
        update(Item)
        .where(Item.id == item.id)
        .values(n_labels=Item.n_labels + 1)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    session.refresh(item)
    update_label_target(session, project, item)
    return annotation


def _check_correction(session: Session, annotator: Account, item: Item, supersedes_id: int) -> None:
    earlier = session.get(Annotation, supersedes_id)
    if earlier is None or earlier.annotator_id != annotator.id or earlier.item_id != item.id:
        raise InvalidInput(
            f"supersedes_id: {supersedes_id} is not your annotation of item {item.id}",
            field="supersedes_id",
        )
    already = session.scalar(select(Annotation.id).where(Annotation.supersedes_id == supersedes_id))
    if already is not None:
        raise Conflict(
            f"supersedes_id: annotation {supersedes_id} was corrected already by {already}"
        )
