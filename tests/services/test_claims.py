"""Claims: proofs verify for the right leaf only; the local backend pays what is due once."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from labelshare.errors import ChainError, InvalidInput, InvalidProof
from labelshare.ledger import annotator_account
from labelshare.services.claims import claim, claim_proof, earnings, verify_claim
from labelshare.services.epochs import close_epoch
from labelshare.services.funding import deposit_stake, fund_project, stake_balance
from labelshare.services.journal import balance_of
from labelshare.services.licences import buy_licence
from tests.services.settlement_world import TOKEN, World, honest, label_round, make_world


def _world(session: Session) -> World:
    world = make_world(session, tag="claims", n_items=20, answers=[honest(0.9)] * 3)
    fund_project(session, world.project, amount=20 * TOKEN)
    label_round(session, world, per_annotator=10)
    close_epoch(session, world.project)
    return world


class TestClaimProof:
    def test_proof_verifies_for_every_claimant(self, session: Session) -> None:
        """Each annotator's proof leads from their leaf to the epoch root."""
        world = _world(session)
        for annotator in world.annotators:
            proof = claim_proof(session, world.project, annotator.address)
            assert proof.cumulative_amount > 0
            assert verify_claim(
                root=proof.root,
                address=proof.address,
                amount=proof.cumulative_amount,
                proof=proof.proof,
            )

    def test_altered_amount_or_address_fails(self, session: Session) -> None:
        """The same proof fails for one base unit more or for another address."""
        world = _world(session)
        proof = claim_proof(session, world.project, world.annotators[0].address)
        assert not verify_claim(
            root=proof.root,
            address=proof.address,
            amount=proof.cumulative_amount + 1,
            proof=proof.proof,
        )
        assert not verify_claim(
            root=proof.root,
            address=world.annotators[1].address,
            amount=proof.cumulative_amount,
            proof=proof.proof,
        )

    def test_address_without_leaf_is_refused(self, session: Session) -> None:
        """An address that earned nothing has no proof."""
        world = _world(session)
        with pytest.raises(InvalidProof, match="nothing claimable"):
            claim_proof(session, world.project, "0x" + "12" * 20)

    def test_malformed_root_is_refused(self, session: Session) -> None:
        """A root that is not 32 bytes of hex is named."""
        world = _world(session)
        with pytest.raises(InvalidInput, match="root"):
            verify_claim(root="0x1234", address=world.annotators[0].address, amount=1, proof=[])


class TestClaim:
    def test_claim_pays_what_is_due_once(self, session: Session) -> None:
        """A claim moves the due amount out of the claimant's account; a second one fails."""
        world = _world(session)
        address = world.annotators[0].address
        before = earnings(session, world.project, address)
        record = claim(session, world.project, address)
        assert record.amount == before.due > 0
        after = earnings(session, world.project, address)
        assert after.due == 0 and after.claimed == before.due
        assert balance_of(session, annotator_account(address)) == 0
        with pytest.raises(ChainError, match="nothing is due"):
            claim(session, world.project, address)

    def test_royalties_reach_shareholders_and_are_conserved(self, session: Session) -> None:
        """Licence revenue is split over shareholders at the next close, to the base unit."""
        world = _world(session)
        buy_licence(session, world.project, buyer="0x" + "34" * 20, amount=5 * TOKEN)
        outcome = close_epoch(session, world.project)
        assert outcome.is_new and outcome.settlement is not None
        settlement = outcome.settlement
        paid = sum(settlement.royalties.values()) + settlement.platform_fee
        assert paid + settlement.undistributed_revenue == 5 * TOKEN
        assert all(settlement.royalties[a.address] > 0 for a in world.annotators)


class TestFunding:
    def test_fund_and_stake_are_recorded(self, session: Session) -> None:
        """Deposits raise the escrow and the stake by exactly their amount."""
        world = _world(session)
        deposit_stake(session, world.annotators[0].address, amount=7)
        assert stake_balance(session, world.annotators[0].address) == 7

    @pytest.mark.parametrize("amount", [0, -5])
    def test_non_positive_amount_is_refused(self, session: Session, amount: int) -> None:
        """A deposit of zero or less is refused, naming the field."""
        world = make_world(session, tag="fund", n_items=1, answers=[honest(0.9)])
        with pytest.raises(InvalidInput, match="amount"):
            fund_project(session, world.project, amount=amount)
        with pytest.raises(InvalidInput, match="amount"):
            buy_licence(session, world.project, buyer="0x" + "34" * 20, amount=amount)
