"""The EVM path on the command line: deploy, fund, publish, claim from a wallet, stake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_tester.backends.pyevm.main import get_default_account_keys
from sqlalchemy import select
from typer.testing import CliRunner
from web3 import Web3

from labelshare.chain import EvmSettlement, KeySigner
from labelshare.chain.testchain import connect_in_process
from labelshare.cli import app
from labelshare.ledger import PLATFORM_ACCOUNT, annotator_account, revenue_account
from labelshare.services import chain as chain_service
from labelshare.services.accounts import ensure_account, get_account
from labelshare.services.epochs import latest_epoch
from labelshare.services.funding import escrow_balance
from labelshare.services.journal import balance_of
from labelshare.services.licences import list_licence_payments
from labelshare.services.projects import get_project
from labelshare.store.models import EpochClaimable, JournalEntryRow, JournalPosting
from labelshare.store.session import make_engine, make_sessionmaker, unit_of_work
from tests.services.settlement_world import (
    TOKEN,
    World,
    constant,
    honest,
    label_round,
    make_world,
)

runner = CliRunner()


@dataclass
class Setup:
    """A database with a labelled project, a chain, and key files on disk."""

    db: str
    w3: Web3
    env: dict[str, str]
    operator_key: Path
    annotators: list[tuple[KeySigner, Path]]
    project: str

    def run(self, *args: str, backend: str = "evm") -> str:
        """Invoke the CLI, expecting success; return its output."""
        env = {**self.env, "LABELSHARE_SETTLEMENT_BACKEND": backend}
        result = runner.invoke(app, ["--db", self.db, *args], env=env)
        assert result.exit_code == 0, result.output
        return result.output

    def fail(self, *args: str, backend: str = "evm") -> str:
        """Invoke the CLI, expecting a one-line error."""
        env = {**self.env, "LABELSHARE_SETTLEMENT_BACKEND": backend}
        result = runner.invoke(app, ["--db", self.db, *args], env=env)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        return result.output


def _send_eth(w3: Web3, sender: KeySigner, to: str) -> None:
    tx: dict[str, Any] = {
        "to": to,
        "value": 10**18,
        "gas": 21_000,
        "maxFeePerGas": 10**10,
        "maxPriorityFeePerGas": 1,
        "nonce": w3.eth.get_transaction_count(Web3.to_checksum_address(sender.address)),
        "chainId": w3.eth.chain_id,
        "type": 2,
    }
    w3.eth.send_raw_transaction(sender.sign_transaction(tx))


@pytest.fixture
def setup(
    fresh_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Setup]:
    """A labelled project of three key-holding annotators and an in-process chain."""
    w3, signers = connect_in_process()
    monkeypatch.setattr(chain_service, "connect", lambda url: w3)
    operator_key = tmp_path / "operator.key"
    operator_key.write_text(get_default_account_keys()[0].to_hex())
    annotators = []
    for n in range(3):
        account = Account.create()
        path = tmp_path / f"annotator-{n}.key"
        path.write_text(account.key.hex())
        _send_eth(w3, signers[0], account.address)
        annotators.append((KeySigner(account), path))
    engine = make_engine(fresh_database_url)
    sessions = make_sessionmaker(engine)
    with unit_of_work(sessions) as session:
        base = make_world(session, tag="cli-chain", n_items=30, answers=[])
        for key, _ in annotators:
            ensure_account(session, key.address, roles=["annotator"])
        name = base.project.name
    env = {
        "LABELSHARE_RPC_URL": "http://in-process.invalid",
        "LABELSHARE_CHAIN_DEPLOYMENT_FILE": str(tmp_path / "chain.json"),
    }
    yield Setup(fresh_database_url, w3, env, operator_key, annotators, name)
    engine.dispose()


def _label(setup: Setup, seed: int) -> None:
    engine = make_engine(setup.db)
    with unit_of_work(make_sessionmaker(engine)) as session:
        project = get_project(session, setup.project)
        accounts = [get_account(session, key.address) for key, _ in setup.annotators]
        world = World(project, [], accounts, [honest(0.95)] * len(accounts))
        label_round(session, world, per_annotator=15, seed=seed)
    engine.dispose()


def _operated(setup: Setup) -> EvmSettlement:
    """The recorded deployment, driven by the operator's key."""
    record = chain_service.read_deployment(Path(setup.env["LABELSHARE_CHAIN_DEPLOYMENT_FILE"]))
    operator = chain_service.read_signer(setup.operator_key)
    return EvmSettlement(setup.w3, record.deployment, operator=operator)


