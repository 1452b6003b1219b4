"""Tests of the assignment rules."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.errors import (
    Forbidden,
    InvalidTransition,
    MissingDomain,
    MissingRole,
    NoWorkAvailable,
    UnknownAssignment,
)
from labelshare.services.annotations import submit_annotation
from labelshare.services.assignment import next_item, skip_item
from labelshare.services.exams import grade_exam, start_exam
from labelshare.services.projects import set_project_status
from labelshare.store.models import Item
from labelshare.store.types import utcnow
from tests.factories import add_items, make_account, make_project


class TestNextItem:
    def test_never_the_same_item_twice(self, session: Session) -> None:
        """An annotator who labelled every item gets no more work."""
        project = make_project(session, redundancy_min=3, redundancy_max=3)
        add_items(session, project, 3)
        annotator = make_account(session)
        seen = []
        for _ in range(3):
            lease = next_item(session, project, annotator)
            seen.append(lease.item.id)
            submit_annotation(session, project, annotator, item_id=lease.item.id, value="pos")
        assert len(set(seen)) == 3
        with pytest.raises(NoWorkAvailable, match="nothing left"):
            next_item(session, project, annotator)

    def test_returns_the_lease_already_held(self, session: Session) -> None:
        """Asking twice without submitting returns the same item, not a second lease."""
        project = make_project(session)
        add_items(session, project, 5)
        annotator = make_account(session)
        first = next_item(session, project, annotator)
        assert next_item(session, project, annotator).item.id == first.item.id

    def test_fewest_labels_first_and_redundancy_cap(self, session: Session) -> None:
        """Items fill evenly, and none gets more labels than its target."""
        project = make_project(session, redundancy_min=2, redundancy_max=2)
        items = add_items(session, project, 3)
        annotators = [make_account(session) for _ in range(7)]
        handed = []
        for annotator in annotators:
            try:
                lease = next_item(session, project, annotator)
            except NoWorkAvailable:
                handed.append(None)
                continue
            handed.append(lease.item.id)
            submit_annotation(session, project, annotator, item_id=lease.item.id, value="pos")
        ids = [item.id for item in items]
        assert handed[:3] == ids  # one label each before any item gets a second
        assert handed[3:6] == ids
        assert handed[6] is None  # 3 items x 2 labels: the seventh annotator gets nothing
        for item in items:
            session.refresh(item)
            assert item.n_labels == 2

    def test_domain_is_required(self, session: Session) -> None:
        """Only annotators with the project's domain get its items."""
        project = make_project(session, domain="radiology")
        add_items(session, project, 1)
        with pytest.raises(MissingDomain, match="needs the 'radiology' domain"):
            next_item(session, project, make_account(session))
        expert = make_account(session, domains=("radiology",))
        assert next_item(session, project, expert).item.project_id == project.id

    def test_requesters_do_not_annotate(self, session: Session) -> None:
        """An account without the annotator role gets no work."""
        project = make_project(session)
        add_items(session, project, 1)
        with pytest.raises(MissingRole, match="is not an annotator"):
            next_item(session, project, make_account(session, "requester"))

    def test_paused_project_hands_out_nothing(self, session: Session) -> None:
        """Only active projects hand out work."""
        project = make_project(session)
        add_items(session, project, 1)
        set_project_status(session, project, "paused")
        with pytest.raises(InvalidTransition, match="is paused, not active"):
            next_item(session, project, make_account(session))

    def test_expired_lease_frees_the_item(self, session: Session) -> None:
        """When a lease lapses, its slot goes to the next annotator."""
        project = make_project(session, redundancy_min=1, redundancy_max=1)
        (item,) = add_items(session, project, 1)
        slow, quick = make_account(session), make_account(session)
        now = utcnow()
        next_item(session, project, slow, lease_ttl_s=60, now=now)
        with pytest.raises(NoWorkAvailable):
            next_item(session, project, quick, now=now + timedelta(seconds=30))
        lease = next_item(session, project, quick, now=now + timedelta(seconds=61))
        assert lease.item.id == item.id
        session.refresh(item)
        assert item.n_active == 1

    def test_skip_frees_the_slot_and_never_returns(self, session: Session) -> None:
        """A skipped item goes to someone else and never back to the skipper."""
        project = make_project(session, redundancy_min=1, redundancy_max=1)
        add_items(session, project, 1)
        skipper, other = make_account(session), make_account(session)
        lease = next_item(session, project, skipper)
        skip_item(session, project, skipper, lease.item.id)
        with pytest.raises(NoWorkAvailable):
            next_item(session, project, skipper)
        assert next_item(session, project, other).item.id == lease.item.id

    def test_skip_requires_a_lease(self, session: Session) -> None:
        """Skipping an item one does not hold fails."""
        project = make_project(session)
        (item,) = add_items(session, project, 1)
        with pytest.raises(UnknownAssignment, match="not leased to you"):
            skip_item(session, project, make_account(session), item.id)


