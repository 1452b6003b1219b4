"""A project settled on an EVM chain: close epochs, publish, slash, claim from wallets."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from web3 import Web3

from labelshare.chain import EvmSettlement, KeySigner
from labelshare.config import Settings, load_settings
from labelshare.errors import InvalidProof, SettlementError
from labelshare.services import chain as chain_service
from labelshare.services import stakes
from labelshare.services.accounts import ensure_account
from labelshare.services.audit import audit
from labelshare.services.claims import earnings
from labelshare.services.epochs import close_epoch
from labelshare.store.models import ChainPublication, ChainSlash, EpochClaimable
from tests.chain.conftest import TestChain
from tests.services.settlement_world import (
    TOKEN,
    Answer,
    World,
    constant,
    honest,
    label_round,
    make_world,
)

FUNDED = 100 * TOKEN
SPAMMER_STAKE = 10 * TOKEN


@dataclass
class ChainWorld:
    """A labelled project whose annotators hold keys, settled by the chain's contracts."""

    world: World
    keys: list[KeySigner]
    backend: EvmSettlement
    settings: Settings

    @property
    def spammer(self) -> KeySigner:
        return self.keys[-1]


def _record(path: Path, project: str, chain: TestChain) -> Settings:
    record = chain_service.RecordedDeployment(project=project, deployment=chain.deployment)
    path.write_text(json.dumps(record.to_json()), encoding="utf-8")
    return load_settings(settlement_backend="evm", chain_deployment_file=path)


def make_chain_world(session: Session, chain: TestChain, tmp_path: Path, tag: str) -> ChainWorld:
    """Three honest annotators and a constant one, each with a key, on a funded project."""
    answers: list[Answer] = [honest(0.95)] * 3 + [constant("neu")]
    base = make_world(session, tag=tag, n_items=60, n_gold=40, gold_rate=0.6, answers=[])
    keys = [chain.new_annotator() for _ in answers]
    annotators = [ensure_account(session, key.address, roles=["annotator"]) for key in keys]
    world = World(project=base.project, items=base.items, annotators=annotators, answers=answers)
    settings = _record(tmp_path / "chain.json", world.project.name, chain)
    backend = chain_service.evm_backend(
        settings, project=world.project.name, operator=chain.operator, w3=chain.w3
    )
    chain_service.fund_on_chain(session, world.project, backend, amount=FUNDED)
    backend.mint(keys[-1].address, SPAMMER_STAKE)
    stakes.deposit_stake(session, backend, signer=keys[-1], amount=SPAMMER_STAKE)
    return ChainWorld(world=world, keys=keys, backend=backend, settings=settings)


def _cumulative(session: Session, epoch_id: int) -> dict[str, int]:
    return {
        row.address: row.cumulative_amount
        for row in session.scalars(
            select(EpochClaimable).where(EpochClaimable.epoch_id == epoch_id)
        )
    }


def _send_from_wallet(w3: Web3, key: KeySigner, transaction: dict[str, Any]) -> None:
    """What a wallet does with the unsigned transaction: add nonce and fees, sign, send."""
    signed = key.sign_transaction(
        {
            **transaction,
            "nonce": w3.eth.get_transaction_count(Web3.to_checksum_address(key.address)),
            "maxFeePerGas": 10**10,
            "maxPriorityFeePerGas": 1,
        }
    )
    receipt = w3.eth.wait_for_transaction_receipt(w3.eth.send_raw_transaction(signed))
    assert receipt["status"] == 1


class TestSettleOnChain:
    def test_two_epochs_claimed_from_wallets_pay_the_ledger_exactly(
        self, session: Session, chain: TestChain, tmp_path: Path
    ) -> None:
        """After two published epochs, every annotator's tokens equal its cumulative amount."""
        cw = make_chain_world(session, chain, tmp_path, "e2e-two")
        project, backend = cw.world.project, cw.backend
        label_round(session, cw.world, per_annotator=20, seed=1)
        first = close_epoch(session, project).epoch
        published = chain_service.publish_epoch(session, project, backend)
        assert published.is_new and published.publication.epoch_number == first.number
        early = cw.keys[0]
        claim, _ = chain_service.send_claim(session, project, backend, early.address, signer=early)
        first_amount = _cumulative(session, first.id)[early.address]
        assert claim.amount_due == first_amount > 0
        assert backend.token_balance(early.address) == first_amount

        label_round(session, cw.world, per_annotator=20, seed=2)
        second = close_epoch(session, project).epoch
        assert chain_service.publish_epoch(session, project, backend).is_new
        cumulative = _cumulative(session, second.id)
        for key in cw.keys[:-1]:
            claim, transaction = chain_service.claim_transaction(
                session, project, backend, key.address
            )
            assert transaction["to"] == backend.deployment.distributor
            _send_from_wallet(chain.w3, key, transaction)
            assert backend.token_balance(key.address) == cumulative[key.address]
        assert len(chain_service.sync_claims(session, project, backend)) == len(cw.keys) - 1
        assert chain_service.sync_claims(session, project, backend) == []
        for key in cw.keys[:-1]:
            standing = earnings(session, project, key.address)
            assert standing.claimed == backend.token_balance(key.address)
            assert standing.due == 0
        assert audit(session, project=project).finding is None

    def test_a_claim_with_nothing_due_is_refused(
        self, session: Session, chain: TestChain, tmp_path: Path
    ) -> None:
        """Claiming twice against the same root is refused before any transaction."""
        cw = make_chain_world(session, chain, tmp_path, "e2e-twice")
        label_round(session, cw.world, per_annotator=20)
        close_epoch(session, cw.world.project)
        chain_service.publish_epoch(session, cw.world.project, cw.backend)
        key = cw.keys[0]
        chain_service.send_claim(session, cw.world.project, cw.backend, key.address, signer=key)
        with pytest.raises(SettlementError, match="claimed everything due"):
            chain_service.send_claim(session, cw.world.project, cw.backend, key.address, signer=key)

    def test_claim_before_publication_is_refused(
        self, session: Session, chain: TestChain, tmp_path: Path
    ) -> None:
        """A closed epoch that is not published yet cannot be claimed on chain."""
        cw = make_chain_world(session, chain, tmp_path, "e2e-unpublished")
        label_round(session, cw.world, per_annotator=20)
        close_epoch(session, cw.world.project)
        with pytest.raises(InvalidProof, match="no epoch .* is published"):
            chain_service.build_claim(session, cw.world.project, cw.backend, cw.keys[0].address)


