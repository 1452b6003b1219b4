"""Group commit: one writer thread stores submitted labels and commits them in batches.

Request handlers hand a ``Submission`` to ``GroupCommitWriter.submit`` and wait on the
returned future, which resolves only after the commit that made the label durable.
The writer takes whatever has queued since its last commit (no fixed timer: under
light load a batch is one label, under heavy load hundreds), stores the batch through
``store_labels`` (a refused label fails alone) and commits once. With SQLite this makes
the writer the only one queueing for the database lock on the hot path, so "database
is locked" cannot happen there; with PostgreSQL each worker process has its own writer,
and when another process stored a keyed label first (a unique key fails), the batch is
rolled back and each label retried alone, so the loser answers with the stored label.
"""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from labelshare.errors import Conflict
from labelshare.services.annotations import Outcome, Stored, Submission, store_labels
from labelshare.store.types import utcnow

__all__ = ["MAX_BATCH", "GroupCommitWriter", "Stored", "Submission"]

MAX_BATCH = 512

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
        submissions = [submission for submission, _ in batch]
        try:
            with self._sessions() as session:
                try:
                    outcomes = store_labels(session, submissions, now=utcnow())
                except IntegrityError:
                    session.rollback()
                    outcomes = _one_by_one(session, submissions)
                session.commit()
        except BaseException as exc:  # the commit itself failed: nothing was stored
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)


def _one_by_one(session: Session, submissions: list[Submission]) -> list[Outcome]:
    """Store each label in its own savepoint, after another process won a unique key."""
    now = utcnow()
    outcomes: list[Outcome] = []
    for submission in submissions:
        try:
            with session.begin_nested():
                outcomes += store_labels(session, [submission], now=now)
        except IntegrityError:
            # Its twin is still uncommitted in the other process: neither stored nor safe.
            outcomes.append(
                Conflict("annotation: another request is storing the same label; retry")
            )
    return outcomes
