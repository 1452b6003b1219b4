"""Epoch settlement of kinds without classes: spans, rubrics (structured) and pairwise."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import ClassVar

import numpy as np
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from labelshare.errors import InvalidInput, InvalidTransition
from labelshare.incentives import EpochSettlement
from labelshare.ledger import escrow_account
from labelshare.schema import value_sha256
from labelshare.services.audit import audit
from labelshare.services.epoch_weights import settlement_method
from labelshare.services.epochs import EpochOutcome, close_epoch, list_epochs
from labelshare.services.funding import fund_project
from labelshare.services.journal import balance_of, journal_length
from labelshare.store.models import Annotation, EpochReport, Item
from tests.services.kind_world import (
    CRITERIA,
    PAIRWISE_SCHEMA,
    RUBRIC_SCHEMA,
    SPANS_SCHEMA,
    always_a,
    always_left,
    honest_choice,
    honest_rubric,
    honest_spans,
    make_kind_world,
    pairwise_item,
    random_rubric,
    random_spans,
    rubric_item,
    spans_item,
)
from tests.services.settlement_world import TOKEN, World, honest, label_round, make_world
from tests.services.test_audit import _drop_immutability

ESCROW = 1000 * TOKEN
_ANNOTATIONS = Annotation.metadata.tables["annotations"]


def _spans_world(session: Session) -> World:
    rng = random.Random(3)
    world = make_kind_world(
        session,
        tag="spans",
        schema=SPANS_SCHEMA,
        payloads=[spans_item(rng) for _ in range(40)],
        answers=[honest_spans(0.9)] * 4 + [random_spans],
        n_gold=6,
    )
    fund_project(session, world.project, amount=ESCROW)
    label_round(session, world, per_annotator=40)
    return world


def _pairwise_world(session: Session) -> World:
    rng = random.Random(3)
    world = make_kind_world(
        session,
        tag="pairwise",
        schema=PAIRWISE_SCHEMA,
        payloads=[pairwise_item(rng) for _ in range(40)],
        answers=[honest_choice(0.9)] * 4 + [always_a, always_left],
        n_gold=6,
        redundancy=5,
    )
    fund_project(session, world.project, amount=ESCROW)
    label_round(session, world, per_annotator=40)
    return world


def _rubric_world(session: Session) -> World:
    rng = random.Random(5)
    world = make_kind_world(
        session,
        tag="rubric",
        schema=RUBRIC_SCHEMA,
        payloads=[rubric_item(rng) for _ in range(40)],
        answers=[honest_rubric(0.8)] * 4 + [random_rubric],
        n_gold=4,
    )
    fund_project(session, world.project, amount=ESCROW)
    label_round(session, world, per_annotator=40)
    return world


def _per_label(outcome: EpochOutcome) -> np.ndarray:
    assert outcome.settlement is not None and outcome.labels is not None
    counts = np.bincount(outcome.labels.label_annotator)
    return np.asarray(outcome.settlement.rewards, dtype=np.float64) / counts / TOKEN


def _assert_conserved(session: Session, settlement: EpochSettlement) -> None:
    paid = sum(settlement.rewards)
    debited = ESCROW + sum(settlement.slashes) - settlement.escrow_balance
    assert paid == debited
    assert balance_of(session, escrow_account(settlement.project_id)) == settlement.escrow_balance


class SettlesLikeEveryKind:
    """What every kind's epoch must do; each test class names its world and method."""

    build: ClassVar[Callable[[Session], World]]
    method: ClassVar[str] = "structured"

    def test_paid_equals_debited(self, session: Session) -> None:
        """What the epoch pays equals what the escrow lost, to the base unit."""
        world = self.build(session)
        settlement = close_epoch(session, world.project).settlement
        assert settlement is not None and sum(settlement.rewards) > 0
        _assert_conserved(session, settlement)

    def test_closing_twice_changes_nothing(self, session: Session) -> None:
        """A second close with nothing new returns the same epoch and writes nothing."""
        world = self.build(session)
        first = close_epoch(session, world.project)
        length = journal_length(session)
        again = close_epoch(session, world.project)
        assert not again.is_new and again.epoch.id == first.epoch.id
        assert journal_length(session) == length
        assert len(list_epochs(session, world.project)) == 1

    def test_audit_recomputes_with_the_stored_method(self, session: Session) -> None:
        """The epoch stores its kind's method and audit recomputes it clean."""
        world = self.build(session)
        epoch = close_epoch(session, world.project).epoch
        report = session.get(EpochReport, epoch.id)
        assert report is not None and report.estimator == self.method
        result = audit(session)
        assert result.is_clean, result.finding
        assert result.epochs == 1


