"""Group commit: one writer thread stores submitted labels and commits them in batches.

Request handlers hand a ``Submission`` to ``GroupCommitWriter.submit`` and wait on the
returned future, which resolves only after the commit that made the label durable.
The writer takes whatever has queued since its last commit (no fixed timer: under
light load a batch is one label, under heavy load hundreds), applies each through
the same ``submit_annotation`` the rest of the code uses, each inside a savepoint so
that one bad label does not undo its batch, and commits once. With SQLite this makes
the writer the only one queueing for the database lock on the hot path, so "database
is locked" cannot happen there; with PostgreSQL each worker process has its own writer.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from labelshare.errors import Conflict, UnknownAccount
from labelshare.schema import value_sha256
from labelshare.services.access import visible_project
from labelshare.services.annotations import find_replay, submit_annotation, validate_value
from labelshare.store.models import Account
from labelshare.store.repositories import ItemRepository
from labelshare.store.types import utcnow

MAX_BATCH = 512


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
    """A label once committed; ``replayed`` when an earlier request had stored it."""

    id: int
    project_id: int
    item_id: int
    value: Any
    value_sha256: str
    supersedes_id: int | None
    created_at: datetime
    replayed: bool


_Job = tuple[Submission, "Future[Stored]"]


class GroupCommitWriter:
    """The single writer of labels for one process.

    Args:
        sessions: where to open the writer's sessions.
        max_batch: most labels committed together.
    """

    def __init__(self, sessions: sessionmaker[Session], *, max_batch: int = MAX_BATCH) -> None:
        """Set up; nothing runs until ``start``."""
        self._sessions = sessions
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the writer thread."""
        self._thread = threading.Thread(target=self._run, name="label-writer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish what is queued, then stop the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def submit(self, submission: Submission) -> Future[Stored]:
        """Queue ``submission``; the future resolves after its commit (or fails with why)."""
        future: Future[Stored] = Future()
        self._queue.put((submission, future))
        return future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stopping = False
            while len(batch) < self._max_batch:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stopping = True
                    break
                batch.append(job)
            self._write(batch)
            if stopping:
                return

    def _write(self, batch: list[_Job]) -> None:
        now = utcnow()
        results: list[Stored | BaseException] = []
        raced: list[int] = []
        created: set[int] = set()
        # The session's identity map holds objects weakly: keep the batch's accounts and
        # projects alive so that each is loaded once per batch, not once per label.
        held: dict[tuple[str, int], object] = {}
        try:
            with self._sessions() as session:
                for position, (submission, _) in enumerate(batch):
                    try:
                        with session.begin_nested():
                            results.append(_apply(session, submission, now, created, held))
                    except (IntegrityError, Conflict) as exc:
                        # Perhaps another process stored the same keyed label first: it
                        # held the lease (Conflict) or won the unique key (IntegrityError).
                        results.append(exc)
                        raced.append(position)
                    except Exception as exc:  # handed to the request that sent it
                        results.append(exc)
                session.commit()
                for position in raced:
                    results[position] = _after_race(session, batch[position][0], results[position])
                session.rollback()
        except BaseException as exc:  # the commit itself failed: nothing was stored
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                future.set_exception(result)
            else:
                future.set_result(result)


def _account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise UnknownAccount(f"account: no account {account_id}")
    return account


def _apply(
    session: Session,
    submission: Submission,
    now: datetime,
    created: set[int],
    held: dict[tuple[str, int], object],
) -> Stored:
    annotator = _account(session, submission.annotator_id)
    project = visible_project(session, annotator, submission.project_id)
    held[("account", annotator.id)] = annotator
    held[("project", project.id)] = project
    annotation = submit_annotation(
        session,
        project,
        annotator,
        item_id=submission.item_id,
        value=submission.value,
        lead_time_ms=submission.lead_time_ms,
        idempotency_key=submission.idempotency_key,
        signature=submission.signature,
        nonce=submission.nonce,
        supersedes_id=submission.supersedes_id,
        now=now,
    )
    # A replay was stored by an earlier batch (older time) or earlier in this one.
    replayed = annotation.created_at != now or annotation.id in created
    created.add(annotation.id)
    return Stored(
        id=annotation.id,
        project_id=annotation.project_id,
        item_id=annotation.item_id,
        value=annotation.value,
        value_sha256=annotation.value_sha256,
        supersedes_id=annotation.supersedes_id,
        created_at=annotation.created_at,
        replayed=replayed,
    )


def _after_race(
    session: Session, submission: Submission, error: Stored | BaseException
) -> Stored | BaseException:
    if submission.idempotency_key is None:
        if isinstance(error, IntegrityError):
            return Conflict("nonce: this label collides with a stored one")
        return error
    annotator = _account(session, submission.annotator_id)
    project = visible_project(session, annotator, submission.project_id)
    item = ItemRepository(session).get_in_project(project.id, submission.item_id)
    if item is None:
        return error
    digest = value_sha256(validate_value(project, item, submission.value))
    try:
        replay = find_replay(session, annotator, submission.idempotency_key, item.id, digest)
    except Conflict as exc:
        return exc
    if replay is None:
        return error
    return Stored(
        id=replay.id,
        project_id=replay.project_id,
        item_id=replay.item_id,
        value=replay.value,
        value_sha256=replay.value_sha256,
        supersedes_id=replay.supersedes_id,
        created_at=replay.created_at,
        replayed=True,
    )