class TestGold:
    def test_gold_is_mixed_in_at_the_rate(self, session: Session) -> None:
        """About gold_rate of requests get a gold item while both kinds remain."""
        project = make_project(session, gold_rate=0.3, redundancy_min=1, redundancy_max=1)
        add_items(session, project, 200, gold=["pos"] * 100)
        rng = random.Random(3)
        gold_served = 0
        for _ in range(100):
            annotator = make_account(session)
            lease = next_item(session, project, annotator, rng=rng)
            gold_served += lease.item.is_gold
        assert 15 <= gold_served <= 45  # binomial(100, 0.3): far outside this is a bug

    def test_gold_looks_like_any_item(self, session: Session) -> None:
        """What the annotator receives for a gold item has no sign of the answer."""
        project = make_project(session, gold_rate=0.999)
        add_items(session, project, 2, gold=["neg"])
        lease = next_item(session, project, make_account(session), rng=random.Random(1))
        assert lease.item.is_gold
        assert "neg" not in str(lease.item.payload)

    def test_gold_seen_in_an_exam_is_not_served_again(self, session: Session) -> None:
        """Gold items an annotator answered in the domain's exam never come back as work."""
        project = make_project(session, gold_rate=0.999, domain="reviews", exam_size=2)
        add_items(session, project, 4, gold=["pos", "neg", "pos"])
        annotator = make_account(session)
        exam, asked = start_exam(session, project, annotator, rng=random.Random(3))
        grade_exam(session, annotator, exam.id, {item.id: item.gold for item in asked})
        lease = next_item(session, project, annotator, rng=random.Random(0))
        gold = [item.id for item in session.scalars(select(Item).where(Item.is_gold))]
        (unseen,) = set(gold) - {item.id for item in asked}
        assert unseen != min(gold)  # else the first gold item in line would pass anyway
        assert lease.item.id == unseen

    def test_no_gold_only_work(self, session: Session) -> None:
        """When regular items run out, nobody is served gold alone."""
        project = make_project(session, gold_rate=0.5, redundancy_min=1, redundancy_max=1)
        add_items(session, project, 3, gold=["pos", "neg"])
        first, second = make_account(session), make_account(session)
        lease = next_item(session, project, first, rng=random.Random(0))
        while lease.item.is_gold:
            submit_annotation(session, project, first, item_id=lease.item.id, value="pos")
            lease = next_item(session, project, first, rng=random.Random(0))
        submit_annotation(session, project, first, item_id=lease.item.id, value="pos")
        with pytest.raises(NoWorkAvailable):
            next_item(session, project, second, rng=random.Random(0))


