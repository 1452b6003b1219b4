"""Importing items and existing labels into a project, all or nothing.

Files are read as streams (``labelshare.io``) and written in batches, so memory stays
bounded by the batch size and the set of ids seen; the caller's unit of work commits
once, so a malformed line anywhere imports nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Insert, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from labelshare.core.ids import checksum_address, placeholder_address
from labelshare.core.statuses import AssignmentStatus, Role
from labelshare.errors import ImportFailed, InvalidAddress
from labelshare.io import AnnotationRecord, ItemRecord, read_items, read_labels_csv
from labelshare.schema import InvalidLabel, LabelSchema, value_sha256
from labelshare.services.projects import project_schema
from labelshare.store.media import MediaStore
from labelshare.store.models import Account, Annotation, Assignment, Item, Media, Project
from labelshare.store.types import utcnow

BATCH_SIZE = 5_000
# Bulk paths use Core tables: they skip the ORM's per-row bookkeeping, half the time of
# a large import.
ACCOUNTS = cast(Table, Account.__table__)
ANNOTATIONS = cast(Table, Annotation.__table__)
ASSIGNMENTS = cast(Table, Assignment.__table__)
ITEMS = cast(Table, Item.__table__)
Progress = Callable[[int], None]


@dataclass(frozen=True)
class ImportSummary:
    """What an import stored."""

    items: int
    annotations: int
    accounts_created: int


class _Annotators:
    """Resolves worker ids and addresses to account ids, creating accounts in bulk."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.ids: dict[str, int] = {}
        self.created = 0

    def resolve(self, workers: Iterable[str]) -> None:
        wanted: dict[str, tuple[str, bool]] = {}
        for worker in workers:
            if worker in self.ids or worker in wanted:
                continue
            try:
                wanted[worker] = (checksum_address(worker), False)
            except InvalidAddress:
                wanted[worker] = (placeholder_address(worker), True)
        if not wanted:
            return
        addresses = {address for address, _ in wanted.values()}
        known: dict[str, int] = {
            address: account_id
            for address, account_id in self.session.execute(
                select(Account.address, Account.id).where(Account.address.in_(addresses))
            )
        }
        new_rows = [
            {
                "address": address,
                "roles": [Role.ANNOTATOR.value],
                "is_imported": imported,
                "external_id": worker if imported else None,
                "created_at": utcnow(),
            }
            for worker, (address, imported) in wanted.items()
            if address not in known
        ]
        if new_rows:
            inserted = self.session.execute(
                insert(ACCOUNTS).returning(ACCOUNTS.c.address, ACCOUNTS.c.id),
                new_rows,
            )
            known.update({address: account_id for address, account_id in inserted})
            self.created += len(new_rows)
        for worker, (address, _) in wanted.items():
            self.ids[worker] = known[address]


def _insert_items() -> Insert:
    # Ids come back in parameter order so that they can be zipped with the rows.
    return insert(ITEMS).returning(ITEMS.c.id, sort_by_parameter_order=True)


def _label_value(schema: LabelSchema, raw: str, payload: dict[str, Any], line: int) -> Any:
    try:
        return schema.validate(schema.value_from_text(raw), payload=payload)
    except InvalidLabel as exc:
        raise ImportFailed(str(exc), line=line, field="label") from exc


def _insert_annotations(
    session: Session, project: Project, rows: Sequence[tuple[int, int, Any, int | None]]
) -> None:
    """Store imported (item id, account id, value, lead time) rows as submitted labels."""
    if not rows:
        return
    now = utcnow()
    session.execute(
        insert(ASSIGNMENTS),
        [
            {
                "project_id": project.id,
                "item_id": item_id,
                "annotator_id": account_id,
                "status": AssignmentStatus.SUBMITTED.value,
                "leased_at": now,
                "expires_at": now,
                "finished_at": now,
            }
            for item_id, account_id, _, _ in rows
        ],
    )
    session.execute(
        insert(ANNOTATIONS),
        [
            {
                "project_id": project.id,
                "item_id": item_id,
                "annotator_id": account_id,
                "value": value,
                "value_sha256": value_sha256(value),
                "lead_time_ms": lead_time_ms,
                "created_at": now,
            }
            for item_id, account_id, value, lead_time_ms in rows
        ],
    )


def _store_media(session: Session, media: MediaStore, record: ItemRecord) -> dict[str, Any]:
    if record.media_path is None:
        return record.payload
    sha256, size, content_type = media.put(record.media_path)
    if session.get(Media, sha256) is None:
        session.add(Media(sha256=sha256, size_bytes=size, content_type=content_type))
        session.flush()
    return {**record.payload, "image": f"/media/{sha256}", "media_sha256": sha256}


