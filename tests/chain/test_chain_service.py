"""Choosing the settlement backend and reading the recorded deployment."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from labelshare.chain import EvmSettlement
from labelshare.chain.local import LocalSettlement, unbonding_account
from labelshare.config import load_settings
from labelshare.errors import ChainError, Conflict, InvalidInput, InvalidTransition, SettlementError
from labelshare.ledger import stake_account
from labelshare.services import chain as chain_service
from labelshare.services import stakes
from labelshare.services.journal import balance_of
from labelshare.store.models import ChainPublication
from tests.chain.conftest import UNBONDING_PERIOD_S, TestChain
from tests.factories import make_project


def _record(tmp_path: Path, project: str, chain: TestChain) -> Path:
    path = tmp_path / "chain.json"
    record = chain_service.RecordedDeployment(project=project, deployment=chain.deployment)
    path.write_text(json.dumps(record.to_json()), encoding="utf-8")
    return path


class TestReadDeployment:
    def test_round_trips_the_recorded_deployment(self, chain: TestChain, tmp_path: Path) -> None:
        """A recorded deployment reads back with its project and addresses."""
        path = _record(tmp_path, "sentiment", chain)
        record = chain_service.read_deployment(path)
        assert record.project == "sentiment"
        assert record.deployment == chain.deployment

    def test_missing_file_names_the_command(self, tmp_path: Path) -> None:
        """A missing deployment file says how to make one."""
        with pytest.raises(InvalidInput, match="run 'labelshare chain deploy'"):
            chain_service.read_deployment(tmp_path / "absent.json")

    def test_file_without_project_is_refused(self, chain: TestChain, tmp_path: Path) -> None:
        """A bare deployment without its project is refused, naming the field."""
        path = tmp_path / "bare.json"
        path.write_text(json.dumps(chain.deployment.to_dict()), encoding="utf-8")
        with pytest.raises(InvalidInput, match="does not name its project"):
            chain_service.read_deployment(path)

    def test_malformed_file_is_refused(self, tmp_path: Path) -> None:
        """A file that is not JSON is refused without quoting it."""
        path = tmp_path / "bad.json"
        path.write_text("{not json", encoding="utf-8")
        with pytest.raises(InvalidInput, match="cannot read"):
            chain_service.read_deployment(path)


class TestBackendChoice:
    def test_local_is_the_default(self, session: Session) -> None:
        """Without configuration the database backend settles."""
        backend = chain_service.settlement_backend(load_settings(), session, make_project(session))
        assert isinstance(backend, LocalSettlement)

    def test_evm_backend_for_the_recorded_project(
        self, session: Session, chain: TestChain, tmp_path: Path
    ) -> None:
        """With settlement_backend=evm the deployment's contracts settle its project."""
        project = make_project(session)
        settings = load_settings(
            settlement_backend="evm",
            chain_deployment_file=_record(tmp_path, project.name, chain),
        )
        backend = chain_service.settlement_backend(settings, session, project, w3=chain.w3)
        assert isinstance(backend, EvmSettlement)
        assert backend.deployment == chain.deployment

    def test_evm_backend_refuses_another_project(
        self, session: Session, chain: TestChain, tmp_path: Path
    ) -> None:
        """A deployment made for one project never pays another's claims."""
        settings = load_settings(
            settlement_backend="evm", chain_deployment_file=_record(tmp_path, "other", chain)
        )
        with pytest.raises(InvalidInput, match="which pays 'other'"):
            chain_service.settlement_backend(settings, session, make_project(session), w3=chain.w3)

    def test_evm_backend_needs_an_rpc_url(self, chain: TestChain, tmp_path: Path) -> None:
        """Without a connection or an RPC URL the evm backend names the setting."""
        settings = load_settings(
            settlement_backend="evm", chain_deployment_file=_record(tmp_path, "p", chain)
        )
        with pytest.raises(InvalidInput, match="LABELSHARE_RPC_URL"):
            chain_service.evm_backend(settings)