class TestAdaptiveRedundancy:
    def test_disagreement_raises_the_target_up_to_max(self, session: Session) -> None:
        """An item whose labels disagree asks for more labels, never past the maximum."""
        project = make_project(session, redundancy_min=2, redundancy_max=3)
        (item,) = add_items(session, project, 1)
        for value in ["pos", "neg", "neu"]:
            annotator = make_account(session)
            lease = next_item(session, project, annotator)
            submit_annotation(session, project, annotator, item_id=lease.item.id, value=value)
        session.refresh(item)
        assert (item.n_labels, item.label_target) == (3, 3)
        with pytest.raises(NoWorkAvailable):
            next_item(session, project, make_account(session))

    def test_agreement_stops_at_min(self, session: Session) -> None:
        """Unanimous labels at the minimum end the item's labelling."""
        project = make_project(session, redundancy_min=2, redundancy_max=5)
        (item,) = add_items(session, project, 1)
        for _ in range(2):
            annotator = make_account(session)
            next_item(session, project, annotator)
            submit_annotation(session, project, annotator, item_id=item.id, value="pos")
        session.refresh(item)
        assert item.label_target == 2
        assert session.get(Item, item.id) is not None


class TestGoldWeightedRedundancy:
    def _label(self, session: Session, *, gold_answer: str) -> Item:
        """Two annotators answer three gold items with ``gold_answer``, then agree."""
        project = make_project(session, redundancy_min=2, redundancy_max=4, gold_rate=0.99)
        items = add_items(session, project, 4, gold=["pos", "pos", "pos"])
        regular = items[3]
        rng = random.Random(5)
        for _ in range(2):
            annotator = make_account(session)
            for _ in range(4):
                lease = next_item(session, project, annotator, rng=rng)
                value = gold_answer if lease.item.is_gold else "neu"
                submit_annotation(session, project, annotator, item_id=lease.item.id, value=value)
        session.refresh(regular)
        assert regular.n_labels == 2
        return regular

    def test_agreement_of_annotators_who_fail_gold_asks_for_more(self, session: Session) -> None:
        """Two annotators who got every gold item wrong do not settle an item together."""
        assert self._label(session, gold_answer="neg").label_target == 3

    def test_agreement_of_reliable_annotators_settles(self, session: Session) -> None:
        """The same agreement from annotators who passed gold settles the item at the minimum."""
        assert self._label(session, gold_answer="pos").label_target == 2

    def test_kinds_without_categories_use_unanimity(self, session: Session) -> None:
        """Free-text labels that differ ask for another label."""
        project = make_project(
            session, schema={"kind": "text", "max_length": 50}, redundancy_min=2, redundancy_max=3
        )
        (item,) = add_items(session, project, 1)
        for answer in ("a cat", "a dog"):
            annotator = make_account(session)
            next_item(session, project, annotator)
            submit_annotation(session, project, annotator, item_id=item.id, value=answer)
        session.refresh(item)
        assert item.label_target == 3


class TestGoldScreening:
    def test_annotator_failing_gold_gets_no_more_work(self, session: Session) -> None:
        """After enough wrong gold answers the annotator is refused further items."""
        project = make_project(session, gold_rate=0.99, redundancy_min=1, redundancy_max=1)
        add_items(session, project, 30, gold=["pos"] * 10)
        spammer = make_account(session)
        rng = random.Random(2)

        def label_until_refused() -> None:
            for _ in range(30):
                lease = next_item(session, project, spammer, rng=rng)
                submit_annotation(session, project, spammer, item_id=lease.item.id, value="neg")

        with pytest.raises(Forbidden, match="hidden gold answers right"):
            label_until_refused()

    def test_honest_annotator_is_not_stopped(self, session: Session) -> None:
        """Right gold answers never block, and screening can be switched off."""
        project = make_project(session, gold_rate=0.99, redundancy_min=1, redundancy_max=1)
        add_items(session, project, 12, gold=["pos"] * 10)
        honest, careless = make_account(session), make_account(session)
        rng = random.Random(2)
        for annotator, answer in ((honest, "pos"), (careless, "neg")):
            for _ in range(10):
                lease = next_item(session, project, annotator, rng=rng, screen_gold=False)
                submit_annotation(session, project, annotator, item_id=lease.item.id, value=answer)
        assert next_item(session, project, honest, rng=rng).item.project_id == project.id
        with pytest.raises(Forbidden):
            next_item(session, project, careless, rng=rng)
