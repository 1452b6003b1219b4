"""Accepting labels: validated against the schema, tied to a lease, never altered.

``store_labels`` checks and stores a batch of labels with a handful of statements per
batch rather than per label (the HTTP writer commits whatever has queued as one batch);
``submit_annotation`` is the same path for one label, for callers that hold ORM objects.

A batch runs in rounds: labels that touch the same lease, idempotency key, nonce or
corrected annotation go to later rounds, so that each round's reads see what the
rounds before it wrote, exactly as if the labels had come one at a time.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BindParameter, Row, bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from labelshare.core.statuses import AssignmentStatus
from labelshare.errors import (
    AlreadyAnnotated,
    Conflict,
    InvalidInput,
    LabelshareError,
    LeaseExpired,
    UnknownAccount,
    UnknownAssignment,
    UnknownItem,
    UnknownProject,
)
from labelshare.schema import InvalidLabel, LabelSchema, canonical_json, value_sha256
from labelshare.services.access import can_see
from labelshare.services.assignment import check_can_annotate
from labelshare.services.projects import project_schema
from labelshare.services.provenance import check_signature_fields
from labelshare.services.redundancy import raise_label_target
from labelshare.store.models import Account, Annotation, Assignment, Item, Project
from labelshare.store.types import utcnow

MAX_LEAD_TIME_MS = 7 * 24 * 3600 * 1000

# The hot path's statements are built once: building a statement costs more than
# running it here. Lists go in expanding parameters; pairs of keys are looked up as two
# plain IN lists, which let a two-column unique index find them (SQLite scans the
# whole index for a row-value IN), and callers keep the rows of their exact pairs.
_items = Item.__table__
_assignments = Assignment.__table__
_annotations = Annotation.__table__


def _ids(name: str) -> BindParameter[Any]:
    return bindparam(name, expanding=True)


_SELECT_ACCOUNTS = select(Account.id, Account.address, Account.roles).where(
    Account.id.in_(_ids("ids"))
)
_SELECT_PROJECTS = select(
    Project.id,
    Project.name,
    Project.owner_id,
    Project.status,
    Project.is_public,
    Project.domain,
    Project.label_schema,
    Project.requires_signature,
    Project.redundancy_min,
    Project.redundancy_max,
).where(Project.id.in_(_ids("ids")))
_SELECT_ITEMS = select(
    Item.id, Item.project_id, Item.is_gold, Item.n_labels, Item.label_target
).where(Item.id.in_(_ids("ids")))
_SELECT_PAYLOADS = select(Item.id, Item.payload).where(Item.id.in_(_ids("ids")))
_SELECT_KEYED = select(
    Annotation.annotator_id,
    Annotation.idempotency_key,
    Annotation.id,
    Annotation.project_id,
    Annotation.item_id,
    Annotation.value,
    Annotation.value_sha256,
    Annotation.supersedes_id,
    Annotation.created_at,
).where(
    Annotation.annotator_id.in_(_ids("firsts")), Annotation.idempotency_key.in_(_ids("seconds"))
)
_SELECT_NONCES = select(Annotation.annotator_id, Annotation.nonce, Annotation.id).where(
    Annotation.annotator_id.in_(_ids("firsts")), Annotation.nonce.in_(_ids("seconds"))
)
_LOCK_LEASES = (
    select(Assignment.item_id, Assignment.annotator_id, Assignment.id, Assignment.status)
    .where(Assignment.item_id.in_(_ids("firsts")), Assignment.annotator_id.in_(_ids("seconds")))
    # Lock in one order, so that writers of other processes cannot deadlock.
    .order_by(Assignment.id)
    .with_for_update()
)
_SELECT_CORRECTED = select(Annotation.id, Annotation.annotator_id, Annotation.item_id).where(
    Annotation.id.in_(_ids("ids"))
)
_SELECT_CORRECTIONS = select(Annotation.supersedes_id, Annotation.id).where(
    Annotation.supersedes_id.in_(_ids("ids"))
)
_INSERT_LABELS = insert(_annotations).returning(
    _annotations.c.id, _annotations.c.annotator_id, _annotations.c.item_id
)
_CLOSE_LEASES = (
    update(_assignments)
    .where(_assignments.c.id == bindparam("lease"))
    .values(status=AssignmentStatus.SUBMITTED.value, finished_at=bindparam("now"))
)
_ADD_LABELS = (
    update(_items)
    .where(_items.c.id == bindparam("item"))
    .values(n_labels=_items.c.n_labels + bindparam("added"))
)


def _pairs(pairs: Iterable[tuple[Any, Any]]) -> dict[str, set[Any]]:
    pairs = list(pairs)
    return {"firsts": {a for a, _ in pairs}, "seconds": {b for _, b in pairs}}


@dataclass(frozen=True)
class Submission:
    """One label as received, before any check."""

    annotator_id: int
    project_id: int
    item_id: int
    value: Any
    lead_time_ms: int | None = None
    idempotency_key: str | None = None
    signature: str | None = None
    nonce: str | None = None
    supersedes_id: int | None = None


@dataclass(frozen=True)
class Stored:
    """A label once stored; ``replayed`` when an earlier submission had stored it."""

    id: int
    project_id: int
    item_id: int
    value: Any
    value_sha256: str
    supersedes_id: int | None
    created_at: datetime
    replayed: bool


Outcome = Stored | LabelshareError


def _validate(schema: LabelSchema, payload: Any, value: Any) -> Any:
    try:
        return schema.validate(value, payload=payload)
    except InvalidLabel as exc:
        raise InvalidInput(str(exc), field=exc.field) from exc


@dataclass
class _Pending:
    """A submission that passed the checks that need no lease, with what they found."""

    position: int
    submission: Submission
    project: Project
    canonical: Any
    digest: str
    item_n_labels: int
    item_label_target: int
    item_is_gold: bool
    assignment_id: int | None = None


def store_labels(
    session: Session, submissions: Sequence[Submission], *, now: datetime | None = None
) -> list[Outcome]:
    """Check and store labels in the session's transaction; one outcome per submission.

    A first label needs the annotator's lease on the item. A correction names the
    annotator's earlier annotation in ``supersedes_id`` and is stored as a new row.
    With an ``idempotency_key``, a retry of the same submission gives back the stored
    label (``replayed``) instead of failing or storing it twice. A refused label is
    reported in its outcome and does not affect the others.

    Outcomes that are errors:
        InvalidInput: the value, lead time, signature or nonce is bad (names the field).
        UnknownAccount, UnknownProject, UnknownItem: what the label names is not there
            (or not visible to the annotator).
        InvalidTransition, MissingRole, MissingDomain: the annotator may not label the
            project now.
        UnknownAssignment: the item is not leased to the annotator.
        AlreadyAnnotated: the annotator labelled it already (use a correction).
        LeaseExpired: the lease lapsed and its slot went to someone else.
        Conflict: the idempotency key or nonce was used for something else.

    Raises:
        sqlalchemy.exc.IntegrityError: another transaction stored a label with the same
            idempotency key, nonce or correction first; nothing of the batch is usable
            and the caller should roll back and retry.
    """
    now = now or utcnow()
    outcomes: list[Outcome | None] = [None] * len(submissions)
    accounts, projects = _load_accounts_and_projects(session, submissions)
    for round_positions in _rounds(submissions):
        _store_round(session, submissions, round_positions, accounts, projects, now, outcomes)
    return [outcome for outcome in outcomes if outcome is not None]


def _rounds(submissions: Sequence[Submission]) -> list[list[int]]:
    """Positions grouped so that no two in a group touch the same row, order kept."""
    last_round: dict[tuple[object, ...], int] = {}
    rounds: list[list[int]] = []
    for position, s in enumerate(submissions):
        touches = [("item", s.annotator_id, s.item_id)]
        if s.idempotency_key is not None:
            touches.append(("key", s.annotator_id, s.idempotency_key))
        if s.nonce is not None:
            touches.append(("nonce", s.annotator_id, s.nonce))
        if s.supersedes_id is not None:
            touches.append(("corrects", s.supersedes_id))
        number = 1 + max((last_round.get(t, -1) for t in touches), default=-1)
        for t in touches:
            last_round[t] = number
        if number == len(rounds):
            rounds.append([])
        rounds[number].append(position)
    return rounds


def _load_accounts_and_projects(
    session: Session, submissions: Sequence[Submission]
) -> tuple[dict[int, Account], dict[int, Project]]:
    """Unattached copies of the batch's accounts and projects, with the columns it reads.

    The rows are read in the batch's transaction; an unchanged row reuses the copy
    made for an earlier batch, because loading or building mapped objects costs more
    than the rest of a batch. The copies are never added to a session.
    """
    db = session.connection()
    account_rows = db.execute(_SELECT_ACCOUNTS, {"ids": {s.annotator_id for s in submissions}})
    project_rows = db.execute(_SELECT_PROJECTS, {"ids": {s.project_id for s in submissions}})
    accounts = {row.id: _account_copy(_frozen(row)) for row in account_rows}
    projects = {row.id: _project_copy(_frozen(row)) for row in project_rows}
    return accounts, projects


def _frozen(row: Row[Any]) -> tuple[tuple[str, Any], ...]:
    # JSON columns come back as lists and dicts; a cache key needs them hashable.
    return tuple(
        (name, canonical_json(value) if isinstance(value, list | dict) else value)
        for name, value in row._mapping.items()
    )


def _thawed(columns: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    return {
        name: json.loads(value) if isinstance(value, bytes) else value for name, value in columns
    }


@functools.lru_cache(maxsize=4096)
def _account_copy(columns: tuple[tuple[str, Any], ...]) -> Account:
    return Account(**_thawed(columns))


@functools.lru_cache(maxsize=1024)
def _project_copy(columns: tuple[tuple[str, Any], ...]) -> Project:
    return Project(**_thawed(columns))


def _store_round(
    session: Session,
    submissions: Sequence[Submission],
    positions: list[int],
    accounts: dict[int, Account],
    projects: dict[int, Project],
    now: datetime,
    outcomes: list[Outcome | None],
) -> None:
    pending = _check_without_leases(session, submissions, positions, accounts, projects, outcomes)
    pending = _take_replays(session, pending, outcomes)
    pending = _check_rights(session, pending, accounts, outcomes)
    pending = _refuse_used_nonces(session, pending, outcomes)
    firsts = [p for p in pending if p.submission.supersedes_id is None]
    corrections = [p for p in pending if p.submission.supersedes_id is not None]
    accepted = _check_leases(session, firsts, outcomes) + _check_corrections(
        session, corrections, outcomes
    )
    if accepted:
        _write(session, accepted, now, outcomes)


def _check_without_leases(
    session: Session,
    submissions: Sequence[Submission],
    positions: list[int],
    accounts: dict[int, Account],
    projects: dict[int, Project],
    outcomes: list[Outcome | None],
) -> list[_Pending]:
    db = session.connection()
    item_ids = {submissions[p].item_id for p in positions}
    items = {row.id: row for row in db.execute(_SELECT_ITEMS, {"ids": item_ids})}
    schemas: dict[int, LabelSchema] = {}
    checked: list[tuple[int, Project, LabelSchema]] = []
    for position in positions:
        s = submissions[position]
        try:
            project = _project_for(s, accounts, projects, items)
            schema = schemas.get(project.id)
            if schema is None:
                schema = schemas[project.id] = project_schema(project)
            checked.append((position, project, schema))
        except LabelshareError as exc:
            outcomes[position] = exc
    payloads = _payloads(
        session, [submissions[p].item_id for p, _, schema in checked if schema.needs_payload]
    )
    pending: list[_Pending] = []
    for position, project, schema in checked:
        s = submissions[position]
        item = items[s.item_id]
        try:
            canonical = _validate(schema, payloads.get(s.item_id), s.value)
        except LabelshareError as exc:
            outcomes[position] = exc
            continue
        pending.append(
            _Pending(
                position=position,
                submission=s,
                project=project,
                canonical=canonical,
                digest=value_sha256(canonical),
                item_n_labels=item.n_labels,
                item_label_target=item.label_target,
                item_is_gold=item.is_gold,
            )
        )
    return pending


def _project_for(
    s: Submission, accounts: dict[int, Account], projects: dict[int, Project], items: dict[int, Any]
) -> Project:
    annotator = accounts.get(s.annotator_id)
    if annotator is None:
        raise UnknownAccount(f"account: no account {s.annotator_id}")
    project = projects.get(s.project_id)
    if project is None or not can_see(annotator, project):
        raise UnknownProject(f"project: no project {s.project_id!r}")
    if s.lead_time_ms is not None and not 0 <= s.lead_time_ms <= MAX_LEAD_TIME_MS:
        raise InvalidInput(
            f"lead_time_ms: {s.lead_time_ms} is outside 0..{MAX_LEAD_TIME_MS}",
            field="lead_time_ms",
        )
    item = items.get(s.item_id)
    if item is None or item.project_id != project.id:
        raise UnknownItem(f"item_id: no item {s.item_id} in project {project.name!r}")
    return project


def _payloads(session: Session, item_ids: Iterable[int]) -> dict[int, Any]:
    wanted = set(item_ids)
    if not wanted:
        return {}
    db = session.connection()
    rows = db.execute(_SELECT_PAYLOADS, {"ids": wanted})
    return {item_id: payload for item_id, payload in rows}


def _check_may_label(
    session: Session,
    allowed: dict[tuple[int, int], LabelshareError | None],
    project: Project,
    annotator: Account,
) -> None:
    key = (project.id, annotator.id)
    if key not in allowed:
        try:
            check_can_annotate(session, project, annotator)
            allowed[key] = None
        except LabelshareError as exc:
            allowed[key] = exc
    refusal = allowed[key]
    if refusal is not None:
        raise refusal


def _stored_under_keys(
    session: Session, pairs: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], Stored]:
    if not pairs:
        return {}
    db = session.connection()
    rows = db.execute(_SELECT_KEYED, _pairs(pairs))
    return {
        (row.annotator_id, row.idempotency_key): Stored(
            id=row.id,
            project_id=row.project_id,
            item_id=row.item_id,
            value=row.value,
            value_sha256=row.value_sha256,
            supersedes_id=row.supersedes_id,
            created_at=row.created_at,
            replayed=True,
        )
        for row in rows
    }


def _take_replays(
    session: Session, pending: list[_Pending], outcomes: list[Outcome | None]
) -> list[_Pending]:
    """Answer keyed labels stored before with the stored label; keep the rest."""
    pairs = [
        (p.submission.annotator_id, p.submission.idempotency_key)
        for p in pending
        if p.submission.idempotency_key is not None
    ]
    stored = _stored_under_keys(session, pairs)  # type: ignore[arg-type]
    remaining: list[_Pending] = []
    for p in pending:
        replay = stored.get((p.submission.annotator_id, p.submission.idempotency_key))  # type: ignore[arg-type]
        if replay is None:
            remaining.append(p)
        elif replay.item_id != p.submission.item_id or replay.value_sha256 != p.digest:
            outcomes[p.position] = Conflict(
                "idempotency_key: this key was used for a different annotation; use a new key"
            )
        else:
            outcomes[p.position] = replay
    return remaining


def _check_rights(
    session: Session,
    pending: list[_Pending],
    accounts: dict[int, Account],
    outcomes: list[Outcome | None],
) -> list[_Pending]:
    """Keep the labels whose annotator may label the project now, signed when due."""
    allowed: dict[tuple[int, int], LabelshareError | None] = {}
    remaining: list[_Pending] = []
    for p in pending:
        annotator = accounts[p.submission.annotator_id]
        try:
            _check_may_label(session, allowed, p.project, annotator)
            check_signature_fields(
                p.project,
                annotator,
                item_id=p.submission.item_id,
                value_digest=p.digest,
                signature=p.submission.signature,
                nonce=p.submission.nonce,
            )
        except LabelshareError as exc:
            outcomes[p.position] = exc
            continue
        remaining.append(p)
    return remaining


def _refuse_used_nonces(
    session: Session, pending: list[_Pending], outcomes: list[Outcome | None]
) -> list[_Pending]:
    pairs = [(p.submission.annotator_id, p.submission.nonce) for p in pending if p.submission.nonce]
    if not pairs:
        return pending
    rows = session.connection().execute(_SELECT_NONCES, _pairs(pairs))
    used = {(annotator_id, nonce): annotation_id for annotator_id, nonce, annotation_id in rows}
    remaining = []
    for p in pending:
        earlier = used.get((p.submission.annotator_id, p.submission.nonce))
        if earlier is not None:
            outcomes[p.position] = Conflict(
                f"nonce: {p.submission.nonce!r} was used already on annotation {earlier}; "
                "use a new one"
            )
        else:
            remaining.append(p)
    return remaining


def _check_leases(
    session: Session, firsts: list[_Pending], outcomes: list[Outcome | None]
) -> list[_Pending]:
    if not firsts:
        return []
    pairs = [(p.submission.item_id, p.submission.annotator_id) for p in firsts]
    rows = session.connection().execute(_LOCK_LEASES, _pairs(pairs))
    leases = {(row.item_id, row.annotator_id): row for row in rows}
    accepted, labelled = [], []
    for p in firsts:
        item_id = p.submission.item_id
        lease = leases.get((item_id, p.submission.annotator_id))
        if lease is None:
            outcomes[p.position] = UnknownAssignment(
                f"item_id: item {item_id} is not assigned to you; ask for the next item first"
            )
        elif lease.status == AssignmentStatus.SUBMITTED:
            labelled.append(p)
        elif lease.status != AssignmentStatus.LEASED:
            outcomes[p.position] = LeaseExpired(
                f"item_id: your lease on item {item_id} is {lease.status}"
            )
        else:
            p.assignment_id = lease.id
            accepted.append(p)
    # A keyed label whose lease another process used while this one waited for the
    # lock is that process's copy of the same request: answer with its label.
    for p in _take_replays(session, labelled, outcomes):
        outcomes[p.position] = AlreadyAnnotated(
            f"item_id: you labelled item {p.submission.item_id} already; send a correction instead"
        )
    return accepted


def _check_corrections(
    session: Session, corrections: list[_Pending], outcomes: list[Outcome | None]
) -> list[_Pending]:
    if not corrections:
        return []
    db = session.connection()
    corrected_ids = {p.submission.supersedes_id for p in corrections}
    earlier = {row.id: row for row in db.execute(_SELECT_CORRECTED, {"ids": corrected_ids})}
    rows = db.execute(_SELECT_CORRECTIONS, {"ids": corrected_ids})
    corrected_by = {corrected: by for corrected, by in rows}
    accepted = []
    for p in corrections:
        s = p.submission
        row = earlier.get(s.supersedes_id)  # type: ignore[arg-type]
        if row is None or row.annotator_id != s.annotator_id or row.item_id != s.item_id:
            outcomes[p.position] = InvalidInput(
                f"supersedes_id: {s.supersedes_id} is not your annotation of item {s.item_id}",
                field="supersedes_id",
            )
        elif s.supersedes_id in corrected_by:
            outcomes[p.position] = Conflict(
                f"supersedes_id: annotation {s.supersedes_id} was corrected already by "
                f"{corrected_by[s.supersedes_id]}"
            )
        else:
            accepted.append(p)
    return accepted


def _write(
    session: Session, accepted: list[_Pending], now: datetime, outcomes: list[Outcome | None]
) -> None:
    db = session.connection()
    rows = db.execute(
        _INSERT_LABELS,
        [
            {
                "project_id": p.project.id,
                "item_id": p.submission.item_id,
                "annotator_id": p.submission.annotator_id,
                "value": p.canonical,
                "value_sha256": p.digest,
                "lead_time_ms": p.submission.lead_time_ms,
                "signature": p.submission.signature,
                "nonce": p.submission.nonce,
                "supersedes_id": p.submission.supersedes_id,
                "idempotency_key": p.submission.idempotency_key,
                "created_at": now,
            }
            for p in accepted
        ],
    )
    # Within a round an annotator labels an item once, so this pair names the row.
    ids = {(row.annotator_id, row.item_id): row.id for row in rows}
    for p in accepted:
        outcomes[p.position] = Stored(
            id=ids[(p.submission.annotator_id, p.submission.item_id)],
            project_id=p.project.id,
            item_id=p.submission.item_id,
            value=p.canonical,
            value_sha256=p.digest,
            supersedes_id=p.submission.supersedes_id,
            created_at=now,
            replayed=False,
        )
    firsts = [p for p in accepted if p.assignment_id is not None]
    if not firsts:
        return
    db.execute(_CLOSE_LEASES, [{"lease": p.assignment_id, "now": now} for p in firsts])
    added = Counter(p.submission.item_id for p in firsts)
    # Sorted, so that concurrent writers take the items' row locks in one order.
    db.execute(_ADD_LABELS, [{"item": i, "added": n} for i, n in sorted(added.items())])
    due = {p.submission.item_id: p for p in firsts}
    for item_id, p in sorted(due.items()):
        raise_label_target(
            session,
            p.project,
            item_id,
            n_labels=p.item_n_labels + added[item_id],
            added=added[item_id],
            label_target=p.item_label_target,
            is_gold=p.item_is_gold,
        )


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
    """Store one label of ``annotator`` for an item of ``project`` (see ``store_labels``).

    Raises:
        LabelshareError: the label's refusal, as listed under ``store_labels``.
    """
    submission = Submission(
        annotator_id=annotator.id,
        project_id=project.id,
        item_id=item_id,
        value=value,
        lead_time_ms=lead_time_ms,
        idempotency_key=idempotency_key,
        signature=signature,
        nonce=nonce,
        supersedes_id=supersedes_id,
    )
    session.flush()
    (outcome,) = store_labels(session, [submission], now=now)
    if isinstance(outcome, LabelshareError):
        raise outcome
    # The batch wrote through statements, not objects: drop what the session holds of
    # the rows it changed, so that the caller reads them afresh.
    if not outcome.replayed:
        assignment_id = session.scalar(
            select(Assignment.id).where(
                Assignment.item_id == item_id, Assignment.annotator_id == annotator.id
            )
        )
        for key in (identity_key(Item, item_id), identity_key(Assignment, assignment_id)):
            loaded = session.identity_map.get(key)
            if loaded is not None:
                session.expire(loaded)
    return session.get_one(Annotation, outcome.id)
