"""Handing out items: who may label what, in which order, for how long.

The rules: an annotator gets an item at most once; only annotators holding the
project's domain get its items; items with the fewest labels (counting live leases)
come first, up to each item's label target; an expired lease frees its slot; hidden
gold items are mixed in at the project's gold rate and look like any other item.

Under PostgreSQL, candidate items are locked with ``FOR UPDATE SKIP LOCKED`` so that
concurrent requests take different items instead of queueing on the same one; under
SQLite every transaction holds the write lock from its start (see ``store.session``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.orm import Session

from labelshare.core.statuses import AssignmentStatus, ProjectStatus, Role
from labelshare.errors import (
    InvalidTransition,
    MissingDomain,
    MissingRole,
    NoWorkAvailable,
    UnknownAssignment,
)
from labelshare.services.accounts import has_role
from labelshare.services.gold_screening import check_gold_standing
from labelshare.store.models import Account, Assignment, ExamAttempt, Item, Project
from labelshare.store.repositories import AccountRepository
from labelshare.store.types import utcnow

DEFAULT_LEASE_TTL_S = 600


@dataclass(frozen=True)
class Lease:
    """An item reserved for one annotator until ``assignment.expires_at``."""

    assignment: Assignment
    item: Item


def check_can_annotate(session: Session, project: Project, annotator: Account) -> None:
    """Raise unless ``annotator`` may label items of ``project`` now.

    Raises:
        InvalidTransition: if the project is not active.
        MissingRole: if the account is not an annotator.
        MissingDomain: if the project requires a domain the annotator lacks.
    """
    if project.status != ProjectStatus.ACTIVE:
        raise InvalidTransition(f"project: {project.name!r} is {project.status}, not active")
    if not has_role(annotator, Role.ANNOTATOR):
        raise MissingRole(f"role: {annotator.address} is not an annotator")
    if project.domain is not None and not AccountRepository(session).has_domain(
        annotator.id, project.domain
    ):
        raise MissingDomain(f"domain: project {project.name!r} needs the {project.domain!r} domain")


def release_expired_leases(session: Session, project: Project, *, now: datetime) -> int:
    """Mark the project's lapsed leases expired and free their items' slots.

    Returns:
        How many leases were released.
    """
    expired_items = session.scalars(
        update(Assignment)
        .where(
            Assignment.project_id == project.id,
            Assignment.status == AssignmentStatus.LEASED.value,
            Assignment.expires_at <= now,
        )
        .values(status=AssignmentStatus.EXPIRED.value, finished_at=now)
        .returning(Assignment.item_id)
    ).all()
    counts: dict[int, int] = {}
    for item_id in expired_items:
        counts[item_id] = counts.get(item_id, 0) + 1
    for item_id, count in sorted(counts.items()):
        session.execute(
            update(Item).where(Item.id == item_id).values(n_active=Item.n_active - count)
        )
    return len(expired_items)


def _live_lease(
    session: Session, project: Project, annotator: Account, now: datetime
) -> Lease | None:
    row = session.execute(
        select(Assignment, Item)
        .join(Item, Item.id == Assignment.item_id)
        .where(
            Assignment.project_id == project.id,
            Assignment.annotator_id == annotator.id,
            Assignment.status == AssignmentStatus.LEASED.value,
            Assignment.expires_at > now,
        )
        .order_by(Assignment.id)
        .limit(1)
    ).first()
    return None if row is None else Lease(assignment=row[0], item=row[1])


def _candidate(
    session: Session, project: Project, annotator: Account, *, gold: bool
) -> Item | None:
    seen_by_me = exists().where(
        Assignment.item_id == Item.id, Assignment.annotator_id == annotator.id
    )
    query = select(Item).where(Item.project_id == project.id, Item.is_gold == gold, ~seen_by_me)
    if gold and project.domain is not None:
        # Gold answered in a qualification exam tells nothing about the annotator's work.
        examined = {
            item_id
            for ids in session.scalars(
                select(ExamAttempt.item_ids).where(
                    ExamAttempt.account_id == annotator.id, ExamAttempt.domain == project.domain
                )
            )
            for item_id in ids
        }
        if examined:
            query = query.where(Item.id.not_in(examined))
    if not gold:
        # Gold items test every annotator; only regular items stop at their target.
        query = query.where(Item.n_active < Item.label_target)
    query = query.order_by(Item.n_active, Item.id).limit(1)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def next_item(
    session: Session,
    project: Project,
    annotator: Account,
    *,
    lease_ttl_s: int = DEFAULT_LEASE_TTL_S,
    now: datetime | None = None,
    rng: random.Random | None = None,
    screen_gold: bool = True,
) -> Lease:
    """Reserve the next item for ``annotator``, or return the lease they hold already.

    Args:
        lease_ttl_s: how long the reservation lasts.
        now: the current time (tests pass a fixed one).
        rng: decides whether this request gets a gold item (probability: the project's
            gold rate); a fresh system-seeded generator by default.
        screen_gold: refuse annotators whose hidden-gold accuracy is confidently below
            the project's bar (``services.gold_screening``); off only to measure what
            the platform would do without it.

    Raises:
        InvalidTransition, MissingRole, MissingDomain: see ``check_can_annotate``.
        Forbidden: the annotator failed the project's hidden gold.
        NoWorkAvailable: when every item is labelled enough or seen by this annotator.
    """
    check_can_annotate(session, project, annotator)
    if screen_gold:
        check_gold_standing(session, project, annotator)
    now = now or utcnow()
    release_expired_leases(session, project, now=now)
    held = _live_lease(session, project, annotator, now)
    if held is not None:
        return held
    rng = rng or random.Random()
    wants_gold = project.gold_rate > 0 and rng.random() < project.gold_rate
    item = _candidate(session, project, annotator, gold=True) if wants_gold else None
    if item is None:
        # No gold fallback when regular work runs out: an annotator offered only gold
        # items could tell them apart.
        item = _candidate(session, project, annotator, gold=False)
    if item is None:
        raise NoWorkAvailable(f"project: nothing left to label in {project.name!r} for you")
    assignment = Assignment(
        project_id=project.id,
        item_id=item.id,
        annotator_id=annotator.id,
        status=AssignmentStatus.LEASED.value,
        leased_at=now,
        expires_at=now + timedelta(seconds=lease_ttl_s),
    )
    session.add(assignment)
    session.execute(update(Item).where(Item.id == item.id).values(n_active=Item.n_active + 1))
    session.flush()
    session.refresh(item)
    return Lease(assignment=assignment, item=item)


def skip_item(session: Session, project: Project, annotator: Account, item_id: int) -> Assignment:
    """Give a leased item back; the annotator will not be offered it again.

    Raises:
        UnknownAssignment: if the item is not leased to the annotator.
    """
    assignment = session.scalar(
        select(Assignment)
        .where(
            and_(
                Assignment.project_id == project.id,
                Assignment.item_id == item_id,
                Assignment.annotator_id == annotator.id,
                Assignment.status == AssignmentStatus.LEASED.value,
            )
        )
        .with_for_update()
    )
    if assignment is None:
        raise UnknownAssignment(f"item_id: item {item_id} is not leased to you")
    assignment.status = AssignmentStatus.SKIPPED.value
    assignment.finished_at = utcnow()
    session.execute(update(Item).where(Item.id == item_id).values(n_active=Item.n_active - 1))
    session.flush()
    return assignment


def count_live_leases(session: Session, project: Project, *, now: datetime) -> int:
    """How many leases of the project are live at ``now``."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(
                Assignment.project_id == project.id,
                Assignment.status == AssignmentStatus.LEASED.value,
                Assignment.expires_at > now,
            )
        )
        or 0
    )