def _token_balance(setup: Setup, address: str) -> int:
    return _operated(setup).token_balance(address)


def _wallet(setup: Setup, tmp_path: Path, *, tokens: int) -> tuple[KeySigner, Path]:
    """A new key file whose account holds gas money and ``tokens`` minted tokens."""
    account = Account.create()
    path = tmp_path / f"wallet-{account.address}.key"
    path.write_text(account.key.hex())
    backend = _operated(setup)
    _send_eth(setup.w3, chain_service.read_signer(setup.operator_key), account.address)
    if tokens:
        backend.mint(account.address, tokens)
    return KeySigner(account), path


class TestChainCommands:
    def test_deploy_publish_and_claim_from_a_wallet(self, setup: Setup) -> None:
        """The README's path: deploy, fund, close, publish once, claim with and without a key."""
        op = str(setup.operator_key)
        assert "distributor:" in setup.run(
            "chain", "deploy", "--project", setup.project, "--key-file", op
        )
        assert "escrow of" in setup.run(
            "chain", "fund", setup.project, "--amount", "100", "--key-file", op
        )
        _label(setup, seed=3)
        setup.run("epoch", "close", setup.project)
        assert "published epoch 1" in setup.run("epoch", "publish", setup.project, "--key-file", op)
        assert "published already" in setup.run("epoch", "publish", setup.project, "--key-file", op)
        (wallet, _), (keyed, keyed_file), _ = setup.annotators
        transaction = json.loads(setup.run("claim", "send", setup.project, wallet.address))
        transaction.update(
            nonce=setup.w3.eth.get_transaction_count(Web3.to_checksum_address(wallet.address)),
            maxFeePerGas=10**10,
            maxPriorityFeePerGas=1,
        )
        for field in ("gas", "value", "chainId"):
            transaction[field] = int(transaction[field], 16)
        tx_hash = setup.w3.eth.send_raw_transaction(wallet.sign_transaction(transaction))
        assert setup.w3.eth.wait_for_transaction_receipt(tx_hash)["status"] == 1
        proof = json.loads(setup.run("claim", "proof", setup.project, wallet.address))
        assert _token_balance(setup, wallet.address) == int(proof["amount"]) > 0
        assert proof["amount_due"] != "0"
        assert "1 claim(s) recorded" in setup.run("chain", "sync", setup.project)
        proof = json.loads(setup.run("claim", "proof", setup.project, wallet.address))
        assert proof["amount_due"] == "0"
        assert "paid" in setup.run(
            "claim", "send", setup.project, keyed.address, "--key-file", str(keyed_file)
        )
        assert _token_balance(setup, keyed.address) > 0

    def test_publish_needs_the_evm_backend(self, setup: Setup) -> None:
        """Publishing with the local backend names the setting to change."""
        output = setup.fail(
            "epoch",
            "publish",
            setup.project,
            "--key-file",
            str(setup.operator_key),
            backend="local",
        )
        assert "LABELSHARE_SETTLEMENT_BACKEND=evm" in output

    def test_publish_without_a_deployment_names_the_file(self, setup: Setup) -> None:
        """Publishing before 'chain deploy' says which file is missing."""
        output = setup.fail(
            "epoch", "publish", setup.project, "--key-file", str(setup.operator_key)
        )
        assert "chain.json does not exist" in output

    def test_deploy_twice_is_refused(self, setup: Setup) -> None:
        """A second deploy would orphan the first one's roots, so it is refused."""
        op = str(setup.operator_key)
        setup.run("chain", "deploy", "--project", setup.project, "--key-file", op)
        assert "exists already" in setup.fail(
            "chain", "deploy", "--project", setup.project, "--key-file", op
        )