class TestPublishGuards:
    def test_epoch_less_project_is_refused(
        self, session: Session, chain: TestChain, tmp_path: Path
    ) -> None:
        """A project with no closed epoch has nothing to publish."""
        project = make_project(session)
        with pytest.raises(InvalidTransition, match="no closed epoch"):
            chain_service.publish_epoch(session, project, chain.settlement)

    def test_distributor_of_another_project_is_refused(
        self, session: Session, chain: TestChain
    ) -> None:
        """A Distributor that already holds another project's roots is not reused."""
        from labelshare.core.statuses import EpochStatus
        from labelshare.store.models import Epoch

        first, second = make_project(session), make_project(session)
        session.add(
            ChainPublication(
                project_id=first.id,
                epoch_number=1,
                chain_id=chain.deployment.chain_id,
                distributor=chain.deployment.distributor,
                merkle_root="0x" + "11" * 32,
                report_sha256="22" * 32,
                tx_hash="0x" + "33" * 32,
                block_number=1,
                gas_used=1,
            )
        )
        session.add(
            Epoch(
                project_id=second.id,
                number=1,
                status=EpochStatus.CLOSED.value,
                merkle_root="0x" + "44" * 32,
                report_sha256="55" * 32,
            )
        )
        session.flush()
        with pytest.raises(Conflict, match="already pays another project"):
            chain_service.publish_epoch(session, second, chain.settlement)


class TestNodeErrors:
    def test_transport_error_hides_the_url(self) -> None:
        """A connection failure becomes a ChainError that does not quote the URL."""
        with (
            pytest.raises(ChainError, match="did not answer") as caught,
            chain_service.node_errors(),
        ):
            raise ConnectionError("http://node.invalid/v3/secret-api-key")
        assert "secret" not in str(caught.value)

    def test_other_errors_pass_through(self) -> None:
        """labelshare's own errors are not rewritten."""
        with pytest.raises(InvalidInput, match="amount"), chain_service.node_errors():
            raise InvalidInput("amount: bad", field="amount")


class TestStakesOnChain:
    def test_stake_round_trip_keeps_the_journal_in_step(
        self, session: Session, chain: TestChain
    ) -> None:
        """Deposit, unbond and withdraw move tokens on chain and the journal alike."""
        staker = chain.new_annotator()
        backend = chain.settlement
        backend.mint(staker.address, 50)
        stakes.deposit_stake(session, backend, signer=staker, amount=50)
        assert balance_of(session, stake_account(staker.address)) == 50
        assert backend.stake_status(staker.address).staked == 50
        stakes.request_withdrawal(session, backend, signer=staker, amount=20)
        assert balance_of(session, unbonding_account(staker.address)) == 20
        chain.time_travel(UNBONDING_PERIOD_S + 1)
        amount, _ = stakes.withdraw_stake(session, backend, signer=staker)
        assert amount == 20
        assert backend.token_balance(staker.address) == 20
        assert balance_of(session, unbonding_account(staker.address)) == 0
        assert stakes.stake_status(session, None, staker.address).staked == 30

    def test_withdraw_before_the_delay_is_refused(self, session: Session, chain: TestChain) -> None:
        """The vault keeps unbonding stake until the delay has passed; the journal waits."""
        staker = chain.new_annotator()
        backend = chain.settlement
        backend.mint(staker.address, 50)
        stakes.deposit_stake(session, backend, signer=staker, amount=50)
        stakes.request_withdrawal(session, backend, signer=staker, amount=20)
        with pytest.raises(ChainError, match="StakeVault"):
            stakes.withdraw_stake(session, backend, signer=staker)
        assert balance_of(session, unbonding_account(staker.address)) == 20

    def test_withdraw_with_nothing_unbonding_is_refused(
        self, session: Session, chain: TestChain
    ) -> None:
        """Withdrawing without asking stake back first names the problem."""
        with pytest.raises(SettlementError, match="no stake unbonding"):
            stakes.withdraw_stake(session, chain.settlement, signer=chain.new_annotator())