class TestPublishOnce:
    def test_publishing_again_posts_nothing(
        self, session: Session, chain: TestChain, tmp_path: Path
    ) -> None:
        """A second publish of the same epoch sends no transaction, even with its row lost."""
        cw = make_chain_world(session, chain, tmp_path, "e2e-once")
        label_round(session, cw.world, per_annotator=20)
        close_epoch(session, cw.world.project)
        first = chain_service.publish_epoch(session, cw.world.project, cw.backend)
        block = chain.w3.eth.block_number
        again = chain_service.publish_epoch(session, cw.world.project, cw.backend)
        assert not again.is_new and again.publication.tx_hash == first.publication.tx_hash
        session.execute(delete(ChainSlash))
        session.execute(delete(ChainPublication))
        recovered = chain_service.publish_epoch(session, cw.world.project, cw.backend)
        assert not recovered.is_new
        assert recovered.publication.tx_hash == first.publication.tx_hash
        assert all(not slash.is_new for slash in recovered.slashes)
        assert chain.w3.eth.block_number == block

    def test_first_publication_sends_a_transaction(
        self, session: Session, chain: TestChain, tmp_path: Path
    ) -> None:
        """Publishing a new epoch mines at least one block with the root on chain."""
        cw = make_chain_world(session, chain, tmp_path, "e2e-new")
        label_round(session, cw.world, per_annotator=20)
        epoch = close_epoch(session, cw.world.project).epoch
        block = chain.w3.eth.block_number
        chain_service.publish_epoch(session, cw.world.project, cw.backend)
        assert chain.w3.eth.block_number > block
        assert "0x" + cw.backend.current_root().hex() == epoch.merkle_root


class TestSlashOnChain:
    def test_settlement_slash_moves_stake_from_vault_to_distributor(
        self, session: Session, chain: TestChain, tmp_path: Path
    ) -> None:
        """The stake an epoch close slashes leaves the StakeVault for the Distributor."""
        cw = make_chain_world(session, chain, tmp_path, "e2e-slash")
        label_round(session, cw.world, per_annotator=40)
        outcome = close_epoch(session, cw.world.project)
        assert outcome.settlement is not None
        slashed = outcome.settlement.slashes[outcome.settlement.addresses.index(cw.spammer.address)]
        assert slashed > 0
        before = cw.backend.token_balance(cw.backend.deployment.distributor)
        published = chain_service.publish_epoch(session, cw.world.project, cw.backend)
        assert [(s.address, s.amount) for s in published.slashes] == [(cw.spammer.address, slashed)]
        assert cw.backend.stake_status(cw.spammer.address).staked == SPAMMER_STAKE - slashed
        after = cw.backend.token_balance(cw.backend.deployment.distributor)
        assert after - before == slashed

    def test_slash_above_the_stake_on_chain_is_refused(
        self, session: Session, chain: TestChain, tmp_path: Path
    ) -> None:
        """A slash the vault cannot cover (stake taken back outside labelshare) fails clearly."""
        cw = make_chain_world(session, chain, tmp_path, "e2e-overslash")
        cw.backend.request_withdrawal(SPAMMER_STAKE, signer=cw.spammer)
        chain.time_travel(4 * 24 * 3600)
        cw.backend.withdraw_stake(signer=cw.spammer)
        label_round(session, cw.world, per_annotator=40)
        close_epoch(session, cw.world.project)
        with pytest.raises(SettlementError, match="StakeVault"):
            chain_service.publish_epoch(session, cw.world.project, cw.backend)
