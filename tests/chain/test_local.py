"""The local settlement backend: roots, claims and stake kept in the database."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from labelshare.chain.backend import SettlementBackend
from labelshare.errors import ChainError, EpochAlreadyPublished, InvalidProof, NegativeBalance
from labelshare.services.claims import claim_proof, local_backend, parse_proof
from labelshare.services.epochs import close_epoch
from labelshare.services.funding import fund_project
from labelshare.services.journal import balance_of
from tests.services.settlement_world import TOKEN, World, honest, label_round, make_world


@dataclass(frozen=True)
class _Wallet:
    """A signer stand-in: the local backend only reads the address."""

    address: str

    def sign_transaction(self, transaction: Any) -> bytes:
        """Never called by the local backend."""
        raise NotImplementedError


def _settled(session: Session) -> World:
    world = make_world(session, tag="local", n_items=12, answers=[honest(0.9)] * 3)
    fund_project(session, world.project, amount=10 * TOKEN)
    label_round(session, world, per_annotator=6)
    close_epoch(session, world.project)
    return world


class TestRoots:
    def test_post_root_confirms_the_closed_epoch(self, session: Session) -> None:
        """Posting the root an epoch was closed with returns it; the epoch is published."""
        world = _settled(session)
        backend: SettlementBackend = local_backend(session, world.project)
        proof = claim_proof(session, world.project, world.annotators[0].address)
        root = bytes.fromhex(proof.root[2:])
        epoch = close_epoch(session, world.project).epoch
        published = backend.post_root(1, root, report_hash=bytes.fromhex(str(epoch.report_sha256)))
        assert published.root == root
        assert backend.is_published(1) and backend.latest_epoch() == 1
        assert not backend.is_published(2)

    def test_other_root_is_refused(self, session: Session) -> None:
        """A different root for a closed epoch is refused."""
        world = _settled(session)
        backend = local_backend(session, world.project)
        with pytest.raises(EpochAlreadyPublished, match="epoch: 1"):
            backend.post_root(1, b"\x01" * 32, report_hash=b"\x02" * 32)


class TestClaims:
    def test_build_and_submit_claim(self, session: Session) -> None:
        """A valid leaf is paid once; the same claim again finds nothing due."""
        world = _settled(session)
        backend = local_backend(session, world.project)
        proof = claim_proof(session, world.project, world.annotators[1].address)
        claim = backend.build_claim(
            proof.address, cumulative_amount=proof.cumulative_amount, proof=parse_proof(proof.proof)
        )
        assert claim.amount_due == proof.cumulative_amount
        backend.submit_claim(claim)
        assert backend.claimed(proof.address) == proof.cumulative_amount
        with pytest.raises(ChainError, match="nothing is due"):
            backend.submit_claim(claim)

    def test_forged_amount_is_refused(self, session: Session) -> None:
        """A leaf with a raised amount does not verify against the root."""
        world = _settled(session)
        backend = local_backend(session, world.project)
        proof = claim_proof(session, world.project, world.annotators[1].address)
        with pytest.raises(InvalidProof, match="not a leaf"):
            backend.build_claim(
                proof.address,
                cumulative_amount=proof.cumulative_amount + 1,
                proof=parse_proof(proof.proof),
            )


class TestStake:
    def test_stake_unbond_withdraw_and_slash(self, session: Session) -> None:
        """Stake moves through deposit, unbonding, withdrawal and slashing exactly."""
        world = _settled(session)
        backend = local_backend(session, world.project)
        wallet = _Wallet(world.annotators[0].address)
        backend.deposit_stake(10, signer=wallet)
        backend.request_withdrawal(4, signer=wallet)
        status = backend.stake_status(wallet.address)
        assert (status.staked, status.unbonding) == (6, 4)
        backend.withdraw_stake(signer=wallet)
        backend.slash(
            wallet.address, 5, evidence_hash=b"\x03" * 32, recipient=world.annotators[1].address
        )
        status = backend.stake_status(wallet.address)
        assert (status.staked, status.unbonding) == (1, 0)
        assert balance_of(session, "external:" + world.annotators[1].address) == 5

    def test_overdrawn_stake_is_refused(self, session: Session) -> None:
        """Unbonding more than the stake is refused."""
        world = _settled(session)
        backend = local_backend(session, world.project)
        wallet = _Wallet(world.annotators[0].address)
        backend.deposit_stake(3, signer=wallet)
        with pytest.raises(NegativeBalance, match="stake:"):
            backend.request_withdrawal(4, signer=wallet)