def import_items(
    session: Session,
    project: Project,
    path: Path,
    *,
    format: str | None = None,
    media: MediaStore | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Import the items of ``path`` (JSONL, CSV, a folder of images, Label Studio JSON).

    Gold values and any annotations in the file are validated by the project's schema.

    Raises:
        ImportFailed: naming the line and the reason; nothing is stored (the caller
            rolls back).
    """
    schema = project_schema(project)
    existing = set(session.scalars(select(Item.external_id).where(Item.project_id == project.id)))
    annotators = _Annotators(session)
    batch: list[ItemRecord] = []
    totals = [0, 0]

    def flush() -> None:
        rows = []
        for record in batch:
            payload = _store_media(session, media, record) if media is not None else record.payload
            rows.append(
                {
                    "project_id": project.id,
                    "external_id": record.external_id,
                    "payload": payload,
                    "gold": record.gold,
                    "is_gold": record.gold is not None,
                    "media_sha256": payload.get("media_sha256"),
                    "n_labels": len(record.annotations),
                    "n_active": len(record.annotations),
                    "label_target": max(project.redundancy_min, len(record.annotations)),
                    "created_at": utcnow(),
                }
            )
        ids = session.execute(_insert_items(), rows).scalars().all()
        annotators.resolve(a.annotator for r in batch for a in r.annotations)
        labels = [
            (item_id, annotators.ids[a.annotator], a.value, a.lead_time_ms)
            for item_id, record in zip(ids, batch, strict=True)
            for a in _validated_annotations(schema, record)
        ]
        _insert_annotations(session, project, labels)
        totals[0] += len(batch)
        totals[1] += len(labels)
        if progress is not None:
            progress(len(batch))
        batch.clear()

    if media is None and format in (None, "images") and path.is_dir():
        raise ImportFailed("a folder of images needs a media folder to store them in")
    for record in read_items(path, format=format, schema=schema):
        if record.external_id in existing:
            raise ImportFailed(
                f"id {record.external_id!r} is already in project {project.name!r} "
                "or earlier in this file",
                line=record.line,
                field="id",
            )
        existing.add(record.external_id)
        _check_record(schema, record)
        batch.append(record)
        if len(batch) >= BATCH_SIZE:
            flush()
    if batch:
        flush()
    return ImportSummary(
        items=totals[0], annotations=totals[1], accounts_created=annotators.created
    )


def _check_record(schema: LabelSchema, record: ItemRecord) -> None:
    try:
        schema.validate_payload(record.payload)
    except InvalidLabel as exc:
        raise ImportFailed(str(exc), line=record.line, field=exc.field) from exc
    if record.gold is not None:
        try:
            schema.validate(record.gold, payload=record.payload)
        except InvalidLabel as exc:
            raise ImportFailed(f"gold: {exc}", line=record.line, field="gold") from exc


def _validated_annotations(schema: LabelSchema, record: ItemRecord) -> list[AnnotationRecord]:
    seen: set[str] = set()
    checked = []
    for annotation in record.annotations:
        if annotation.annotator in seen:
            raise ImportFailed(
                f"annotator {annotation.annotator!r} labels this item twice", line=record.line
            )
        seen.add(annotation.annotator)
        try:
            value = schema.validate(annotation.value, payload=record.payload)
        except InvalidLabel as exc:
            raise ImportFailed(
                f"annotation by {annotation.annotator!r}: {exc}", line=record.line
            ) from exc
        checked.append(
            AnnotationRecord(
                annotator=annotation.annotator, value=value, lead_time_ms=annotation.lead_time_ms
            )
        )
    return checked


def import_labels(
    session: Session, project: Project, path: Path, *, progress: Progress | None = None
) -> ImportSummary:
    """Import existing labels from a ``worker,task,label`` CSV.

    Tasks become items (by external id) when the project lacks them; workers become
    annotator accounts, with a deterministic placeholder address when their id is not
    an Ethereum address.

    Raises:
        ImportFailed: naming the line and the reason (a label the schema rejects, a
            worker labelling a task twice, a malformed row); nothing is stored.
    """
    schema = project_schema(project)
    items: dict[str, tuple[int, dict[str, Any]]] = {
        external_id: (item_id, payload)
        for item_id, external_id, payload in session.execute(
            select(Item.id, Item.external_id, Item.payload).where(Item.project_id == project.id)
        )
    }
    taken = {
        (item_id, annotator_id)
        for item_id, annotator_id in session.execute(
            select(Assignment.item_id, Assignment.annotator_id).where(
                Assignment.project_id == project.id
            )
        )
    }
    added: dict[int, int] = {}
    annotators = _Annotators(session)
    pending: list[tuple[str, str, str, int]] = []
    totals = [0, 0]

    def flush() -> None:
        new_tasks = sorted({task for _, task, _, _ in pending if task not in items})
        if new_tasks:
            now = utcnow()
            ids = (
                session.execute(
                    _insert_items(),
                    [
                        {
                            "project_id": project.id,
                            "external_id": task,
                            "payload": {},
                            "is_gold": False,
                            "n_labels": 0,
                            "n_active": 0,
                            "label_target": project.redundancy_min,
                            "created_at": now,
                        }
                        for task in new_tasks
                    ],
                )
                .scalars()
                .all()
            )
            items.update(
                {task: (item_id, {}) for task, item_id in zip(new_tasks, ids, strict=True)}
            )
            totals[0] += len(new_tasks)
        annotators.resolve(worker for worker, _, _, _ in pending)
        rows = []
        for worker, task, label, line in pending:
            item_id, payload = items[task]
            account_id = annotators.ids[worker]
            if (item_id, account_id) in taken:
                raise ImportFailed(
                    f"worker {worker!r} has labelled task {task!r} already", line=line
                )
            taken.add((item_id, account_id))
            rows.append((item_id, account_id, _label_value(schema, label, payload, line), None))
            added[item_id] = added.get(item_id, 0) + 1
        _insert_annotations(session, project, rows)
        totals[1] += len(rows)
        if progress is not None:
            progress(len(pending))
        pending.clear()

    for record in read_labels_csv(path):
        pending.append((record.worker, record.task, record.label, record.line))
        if len(pending) >= BATCH_SIZE:
            flush()
    if pending:
        flush()
    if added:
        counts = ITEMS.c
        session.execute(
            update(ITEMS)
            .where(counts.id == bindparam("item_id"))
            .values(
                n_labels=counts.n_labels + bindparam("added"),
                n_active=counts.n_active + bindparam("added"),
            ),
            [{"item_id": item_id, "added": n} for item_id, n in sorted(added.items())],
        )
    session.flush()
    return ImportSummary(
        items=totals[0], annotations=totals[1], accounts_created=annotators.created
    )