class TestSpansEpoch(SettlesLikeEveryKind):
    build = staticmethod(_spans_world)

    def test_random_tagger_earns_far_less_per_label(self, session: Session) -> None:
        """An annotator tagging random words earns under a fifth of the honest pay per label."""
        world = _spans_world(session)
        outcome = close_epoch(session, world.project)
        assert outcome.labels is not None and outcome.labels.label_value is None
        per_label = _per_label(outcome)
        honest, spammer = per_label[:4], per_label[4]
        assert honest.min() > 0.3
        assert spammer < 0.2 * honest.mean()

    def test_honest_taggers_are_paid_on_quality(self, session: Session) -> None:
        """Without a spammer every annotator earns and gold answers mostly count as right."""
        rng = random.Random(4)
        world = make_kind_world(
            session,
            tag="spans-honest",
            schema=SPANS_SCHEMA,
            payloads=[spans_item(rng) for _ in range(20)],
            answers=[honest_spans(0.9)] * 4,
            n_gold=5,
        )
        fund_project(session, world.project, amount=ESCROW)
        label_round(session, world, per_annotator=20)
        outcome = close_epoch(session, world.project)
        assert outcome.labels is not None
        assert (_per_label(outcome) > 0.3).all()
        assert outcome.labels.gold_correct.sum() >= 0.7 * outcome.labels.gold_total.sum()

    def test_audit_catches_a_changed_span(self, session: Session) -> None:
        """A settled spans label rewritten (hash and all) makes the recomputed epoch differ."""
        world = _spans_world(session)
        close_epoch(session, world.project)
        annotation = session.query(Annotation).order_by(Annotation.id).first()
        assert annotation is not None
        forged: list[dict[str, object]] = []
        _drop_immutability(session)
        session.execute(
            update(_ANNOTATIONS)
            .where(_ANNOTATIONS.c.id == annotation.id)
            .values(value=forged, value_sha256=value_sha256(forged))
        )
        session.expire_all()
        result = audit(session)
        assert not result.is_clean
        assert result.finding is not None and result.finding.check == "report"

    def test_categorical_estimator_is_refused(self, session: Session) -> None:
        """Naming a categorical estimator for a spans project is an error on ``estimator``."""
        world = _spans_world(session)
        with pytest.raises(InvalidInput, match="estimator: 'ds' applies to categorical"):
            close_epoch(session, world.project, estimator="ds")


class TestPairwiseEpoch(SettlesLikeEveryKind):
    build = staticmethod(_pairwise_world)
    method = "preference"

    def test_always_a_and_always_left_earn_far_less(self, session: Session) -> None:
        """Annotators who always pick A or the left response earn under a fifth per label."""
        world = _pairwise_world(session)
        outcome = close_epoch(session, world.project)
        assert outcome.labels is not None and outcome.labels.label_value is None
        per_label = _per_label(outcome)
        honest = per_label[:4]
        assert honest.min() > 0.3
        assert per_label[4] < 0.2 * honest.mean()
        assert per_label[5] < 0.2 * honest.mean()

    def test_inferred_choice_is_the_better_response(self, session: Session) -> None:
        """The epoch infers, per pairwise item, the response honest annotators prefer."""
        world = _pairwise_world(session)
        labels = close_epoch(session, world.project).labels
        assert labels is not None
        truth = {item.id: "AB".index(item.payload["truth"]) for item in world.items}
        inferred = dict(zip(labels.item_ids.tolist(), labels.inferred.tolist(), strict=True))
        right = sum(1 for item_id, choice in inferred.items() if truth[item_id] == choice)
        assert right >= 0.9 * len(inferred)

    def test_spans_have_no_inferred_class(self, session: Session) -> None:
        """Kinds other than pairwise report -1 rather than a made-up class index."""
        world = _spans_world(session)
        labels = close_epoch(session, world.project).labels
        assert labels is not None and labels.item_ids.size > 0
        assert (labels.inferred == -1).all()

    def test_audit_is_clean_over_two_epochs(self, session: Session) -> None:
        """Two pairwise epochs store ``preference`` and audit recomputes both clean."""
        world = _pairwise_world(session)
        first = close_epoch(session, world.project).epoch
        extra = make_kind_world(
            session,
            tag="pairwise-more",
            schema=PAIRWISE_SCHEMA,
            payloads=[pairwise_item(random.Random(9)) for _ in range(5)],
            answers=[honest_choice(0.9)] * 3,
            redundancy=3,
        )
        fund_project(session, extra.project, amount=ESCROW)
        label_round(session, extra, per_annotator=5)
        close_epoch(session, extra.project)
        report = session.get(EpochReport, first.id)
        assert report is not None and report.estimator == "preference"
        result = audit(session)
        assert result.is_clean, result.finding
        assert result.epochs == 2

    def test_always_a_fails_gold(self, session: Session) -> None:
        """Gold counts a choice as right only when it names the better response."""
        world = _pairwise_world(session)
        labels = close_epoch(session, world.project).labels
        assert labels is not None
        honest_rate = labels.gold_correct[:4].sum() / labels.gold_total[:4].sum()
        assert honest_rate > 0.8
        assert labels.gold_correct[4] < labels.gold_total[4]


