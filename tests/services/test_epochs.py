"""Epoch close: settlement in one unit of work, conserved, idempotent, deterministic."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelshare.errors import InvalidInput, InvalidTransition
from labelshare.incentives import EpochSettlement
from labelshare.ledger import escrow_account, is_source_account
from labelshare.services.epochs import close_epoch, get_epoch, latest_epoch, list_epochs
from labelshare.services.funding import deposit_stake, fund_project
from labelshare.services.journal import balance_of, journal_length, stored_balances
from labelshare.store.migrate import upgrade
from labelshare.store.models import Annotation, JournalEntryRow
from labelshare.store.session import make_engine, make_sessionmaker
from tests.conftest import PG_ENV, _create_postgres_database, _drop_postgres_database
from tests.services.settlement_world import TOKEN, constant, honest, label_round, make_world


def _paid_equals_debited(session: Session, settlement: EpochSettlement, escrow_before: int) -> None:
    paid = sum(settlement.rewards)
    debited = escrow_before + sum(settlement.slashes) - settlement.escrow_balance
    assert paid == debited
    assert balance_of(session, escrow_account(settlement.project_id)) == settlement.escrow_balance


class TestCloseEpoch:
    def test_pays_rewards_from_escrow_and_conserves_money(self, session: Session) -> None:
        """What the epoch pays equals what it takes from the escrow, to the base unit."""
        world = make_world(session, tag="pay", n_items=30, answers=[honest(0.9)] * 4)
        fund_project(session, world.project, amount=100 * TOKEN)
        label_round(session, world, per_annotator=15)
        outcome = close_epoch(session, world.project)
        settlement = outcome.settlement
        assert settlement is not None and outcome.is_new
        assert sum(settlement.rewards) > 0
        _paid_equals_debited(session, settlement, 100 * TOKEN)
        assert balance_of(session, escrow_account(world.project.name)) == settlement.escrow_balance

    def test_never_pays_more_than_the_escrow_holds(self, session: Session) -> None:
        """An underfunded escrow pays out all it holds, pro rata, and no more."""
        world = make_world(session, tag="short", n_items=30, answers=[honest(0.9)] * 4)
        fund_project(session, world.project, amount=3 * TOKEN)
        label_round(session, world, per_annotator=15)
        settlement = close_epoch(session, world.project).settlement
        assert settlement is not None
        assert sum(settlement.reward_demands) > 3 * TOKEN
        assert sum(settlement.rewards) == 3 * TOKEN
        assert settlement.escrow_balance == 0
        _paid_equals_debited(session, settlement, 3 * TOKEN)

    def test_closing_twice_changes_nothing(self, session: Session) -> None:
        """A second close with nothing new returns the same epoch and writes nothing."""
        world = make_world(session, tag="twice", n_items=20, answers=[honest(0.9)] * 3)
        fund_project(session, world.project, amount=50 * TOKEN)
        label_round(session, world, per_annotator=10)
        first = close_epoch(session, world.project)
        length = journal_length(session)
        again = close_epoch(session, world.project)
        assert not again.is_new
        assert again.epoch.id == first.epoch.id
        assert journal_length(session) == length
        assert len(list_epochs(session, world.project)) == 1

    def test_next_epoch_covers_only_later_annotations(self, session: Session) -> None:
        """The second epoch starts after the first epoch's last annotation id."""
        world = make_world(session, tag="next", n_items=20, answers=[honest(0.9)] * 3)
        fund_project(session, world.project, amount=50 * TOKEN)
        label_round(session, world, per_annotator=5)
        first = close_epoch(session, world.project).epoch
        label_round(session, world, per_annotator=5, seed=12)
        second = close_epoch(session, world.project)
        assert second.epoch.number == first.number + 1
        assert second.epoch.first_annotation_id == first.last_annotation_id
        assert second.settlement is not None
        new_rows = session.scalar(
            select(func.count())
            .select_from(Annotation)
            .where(
                Annotation.project_id == world.project.id,
                Annotation.id > first.last_annotation_id,
            )
        )
        assert sum(second.settlement.label_counts) == new_rows
        assert get_epoch(session, world.project, 2).id == second.epoch.id

    def test_nothing_to_settle_is_refused(self, session: Session) -> None:
        """A project without annotations has no epoch to close."""
        world = make_world(session, tag="empty", n_items=3, answers=[honest(0.9)])
        with pytest.raises(InvalidTransition, match="nothing to settle"):
            close_epoch(session, world.project)
        assert latest_epoch(session, world.project) is None

    def test_spammer_failing_gold_is_slashed_into_escrow(self, session: Session) -> None:
        """A constant answerer confidently below the gold bar loses stake to the escrow."""
        answers = [honest(0.95)] * 3 + [constant("neu")]
        world = make_world(
            session, tag="slash", n_items=60, n_gold=40, gold_rate=0.6, answers=answers
        )
        spammer = world.annotators[-1]
        deposit_stake(session, spammer.address, amount=10 * TOKEN)
        fund_project(session, world.project, amount=100 * TOKEN)
        label_round(session, world, per_annotator=40)
        settlement = close_epoch(session, world.project).settlement
        assert settlement is not None
        index = settlement.addresses.index(spammer.address)
        assert settlement.slashes[index] > 0
        assert settlement.rewards[index] == 0
        assert all(s == 0 for i, s in enumerate(settlement.slashes) if i != index)
        _paid_equals_debited(session, settlement, 100 * TOKEN)

    def test_unknown_estimator_is_refused(self, session: Session) -> None:
        """An unknown truth-inference method is named before anything is read."""
        world = make_world(session, tag="est", n_items=3, answers=[honest(0.9)])
        with pytest.raises(InvalidInput, match="estimator: unknown 'oracle'"):
            close_epoch(session, world.project, estimator="oracle")

    def test_unknown_epoch_is_refused(self, session: Session) -> None:
        """Asking for an epoch that was never closed names it."""
        world = make_world(session, tag="noepoch", n_items=3, answers=[honest(0.9)])
        with pytest.raises(InvalidTransition, match="no closed epoch 4"):
            get_epoch(session, world.project, 4)


