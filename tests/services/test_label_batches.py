"""Tests of ``store_labels``: a batch stores exactly what one label at a time would."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from eth_account import Account as EthAccount
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from labelshare.chain.eip712 import sign_annotation
from labelshare.errors import AlreadyAnnotated, Conflict, LabelshareError, UnknownAssignment
from labelshare.schema import value_sha256
from labelshare.services.accounts import ensure_account
from labelshare.services.annotations import Outcome, Stored, Submission, store_labels
from labelshare.store.models import Account, Annotation, Assignment, Item, Project
from labelshare.store.types import utcnow
from tests.factories import add_items, make_account, make_project

N_ITEMS = 4
N_ANNOTATORS = 3


class World:
    """A project whose items are all leased to each of three annotators."""

    def __init__(self, session: Session, **terms: Any) -> None:
        self.project: Project = make_project(session, redundancy_min=1, redundancy_max=3, **terms)
        self.items: list[Item] = add_items(session, self.project, N_ITEMS)
        self.annotators: list[Account] = [make_account(session) for _ in range(N_ANNOTATORS)]
        now = utcnow()
        session.execute(
            insert(Assignment),
            [
                {
                    "project_id": self.project.id,
                    "item_id": item.id,
                    "annotator_id": annotator.id,
                    "status": "leased",
                    "leased_at": now,
                    "expires_at": now + timedelta(hours=1),
                }
                for item in self.items
                for annotator in self.annotators
            ],
        )
        session.flush()

    def submission(self, annotator: int, item: int, value: Any, **fields: Any) -> Submission:
        """A label by annotator number ``annotator`` of item number ``item``."""
        return Submission(
            annotator_id=self.annotators[annotator].id,
            project_id=self.project.id,
            item_id=self.items[item].id,
            value=value,
            **fields,
        )


@pytest.fixture
def world(session: Session) -> World:
    """Three annotators holding leases on every item of a four-item project."""
    return World(session)


def _state(session: Session, world: World) -> tuple[object, ...]:
    """What the labels left in the database, free of generated ids."""
    labels = sorted(
        session.execute(
            select(
                Annotation.annotator_id,
                Annotation.item_id,
                Annotation.value_sha256,
                Annotation.idempotency_key,
            ).where(Annotation.project_id == world.project.id)
        ).all()
    )
    items = sorted(
        session.execute(
            select(Item.id, Item.n_labels, Item.label_target).where(
                Item.project_id == world.project.id
            )
        ).all()
    )
    leases = sorted(
        session.execute(
            select(Assignment.item_id, Assignment.annotator_id, Assignment.status).where(
                Assignment.project_id == world.project.id
            )
        ).all()
    )
    return tuple(labels), tuple(items), tuple(leases)


def _counts(session: Session, item: Item) -> tuple[int, int]:
    """The item's label count and label target as stored now."""
    row = session.execute(select(Item.n_labels, Item.label_target).where(Item.id == item.id)).one()
    return row.n_labels, row.label_target


def _shape(outcomes: list[Outcome]) -> list[tuple[object, ...]]:
    """Each outcome without ids: errors by type, stored labels by the label that made them."""
    made_by: dict[int, int] = {}
    shapes: list[tuple[object, ...]] = []
    for position, outcome in enumerate(outcomes):
        if isinstance(outcome, LabelshareError):
            shapes.append((type(outcome).__name__,))
            continue
        made_by.setdefault(outcome.id, position)
        shapes.append(("stored", outcome.item_id, outcome.value, outcome.replayed))
        shapes.append(("made by", made_by[outcome.id]))
    return shapes


