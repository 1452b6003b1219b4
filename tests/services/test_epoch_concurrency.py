"""Epoch close on PostgreSQL waits for in-flight annotations instead of skipping them."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from labelshare.services import epochs
from labelshare.services.annotations import submit_annotation
from labelshare.services.assignment import next_item
from labelshare.services.projects import get_project
from labelshare.store.models import Account
from labelshare.store.session import make_engine, make_sessionmaker, unit_of_work
from tests.services.settlement_world import honest, label_round, make_world

_WAITING = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock' "
    "AND query LIKE 'LOCK TABLE%'"
)


def _race(url: str) -> tuple[bool, int, int | None]:
    """Close an epoch while another transaction holds an uncommitted annotation.

    Returns:
        Whether the close was seen waiting, the pending annotation's id, and the
        closed epoch's last annotation id.
    """
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        world = make_world(session, tag="inflight", n_items=6, answers=[honest(1.0)] * 3)
        label_round(session, world, per_annotator=1)
        annotator_id = world.annotators[0].id
    writer = sessions()
    project = get_project(writer, "world-inflight")
    annotator = writer.get(Account, annotator_id)
    assert annotator is not None
    lease = next_item(writer, project, annotator)
    pending = submit_annotation(writer, project, annotator, item_id=lease.item.id, value="pos")
    last_ids: list[int | None] = []
    failures: list[BaseException] = []

    def close() -> None:
        try:
            with unit_of_work(sessions) as session:
                outcome = epochs.close_epoch(session, get_project(session, "world-inflight"))
                last_ids.append(outcome.epoch.last_annotation_id)
        except BaseException as exc:  # handed to the test thread, which re-raises it
            failures.append(exc)

    closer = threading.Thread(target=close)
    closer.start()
    was_waiting = False
    with engine.connect() as watcher:
        for _ in range(1_200):  # up to a minute on a loaded machine
            seen = watcher.execute(_WAITING).scalar_one()
            # pg_stat_activity is a snapshot per transaction: end it to see changes.
            watcher.rollback()
            if seen:
                was_waiting = True
                break
            if not closer.is_alive():
                break
            time.sleep(0.05)
    closer.join(timeout=0 if was_waiting else 60)
    writer.commit()
    writer.close()
    closer.join(timeout=60)
    engine.dispose()
    if failures:
        raise failures[0]
    return was_waiting, pending.id, last_ids[0] if last_ids else None


@pytest.mark.parametrize("fresh_database_url", ["postgresql"], indirect=True)
class TestInFlightAnnotations:
    def test_close_waits_for_an_uncommitted_annotation(self, fresh_database_url: str) -> None:
        """An annotation inserted before the close but committed after it is in the epoch."""
        was_waiting, pending_id, last_id = _race(fresh_database_url)
        assert was_waiting
        assert last_id is not None and last_id >= pending_id

    def test_without_the_lock_the_annotation_would_be_skipped(
        self, fresh_database_url: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without the table lock the close does not wait and leaves the annotation out."""
        monkeypatch.setattr(epochs, "_lock_annotations", lambda session: None)
        was_waiting, pending_id, last_id = _race(fresh_database_url)
        assert not was_waiting
        assert last_id is not None and last_id < pending_id