class TestRubricEpoch(SettlesLikeEveryKind):
    build = staticmethod(_rubric_world)

    def test_random_scorer_earns_far_less_per_label(self, session: Session) -> None:
        """Honest scorers earn; one scoring at random earns under a quarter of the worst."""
        world = _rubric_world(session)
        outcome = close_epoch(session, world.project)
        assert outcome.labels is not None and outcome.labels.label_value is None
        assert outcome.labels.chance_level == 0.0
        per_label = _per_label(outcome)
        honest, scorer = per_label[:4], per_label[4]
        assert honest.min() > 0.3
        assert scorer < 0.25 * honest.min()

    def test_aggregated_rubric_is_stored_on_the_items(self, session: Session) -> None:
        """Closing stores per item the scores of every criterion, mostly the true ones."""
        world = _rubric_world(session)
        close_epoch(session, world.project)
        session.expire_all()
        items = session.query(Item).filter(Item.project_id == world.project.id).all()
        right = total = 0
        for item in items:
            assert item.inferred is not None and set(item.inferred) == set(CRITERIA)
            assert item.inferred_confidence is not None
            assert 0.0 <= item.inferred_confidence <= 1.0
            right += sum(item.inferred[c] == item.payload["truth"][c] for c in CRITERIA)
            total += len(CRITERIA)
        assert right >= 0.85 * total

    def test_audit_catches_a_changed_score(self, session: Session) -> None:
        """A settled rubric label rewritten (hash and all) makes the recomputed epoch differ."""
        world = _rubric_world(session)
        close_epoch(session, world.project)
        annotation = session.query(Annotation).order_by(Annotation.id).first()
        assert annotation is not None
        forged = {c: 6 - annotation.value[c] for c in CRITERIA}
        _drop_immutability(session)
        session.execute(
            update(_ANNOTATIONS)
            .where(_ANNOTATIONS.c.id == annotation.id)
            .values(value=forged, value_sha256=value_sha256(forged))
        )
        session.expire_all()
        result = audit(session)
        assert not result.is_clean
        assert result.finding is not None and result.finding.check == "report"


class TestUnsettledKinds:
    def test_unknown_kind_is_refused(self) -> None:
        """A kind with no settlement method is refused, naming the kind."""
        with pytest.raises(InvalidTransition, match="no method for kind 'video'"):
            settlement_method("video", "auto")

    def test_classification_still_settles_by_class(self, session: Session) -> None:
        """A classification epoch keeps its class indices, its estimator and 1/K chance."""
        world = make_world(session, tag="still-classes", n_items=12, answers=[honest(0.9)] * 3)
        fund_project(session, world.project, amount=ESCROW)
        label_round(session, world, per_annotator=12)
        outcome = close_epoch(session, world.project)
        assert outcome.labels is not None and outcome.labels.label_value is not None
        assert outcome.labels.method == "auto"
        assert outcome.labels.chance_level == pytest.approx(1 / 3)