class TestStakeCommands:
    def test_deposit_unbond_and_status(self, setup: Setup) -> None:
        """Staked tokens show in the status, then move to unbonding."""
        op = str(setup.operator_key)
        setup.run("chain", "deploy", "--project", setup.project, "--key-file", op)
        key, key_file = setup.annotators[0]
        record = chain_service.read_deployment(Path(setup.env["LABELSHARE_CHAIN_DEPLOYMENT_FILE"]))
        operator = chain_service.read_signer(setup.operator_key)
        EvmSettlement(setup.w3, record.deployment, operator=operator).mint(key.address, 5 * TOKEN)
        setup.run("stake", "deposit", "--amount", "5", "--key-file", str(key_file))
        assert "staked 5," in setup.run("stake", "status", key.address)
        assert "unbonding 2" in setup.run(
            "stake", "unbond", "--amount", "2", "--key-file", str(key_file)
        )

    def test_unbond_above_the_stake_is_refused(self, setup: Setup) -> None:
        """Asking back more than is staked names the amount."""
        op = str(setup.operator_key)
        setup.run("chain", "deploy", "--project", setup.project, "--key-file", op)
        _, key_file = setup.annotators[0]
        output = setup.fail("stake", "unbond", "--amount", "2", "--key-file", str(key_file))
        assert "exceeds" in output

    def test_keystore_password_comes_from_the_environment(
        self, setup: Setup, tmp_path: Path
    ) -> None:
        """A keystore is opened with LABELSHARE_KEY_PASSWORD and never prints the key."""
        account = Account.create()
        keystore = tmp_path / "keystore.json"
        keystore.write_text(json.dumps(Account.encrypt(account.key, "s3cret")))
        setup.env["LABELSHARE_KEY_PASSWORD"] = "s3cret"
        output = setup.run(
            "stake", "deposit", "--amount", "1", "--key-file", str(keystore), backend="local"
        )
        assert f"staked 1 from {account.address}" in output
        assert "staked 1," in setup.run("stake", "status", account.address, backend="local")
        setup.env["LABELSHARE_KEY_PASSWORD"] = "wrong"
        output = setup.fail(
            "stake", "deposit", "--amount", "1", "--key-file", str(keystore), backend="local"
        )
        assert "wrong password" in output
        assert account.key.hex()[2:] not in output


