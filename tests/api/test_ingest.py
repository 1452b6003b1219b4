"""Tests of the group-commit writer behind POST /annotations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future

import pytest
from sqlalchemy import func, select

from labelshare.errors import InvalidInput, UnknownAssignment
from labelshare.services.annotations import Stored, Submission
from labelshare.services.assignment import next_item
from labelshare.services.ingest import GroupCommitWriter
from labelshare.store.models import Annotation
from labelshare.store.session import make_engine, make_sessionmaker, unit_of_work
from tests.factories import add_items, make_account, make_project


@pytest.fixture
def leased(fresh_database_url: str) -> Iterator[tuple[GroupCommitWriter, int, int, list[int], str]]:
    """A writer, and an annotator holding a lease on one item of an active project."""
    engine = make_engine(fresh_database_url)
    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        project = make_project(session)
        add_items(session, project, 3)
        annotator = make_account(session, "annotator")
        first = next_item(session, project, annotator).item.id
    yield GroupCommitWriter(sessions), project.id, annotator.id, [first], fresh_database_url
    engine.dispose()


class TestGroupCommitWriter:
    """GroupCommitWriter._write and its futures."""

    def test_bad_label_does_not_undo_batch(
        self, leased: tuple[GroupCommitWriter, int, int, list[int], str]
    ) -> None:
        """In one batch, a label the schema rejects fails alone; the good one is stored."""
        writer, project_id, annotator_id, (item_id,), url = leased
        good: Future[Stored] = Future()
        bad: Future[Stored] = Future()
        stray: Future[Stored] = Future()
        writer._write(
            [
                (Submission(annotator_id, project_id, item_id, "maybe"), bad),
                (Submission(annotator_id, project_id, item_id, "pos"), good),
                (Submission(annotator_id, project_id, item_id + 1, "pos"), stray),
            ]
        )
        assert good.result().value == "pos"
        assert not good.result().replayed
        with pytest.raises(InvalidInput, match="value"):
            bad.result()
        with pytest.raises(UnknownAssignment, match="not assigned to you"):
            stray.result()
        engine = make_engine(url)
        with unit_of_work(make_sessionmaker(engine)) as session:
            assert session.scalar(select(func.count()).select_from(Annotation)) == 1
        engine.dispose()

    def test_same_key_twice_in_one_batch(
        self, leased: tuple[GroupCommitWriter, int, int, list[int], str]
    ) -> None:
        """Two copies of one keyed label in a batch store one row; the second is a replay."""
        writer, project_id, annotator_id, (item_id,), _ = leased
        first: Future[Stored] = Future()
        second: Future[Stored] = Future()
        submission = Submission(annotator_id, project_id, item_id, "neg", idempotency_key="k")
        writer._write([(submission, first), (submission, second)])
        assert first.result().id == second.result().id
        assert (first.result().replayed, second.result().replayed) == (False, True)

    def test_thread_resolves_after_commit(
        self, leased: tuple[GroupCommitWriter, int, int, list[int], str]
    ) -> None:
        """Through the thread, a submission's future holds the committed label."""
        writer, project_id, annotator_id, (item_id,), _ = leased
        writer.start()
        try:
            stored = writer.submit(Submission(annotator_id, project_id, item_id, "neu")).result(30)
        finally:
            writer.stop()
        assert stored.item_id == item_id


@pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)
def test_two_writers_race_on_one_key(
    leased: tuple[GroupCommitWriter, int, int, list[int], str],
) -> None:
    """Two processes' writers storing one keyed label at once store it once; both answer it."""
    writer, project_id, annotator_id, (item_id,), url = leased
    engine = make_engine(url)
    other = GroupCommitWriter(make_sessionmaker(engine))
    submission = Submission(annotator_id, project_id, item_id, "pos", idempotency_key="race")
    futures: list[Future[Stored]] = [Future(), Future()]
    threads = [
        threading.Thread(target=w._write, args=([(submission, f)],))
        for w, f in zip((writer, other), futures, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    first, second = (future.result(0) for future in futures)
    assert first.id == second.id
    assert sorted((first.replayed, second.replayed)) == [False, True]
    with unit_of_work(make_sessionmaker(engine)) as session:
        assert session.scalar(select(func.count()).select_from(Annotation)) == 1
    engine.dispose()
