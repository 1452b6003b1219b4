"""Audit recomputes every epoch and names the first thing that was tampered with."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from labelshare.schema import value_sha256
from labelshare.services.audit import audit
from labelshare.services.epochs import close_epoch
from labelshare.services.funding import fund_project
from labelshare.services.licences import buy_licence
from labelshare.store.models import Annotation, Epoch, JournalPosting
from tests.services.settlement_world import TOKEN, World, constant, honest, label_round, make_world

# Core table: updates through it skip the ORM's immutability hook, as raw SQL would.
_ANNOTATIONS = Annotation.metadata.tables["annotations"]


def _settled_world(session: Session) -> World:
    world = make_world(
        session, tag="audit", n_items=24, n_gold=4, answers=[honest(0.9)] * 3 + [constant("pos")]
    )
    fund_project(session, world.project, amount=30 * TOKEN)
    label_round(session, world, per_annotator=8)
    close_epoch(session, world.project)
    buy_licence(session, world.project, buyer=world.annotators[0].address, amount=2 * TOKEN)
    label_round(session, world, per_annotator=8, seed=5)
    close_epoch(session, world.project)
    return world


def _drop_immutability(session: Session) -> None:
    # Plays an attacker with direct database access, who can remove the guard.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DROP TRIGGER annotations_immutable ON annotations"))
    else:
        session.execute(text("DROP TRIGGER annotations_immutable_update"))


class TestAudit:
    def test_untouched_ledger_passes(self, session: Session) -> None:
        """Audit of an honest history finds nothing and recomputes every epoch."""
        _settled_world(session)
        report = audit(session)
        assert report.is_clean, report.finding
        assert report.epochs == 2
        assert report.entries > 0

    def test_epoch_closed_with_another_estimator_audits_clean(self, session: Session) -> None:
        """Audit judges each epoch with the method it was closed with."""
        world = make_world(session, tag="mv", n_items=12, answers=[honest(0.8)] * 3)
        fund_project(session, world.project, amount=5 * TOKEN)
        label_round(session, world, per_annotator=6)
        close_epoch(session, world.project, estimator="mv")
        assert audit(session).is_clean

    def test_tampered_annotation_is_caught(self, session: Session) -> None:
        """A stored label changed after settlement makes the recomputed epoch differ."""
        world = _settled_world(session)
        _drop_immutability(session)
        target = session.scalars(
            select(Annotation)
            .where(
                Annotation.project_id == world.project.id,
                Annotation.value_sha256 == value_sha256("pos"),
            )
            .order_by(Annotation.id)
            .limit(1)
        ).one()
        session.execute(
            update(_ANNOTATIONS)
            .where(_ANNOTATIONS.c.id == target.id)
            .values(value="neg", value_sha256=value_sha256("neg"))
        )
        session.expire_all()
        report = audit(session)
        assert report.finding is not None
        assert report.finding.check == "report"
        assert "epoch 1" in report.finding.where

    def test_label_without_matching_hash_is_caught(self, session: Session) -> None:
        """A value changed without its hash is named by annotation id."""
        world = _settled_world(session)
        _drop_immutability(session)
        target_id = session.scalar(
            select(Annotation.id).where(Annotation.project_id == world.project.id).limit(1)
        )
        session.execute(
            update(_ANNOTATIONS).where(_ANNOTATIONS.c.id == target_id).values(value="neu")
        )
        report = audit(session)
        assert report.finding is not None
        assert report.finding.check == "annotation"

    def test_tampered_journal_entry_is_caught(self, session: Session) -> None:
        """A posting amount changed in the journal breaks the hash chain at that entry."""
        _settled_world(session)
        posting = session.scalars(
            select(JournalPosting)
            .where(JournalPosting.amount > 0)
            .order_by(JournalPosting.id.desc())
            .limit(1)
        ).one()
        session.execute(
            update(JournalPosting)
            .where(JournalPosting.id == posting.id)
            .values(amount=posting.amount + 1)
        )
        report = audit(session)
        assert report.finding is not None
        assert report.finding.check == "hash"
        assert report.finding.where == f"entry {posting.entry_sequence}"

    def test_tampered_root_is_caught(self, session: Session) -> None:
        """A stored Merkle root replaced by another is named with its epoch."""
        world = _settled_world(session)
        session.execute(
            update(Epoch)
            .where(Epoch.project_id == world.project.id, Epoch.number == 2)
            .values(merkle_root="0x" + "ab" * 32)
        )
        report = audit(session)
        assert report.finding is not None
        assert report.finding.check == "root"
        assert "epoch 2" in report.finding.where

    @pytest.mark.parametrize("field", ["report_sha256"])
    def test_tampered_report_hash_is_caught(self, session: Session, field: str) -> None:
        """A stored report hash that no longer matches the recomputed report is named."""
        world = _settled_world(session)
        session.execute(
            update(Epoch)
            .where(Epoch.project_id == world.project.id, Epoch.number == 1)
            .values({field: "0" * 64})
        )
        report = audit(session)
        assert report.finding is not None
        assert report.finding.check == "report"
        assert "report hash" in report.finding.detail