class TestLicenceCommands:
    def test_licence_bought_on_chain_is_claimed_exactly(self, setup: Setup, tmp_path: Path) -> None:
        """A licence paid from the buyer's wallet is claimed as royalties to the base unit."""
        op = str(setup.operator_key)
        setup.run("chain", "deploy", "--project", setup.project, "--key-file", op)
        setup.run("chain", "fund", setup.project, "--amount", "100", "--key-file", op)
        _label(setup, seed=3)
        setup.run("epoch", "close", setup.project)  # mints the shares royalties follow
        buyer, buyer_file = _wallet(setup, tmp_path, tokens=5 * TOKEN)
        distributor = _operated(setup).deployment.distributor
        before = _token_balance(setup, distributor)
        output = setup.run(
            "license", "buy", setup.project, "--buyer", buyer.address, "--amount", "3",
            "--key-file", str(buyer_file),
        )  # fmt: skip
        assert "into the Distributor" in output
        assert _token_balance(setup, distributor) - before == 3 * TOKEN
        assert _token_balance(setup, buyer.address) == 2 * TOKEN

        _label(setup, seed=4)
        setup.run("epoch", "close", setup.project)
        setup.run("epoch", "publish", setup.project, "--key-file", op)
        engine = make_engine(setup.db)
        with make_sessionmaker(engine)() as session:
            project = get_project(session, setup.project)
            assert balance_of(session, revenue_account(project.name)) == 0
            epoch = latest_epoch(session, project)
            assert epoch is not None
            royalties = session.scalars(
                select(JournalPosting.amount)
                .join(JournalEntryRow, JournalEntryRow.sequence == JournalPosting.entry_sequence)
                .where(
                    JournalEntryRow.epoch_id == epoch.id,
                    JournalEntryRow.kind == "royalty",
                    JournalPosting.account.startswith(annotator_account("")),
                )
            ).all()
            assert sum(royalties) > 0  # the price reached the leaves, not only the fee
            leaves = {
                row.address: row.cumulative_amount
                for row in session.scalars(
                    select(EpochClaimable).where(EpochClaimable.epoch_id == epoch.id)
                )
            }
        for address in leaves:
            setup.run("claim", "send", setup.project, address, "--key-file", op)
        with make_sessionmaker(engine)() as session:
            project = get_project(session, setup.project)
            # Whatever no leaf is owed stays in the Distributor: escrow and the platform fee.
            kept = escrow_balance(session, project) + balance_of(session, PLATFORM_ACCOUNT)
            unclaimed = [balance_of(session, annotator_account(a)) for a in leaves]
        engine.dispose()
        assert {a: _token_balance(setup, a) for a in leaves} == leaves
        assert unclaimed == [0] * len(leaves)
        assert _token_balance(setup, distributor) == kept
        assert sum(leaves.values()) + kept == 100 * TOKEN + 3 * TOKEN

    def test_licence_payer_without_tokens_records_nothing(
        self, setup: Setup, tmp_path: Path
    ) -> None:
        """A payer short of tokens gets one clear error and no licence is recorded."""
        op = str(setup.operator_key)
        setup.run("chain", "deploy", "--project", setup.project, "--key-file", op)
        buyer, buyer_file = _wallet(setup, tmp_path, tokens=TOKEN)
        output = setup.fail(
            "license", "buy", setup.project, "--buyer", buyer.address, "--amount", "3",
            "--key-file", str(buyer_file),
        )  # fmt: skip
        assert "fewer than 3000000000000000000" in output
        engine = make_engine(setup.db)
        with make_sessionmaker(engine)() as session:
            project = get_project(session, setup.project)
            assert list_licence_payments(session, project) == []
            assert balance_of(session, revenue_account(project.name)) == 0
        engine.dispose()
        assert _token_balance(setup, buyer.address) == TOKEN


class TestCloseWithSlashes:
    def test_close_with_key_file_slashes_on_chain(self, setup: Setup) -> None:
        """With the operator's key, closing sends the epoch's slash; publishing sends none."""
        spammer, spammer_file = setup.annotators[0]
        engine = make_engine(setup.db)
        with unit_of_work(make_sessionmaker(engine)) as session:
            base = make_world(
                session, tag="cli-slash", n_items=60, n_gold=40, gold_rate=0.6,
                answers=[honest(0.95)] * 3,
            )  # fmt: skip
            name = base.project.name
        op = str(setup.operator_key)
        setup.run("chain", "deploy", "--project", name, "--key-file", op)
        _operated(setup).mint(spammer.address, 10 * TOKEN)
        setup.run("stake", "deposit", "--amount", "10", "--key-file", str(spammer_file))
        with unit_of_work(make_sessionmaker(engine)) as session:
            project = get_project(session, name)
            annotators = [*base.annotators, get_account(session, spammer.address)]
            world = World(project, base.items, annotators, [*base.answers, constant("neu")])
            label_round(session, world, per_annotator=40)
        engine.dispose()
        output = setup.run("epoch", "close", name, "--key-file", op)
        assert f"of {spammer.address} (transaction 0x" in output
        assert "epoch 1: 1 slash(es) on chain" in output
        staked = _operated(setup).stake_status(spammer.address).staked
        assert 0 < staked < 10 * TOKEN
        published = setup.run("epoch", "publish", name, "--key-file", op)
        assert "already slashed" in published
        assert _operated(setup).stake_status(spammer.address).staked == staked

    def test_close_without_key_file_leaves_the_stake(self, setup: Setup) -> None:
        """Without a key, closing on the evm backend sends nothing to the chain."""
        op = str(setup.operator_key)
        setup.run("chain", "deploy", "--project", setup.project, "--key-file", op)
        _label(setup, seed=3)
        block = setup.w3.eth.block_number
        output = setup.run("epoch", "close", setup.project)
        assert "slash(es) on chain" not in output
        assert setup.w3.eth.block_number == block