submissions = st.lists(
    st.tuples(
        st.integers(0, N_ANNOTATORS - 1),
        st.integers(0, N_ITEMS - 1),
        st.sampled_from(["pos", "neg", "neu", "maybe"]),
        st.sampled_from([None, None, "k1", "k2"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(drawn=submissions)
def test_batch_equals_one_at_a_time(session: Session, world: World, drawn: list[Any]) -> None:
    """Any mix of repeats, keys and bad values: same outcomes and rows as one by one."""
    batch = [
        world.submission(annotator, item, value, idempotency_key=key)
        for annotator, item, value, key in drawn
    ]
    with session.begin_nested() as alone:
        one_by_one = [store_labels(session, [s])[0] for s in batch]
        expected = _state(session, world)
        alone.rollback()
    with session.begin_nested() as together:
        batched = store_labels(session, batch)
        got = _state(session, world)
        together.rollback()
    assert _shape(batched) == _shape(one_by_one)
    assert got == expected


class TestBatches:
    def test_repeats_within_a_batch(self, session: Session, world: World) -> None:
        """A second label of one lease is refused; a repeated key replays the first label."""
        outcomes = store_labels(
            session,
            [
                world.submission(0, 0, "pos"),
                world.submission(0, 0, "neg"),
                world.submission(1, 0, "neg", idempotency_key="a"),
                world.submission(1, 0, "neg", idempotency_key="a"),
                world.submission(1, 1, "pos", idempotency_key="a"),
            ],
        )
        first, repeat, keyed, replay, reused = outcomes
        assert isinstance(first, Stored) and not first.replayed
        assert isinstance(repeat, AlreadyAnnotated)
        assert isinstance(keyed, Stored) and isinstance(replay, Stored)
        assert (replay.id, replay.replayed) == (keyed.id, True)
        assert isinstance(reused, Conflict) and "idempotency_key" in str(reused)
        assert _counts(session, world.items[0])[0] == 2

    def test_nonce_used_twice_in_a_batch(self, session: Session) -> None:
        """Two signed labels under one nonce: the first is stored, the second refused."""
        wallet = EthAccount.create()
        world = World(session, requires_signature=True)
        signer = ensure_account(session, wallet.address, roles=["annotator"])
        world.annotators[0] = signer
        now = utcnow()
        session.execute(
            insert(Assignment),
            [
                {
                    "project_id": world.project.id,
                    "item_id": item.id,
                    "annotator_id": signer.id,
                    "status": "leased",
                    "leased_at": now,
                    "expires_at": now + timedelta(hours=1),
                }
                for item in world.items
            ],
        )

        def signed(item: int) -> Submission:
            item_id = world.items[item].id
            signature = sign_annotation(
                bytes(wallet.key), world.project.id, item_id, value_sha256("pos"), "n"
            )
            return world.submission(0, item, "pos", nonce="n", signature=signature)

        first, second = store_labels(session, [signed(0), signed(1)])
        assert isinstance(first, Stored)
        assert isinstance(second, Conflict) and "nonce" in str(second)
        (later,) = store_labels(session, [signed(2)])
        assert isinstance(later, Conflict) and f"annotation {first.id}" in str(later)

    def test_correction_in_the_same_batch_as_other_labels(
        self, session: Session, world: World
    ) -> None:
        """A correction of an earlier label is stored beside first labels of other items."""
        (earlier,) = store_labels(session, [world.submission(0, 0, "pos")])
        assert isinstance(earlier, Stored)
        outcomes = store_labels(
            session,
            [
                world.submission(0, 0, "neg", supersedes_id=earlier.id),
                world.submission(0, 1, "neu"),
                world.submission(0, 0, "neu", supersedes_id=earlier.id),
            ],
        )
        correction, other, again = outcomes
        assert isinstance(correction, Stored) and correction.supersedes_id == earlier.id
        assert isinstance(other, Stored)
        assert isinstance(again, Conflict) and "corrected already" in str(again)
        # A correction does not count as another label of the item.
        assert _counts(session, world.items[0])[0] == 1

    def test_disagreement_in_one_batch_asks_for_more(self, session: Session) -> None:
        """Two disagreeing labels of an item in one batch raise its label target."""
        world = World(session)
        session.execute(
            Item.__table__.update().where(Item.id == world.items[0].id).values(label_target=2)
        )
        store_labels(session, [world.submission(0, 0, "pos"), world.submission(1, 0, "neg")])
        assert _counts(session, world.items[0]) == (2, 3)

    def test_unknown_and_foreign_labels_fail_alone(self, session: Session, world: World) -> None:
        """A label without a lease and one by an unknown account fail; the rest is stored."""
        stranger = make_account(session)
        outcomes = store_labels(
            session,
            [
                Submission(stranger.id, world.project.id, world.items[0].id, "pos"),
                world.submission(2, 3, "pos"),
                Submission(10**9, world.project.id, world.items[0].id, "pos"),
            ],
        )
        assert isinstance(outcomes[0], UnknownAssignment)
        assert isinstance(outcomes[1], Stored)
        assert "no account" in str(outcomes[2])