def _settle_fresh(url: str) -> tuple[str, str | None, list[str]]:
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        world = make_world(
            session, tag="det", n_items=30, n_gold=5, answers=[honest(0.85)] * 4 + [constant("neg")]
        )
        fund_project(session, world.project, amount=40 * TOKEN)
        label_round(session, world, per_annotator=20)
        epoch = close_epoch(session, world.project).epoch
        hashes = list(
            session.scalars(select(JournalEntryRow.entry_hash).order_by(JournalEntryRow.sequence))
        )
        session.commit()
        result = (str(epoch.report_sha256), epoch.merkle_root, hashes)
    engine.dispose()
    return result


class TestDeterminism:
    def test_same_log_gives_same_root_across_runs(self, tmp_path: Path) -> None:
        """Two databases fed the same labels settle to the same report, root and journal."""
        first = _settle_fresh(f"sqlite:///{tmp_path / 'a.db'}")
        second = _settle_fresh(f"sqlite:///{tmp_path / 'b.db'}")
        assert first == second
        assert first[1] is not None

    def test_sqlite_and_postgresql_give_the_same_root(self, tmp_path: Path) -> None:
        """SQLite and PostgreSQL settle the same labels to the same report, root and journal."""
        admin = os.environ.get(PG_ENV)
        if not admin:
            pytest.skip(f"PostgreSQL not configured: set {PG_ENV}")
        from labelshare.store.session import normalize_url

        admin_url = normalize_url(admin)
        pg_url = _create_postgres_database(admin_url)
        try:
            on_postgres = _settle_fresh(pg_url)
        finally:
            _drop_postgres_database(admin_url, pg_url)
        on_sqlite = _settle_fresh(f"sqlite:///{tmp_path / 'c.db'}")
        assert on_sqlite == on_postgres

    def test_different_labels_give_a_different_root(self, tmp_path: Path) -> None:
        """The root depends on the labels: another world settles to another root."""
        first = _settle_fresh(f"sqlite:///{tmp_path / 'a.db'}")
        engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
        upgrade(engine)
        with make_sessionmaker(engine)() as session:
            world = make_world(session, tag="det", n_items=30, n_gold=5, answers=[honest(0.6)] * 5)
            fund_project(session, world.project, amount=40 * TOKEN)
            label_round(session, world, per_annotator=20)
            epoch = close_epoch(session, world.project).epoch
            assert epoch.merkle_root != first[1]
        engine.dispose()


class TestConservationProperty:
    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        escrow=st.integers(min_value=0, max_value=40 * TOKEN),
        accuracy=st.floats(min_value=0.3, max_value=1.0),
        stake=st.integers(min_value=0, max_value=5 * TOKEN),
        seed=st.integers(min_value=0, max_value=2**16),
    )
    def test_paid_equals_debited_and_no_balance_goes_negative(
        self, escrow: int, accuracy: float, stake: int, seed: int
    ) -> None:
        """For any funding, stake and label quality, every base unit is accounted for."""
        with tempfile.TemporaryDirectory() as scratch:
            engine = make_engine(f"sqlite:///{scratch}/p.db")
            upgrade(engine)
            with make_sessionmaker(engine)() as session:
                world = make_world(
                    session,
                    tag="prop",
                    n_items=12,
                    n_gold=4,
                    gold_rate=0.5,
                    answers=[honest(accuracy)] * 3 + [constant("neg")],
                    seed=seed,
                )
                if stake:
                    deposit_stake(session, world.annotators[-1].address, amount=stake)
                if escrow:
                    fund_project(session, world.project, amount=escrow)
                label_round(session, world, per_annotator=8, seed=seed)
                settlement = close_epoch(session, world.project).settlement
                assert settlement is not None
                assert settlement.escrow_balance >= 0
                assert all(
                    paid <= demand
                    for paid, demand in zip(
                        settlement.rewards, settlement.reward_demands, strict=True
                    )
                )
                _paid_equals_debited(session, settlement, escrow)
                totals: dict[str, int] = {}
                for (account, asset), amount in stored_balances(session).items():
                    totals[asset] = totals.get(asset, 0) + amount
                    if not is_source_account(account):
                        assert amount >= 0, account
                assert all(total == 0 for total in totals.values())
            engine.dispose()
