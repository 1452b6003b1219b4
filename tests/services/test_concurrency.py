"""Assignment under concurrency: 16 annotator threads against one real database."""

from __future__ import annotations

import random
import threading

import pytest
from sqlalchemy import func, select

from labelshare.errors import NoWorkAvailable
from labelshare.services.accounts import ensure_account
from labelshare.services.annotations import submit_annotation
from labelshare.services.assignment import next_item
from labelshare.store.models import Annotation, Item, Project
from labelshare.store.session import make_engine, make_sessionmaker, unit_of_work
from tests.factories import add_items, make_project, new_address

THREADS = 16
ITEMS = 60
REDUNDANCY = (2, 4)


@pytest.mark.parametrize("fresh_database_url", ["sqlite", "postgresql"], indirect=True)
def test_sixteen_annotators_never_exceed_redundancy(fresh_database_url: str) -> None:
    """No item gets more labels than its redundancy allows; nobody labels an item twice."""
    engine = make_engine(fresh_database_url, pool_size=THREADS + 2)
    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        project = make_project(session, redundancy_min=REDUNDANCY[0], redundancy_max=REDUNDANCY[1])
        add_items(session, project, ITEMS)
        project_id = project.id
        annotator_ids = [
            ensure_account(session, new_address(), roles=["annotator"]).id for _ in range(THREADS)
        ]
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def work(annotator_id: int, seed: int) -> None:
        rng = random.Random(seed)
        start.wait()
        try:
            while True:
                with unit_of_work(sessions) as session:
                    project = session.get(Project, project_id)
                    from labelshare.store.models import Account

                    annotator = session.get(Account, annotator_id)
                    assert project is not None and annotator is not None
                    try:
                        lease = next_item(session, project, annotator, rng=rng)
                    except NoWorkAvailable:
                        return
                with unit_of_work(sessions) as session:
                    project = session.get(Project, project_id)
                    annotator = session.get(Account, annotator_id)
                    assert project is not None and annotator is not None
                    submit_annotation(
                        session,
                        project,
                        annotator,
                        item_id=lease.item.id,
                        value=rng.choice(["pos", "neg"]),
                    )
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [
        threading.Thread(target=work, args=(annotator_id, n))
        for n, annotator_id in enumerate(annotator_ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[0]

    with unit_of_work(sessions) as session:
        per_item = {
            item_id: count
            for item_id, count in session.execute(
                select(Annotation.item_id, func.count()).group_by(Annotation.item_id)
            )
        }
        pairs = session.execute(
            select(Annotation.item_id, Annotation.annotator_id, func.count())
            .group_by(Annotation.item_id, Annotation.annotator_id)
            .having(func.count() > 1)
        ).all()
        items = session.scalars(select(Item).where(Item.project_id == project_id)).all()
    engine.dispose()
    assert pairs == []
    assert len(per_item) == ITEMS
    assert max(per_item.values()) <= REDUNDANCY[1]
    assert min(per_item.values()) >= REDUNDANCY[0]
    for item in items:
        assert item.n_labels == per_item[item.id] == item.n_active
        assert item.n_labels <= item.label_target
