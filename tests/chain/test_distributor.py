"""The Distributor contract: roots per epoch, cumulative claims, pause, ownership."""

from __future__ import annotations

import random

import pytest
from eth_utils.address import to_checksum_address
from web3.exceptions import ContractLogicError

from labelshare.chain.keys import KeySigner
from labelshare.errors import ChainError
from labelshare.ledger.merkle import MerkleTree
from tests.chain.conftest import TestChain

REPORT = b"\x42" * 32


def _accounts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [to_checksum_address(rng.randbytes(20)) for _ in range(count)]


def _post(chain: TestChain, epoch: int, claims: list[tuple[str, int]]) -> MerkleTree:
    tree = MerkleTree.from_claims(claims)
    chain.settlement.post_root(epoch, tree.root, report_hash=REPORT)
    return tree


def _claim(chain: TestChain, tree: MerkleTree, account: str, cumulative: int) -> int:
    claim = chain.settlement.build_claim(
        account, cumulative_amount=cumulative, proof=tree.proof(account)
    )
    return chain.settlement.submit_claim(claim).gas_used


def _raw_claim(
    chain: TestChain, account: str, cumulative: int, proof: list[bytes], sender: KeySigner
) -> None:
    """Send a claim straight to the contract, bypassing the backend's own checks."""
    call = chain.settlement.distributor.functions.claim(account, cumulative, proof)
    call.call({"from": sender.address})


class TestPostRoot:
    def test_owner_posts_root_with_epoch_and_report_hash(self, chain: TestChain) -> None:
        """A posted root becomes the latest and its event carries epoch, root and report hash."""
        tree = _post(chain, 3, [(chain.others[0].address, 10)])
        distributor = chain.settlement.distributor
        assert distributor.functions.merkle_root().call() == tree.root
        assert distributor.functions.next_epoch().call() == 4
        (event,) = distributor.events.RootPosted.get_logs(from_block=0)
        assert event["args"]["epoch"] == 3
        assert event["args"]["merkle_root"] == tree.root
        assert event["args"]["report_hash"] == REPORT

    def test_same_epoch_cannot_be_posted_twice(self, chain: TestChain) -> None:
        """The contract refuses an epoch at or below the latest posted one."""
        _post(chain, 1, [(chain.others[0].address, 10)])
        call = chain.settlement.distributor.functions.post_root(1, b"\x01" * 32, REPORT)
        with pytest.raises(
            ContractLogicError, match="Distributor: epoch is not after the latest posted"
        ):
            call.call({"from": chain.operator.address})
        lower = chain.settlement.distributor.functions.post_root(0, b"\x01" * 32, REPORT)
        with pytest.raises(
            ContractLogicError, match="Distributor: epoch is not after the latest posted"
        ):
            lower.call({"from": chain.operator.address})

    def test_later_epoch_may_skip_numbers(self, chain: TestChain) -> None:
        """Epochs must increase but need not be consecutive."""
        _post(chain, 1, [(chain.others[0].address, 10)])
        _post(chain, 5, [(chain.others[0].address, 20)])
        assert chain.settlement.distributor.functions.next_epoch().call() == 6

    def test_only_owner_posts_roots(self, chain: TestChain) -> None:
        """Anyone but the owner is refused."""
        call = chain.settlement.distributor.functions.post_root(1, b"\x01" * 32, REPORT)
        with pytest.raises(ContractLogicError, match="Distributor: caller is not the owner"):
            call.call({"from": chain.others[0].address})

    def test_zero_root_is_refused(self, chain: TestChain) -> None:
        """A zero root would make every claim fail, so it cannot be posted."""
        call = chain.settlement.distributor.functions.post_root(1, bytes(32), REPORT)
        with pytest.raises(ContractLogicError, match="Distributor: root is zero"):
            call.call({"from": chain.operator.address})

    def test_no_root_marker_is_refused(self, chain: TestChain) -> None:
        """The marker that stands in before the first post cannot be posted as a root."""
        marker = (1).to_bytes(32, "big")
        call = chain.settlement.distributor.functions.post_root(1, marker, REPORT)
        with pytest.raises(ContractLogicError, match="Distributor: root is the no-root marker"):
            call.call({"from": chain.operator.address})

    def test_fresh_distributor_reads_as_unposted(self, chain: TestChain) -> None:
        """Before the first post the root reads as zero, paused or not, and epoch 1 is next."""
        distributor = chain.settlement.distributor
        assert distributor.functions.merkle_root().call() == bytes(32)
        assert distributor.functions.next_epoch().call() == 1
        chain.settlement.set_claims_paused(True)
        assert distributor.functions.merkle_root().call() == bytes(32)

    def test_epoch_zero_is_refused(self, chain: TestChain) -> None:
        """Epochs are numbered from 1, so a fresh distributor refuses epoch 0."""
        call = chain.settlement.distributor.functions.post_root(0, b"\x01" * 32, REPORT)
        with pytest.raises(
            ContractLogicError, match="Distributor: epoch is not after the latest posted"
        ):
            call.call({"from": chain.operator.address})

    def test_first_post_costs_what_a_later_post_costs(self, chain: TestChain) -> None:
        """The constructor's non-zero slots spare the first post the zero-slot write."""
        first = chain.settlement.post_root(1, b"\x02" * 32, report_hash=REPORT).tx.gas_used
        later = chain.settlement.post_root(2, b"\x03" * 32, report_hash=REPORT).tx.gas_used
        assert first == later


class TestClaim:
    @pytest.mark.slow  # 220 transactions on py-evm: ~5 s alone, far more on a busy machine
    def test_200_accounts_claim_exactly_their_cumulative_amounts(self, chain: TestChain) -> None:
        """Over three epochs, each of 200 accounts ends with exactly its cumulative amount."""
        accounts = _accounts(200, seed=1)
        rng = random.Random(2)
        cumulative = dict.fromkeys(accounts, 0)
        chain.settlement.fund(10**30)
        claim = chain.settlement.distributor.functions.claim
        for epoch in (1, 2, 3):
            for account in accounts:
                cumulative[account] += rng.randrange(1, 10**21)
            tree = _post(chain, epoch, list(cumulative.items()))
            # Some accounts claim in each epoch, collecting one or two epochs at once;
            # all of them claim in the last.
            claimants = accounts if epoch == 3 else accounts[epoch::20]
            calls = [claim(a, cumulative[a], tree.proof(a)) for a in claimants]
            chain.send_many(calls, chain.others[0])
        # Every token movement out of the distributor, read from the token's own log.
        received = dict.fromkeys(accounts, 0)
        for log in chain.settlement.token.events.Transfer.get_logs(
            from_block=0, argument_filters={"sender": chain.deployment.distributor}
        ):
            received[log["args"]["receiver"]] += log["args"]["value"]
        assert received == cumulative
        for account in accounts[:: len(accounts) // 10]:
            assert chain.settlement.token_balance(account) == cumulative[account]
            assert chain.settlement.claimed(account) == cumulative[account]
        paid_out = sum(cumulative.values())
        assert chain.settlement.token_balance(chain.deployment.distributor) == 10**30 - paid_out

    def test_second_claim_pays_only_the_increment(self, chain: TestChain) -> None:
        """A claim after a new epoch pays the new cumulative amount minus what was paid."""
        account, other = chain.others[0].address, chain.others[1].address
        chain.settlement.fund(10**21)
        tree = _post(chain, 1, [(account, 100), (other, 5)])
        _claim(chain, tree, account, 100)
        tree = _post(chain, 2, [(account, 250), (other, 5)])
        before = chain.settlement.token_balance(account)
        _claim(chain, tree, account, 250)
        assert chain.settlement.token_balance(account) - before == 150
        assert chain.settlement.claimed(account) == 250

    def test_double_claim_pays_nothing(self, chain: TestChain) -> None:
        """Claiming the same leaf again reverts and moves no tokens."""
        account = chain.others[0].address
        chain.settlement.fund(10**21)
        tree = _post(chain, 1, [(account, 100), (chain.others[1].address, 5)])
        _claim(chain, tree, account, 100)
        claim = chain.settlement.build_claim(
            account, cumulative_amount=100, proof=tree.proof(account)
        )
        assert claim.amount_due == 0
        with pytest.raises(ChainError, match="Distributor: nothing to claim"):
            chain.settlement.submit_claim(claim)
        assert chain.settlement.token_balance(account) == 100

    def test_anyone_may_submit_and_the_account_is_paid(self, chain: TestChain) -> None:
        """A claim sent by a third party pays the account named in the leaf."""
        account, submitter = chain.others[0].address, chain.others[1]
        chain.settlement.fund(10**21)
        tree = _post(chain, 1, [(account, 77), (submitter.address, 5)])
        claim = chain.settlement.build_claim(
            account, cumulative_amount=77, proof=tree.proof(account)
        )
        chain.settlement.submit_claim(claim, signer=submitter)
        assert chain.settlement.token_balance(account) == 77
        assert chain.settlement.token_balance(submitter.address) == 0

    @pytest.mark.parametrize("alteration", ["proof", "amount", "account"])
    def test_altered_claim_reverts(self, chain: TestChain, alteration: str) -> None:
        """A wrong proof, amount or account is refused as an invalid proof."""
        accounts = _accounts(9, seed=3)
        chain.settlement.fund(10**21)
        tree = _post(chain, 1, [(a, 10 + i) for i, a in enumerate(accounts)])
        account, amount, proof = accounts[4], 14, tree.proof(accounts[4])
        _raw_claim(chain, account, amount, proof, chain.others[0])  # the unaltered claim passes
        if alteration == "proof":
            proof = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
        elif alteration == "amount":
            amount += 1
        else:
            account = accounts[5]
        with pytest.raises(ContractLogicError, match="Distributor: invalid proof"):
            _raw_claim(chain, account, amount, proof, chain.others[0])

    def test_claim_before_any_root_reverts(self, chain: TestChain) -> None:
        """With no root posted, no proof is valid."""
        with pytest.raises(ContractLogicError, match="Distributor: invalid proof"):
            _raw_claim(chain, chain.others[0].address, 1, [], chain.others[0])


class TestPause:
    def test_paused_claims_revert(self, chain: TestChain) -> None:
        """While paused a valid claim reverts; after unpausing it pays."""
        account = chain.others[0].address
        chain.settlement.fund(10**21)
        tree = _post(chain, 1, [(account, 100), (chain.others[1].address, 5)])
        chain.settlement.set_claims_paused(True)
        assert chain.settlement.distributor.functions.paused().call() is True
        with pytest.raises(ContractLogicError, match="Distributor: claims are paused"):
            _raw_claim(chain, account, 100, tree.proof(account), chain.others[0])
        chain.settlement.set_claims_paused(False)
        _claim(chain, tree, account, 100)
        assert chain.settlement.token_balance(account) == 100

    def test_root_posted_while_paused_applies_after_unpause(self, chain: TestChain) -> None:
        """A root posted during a pause is reported as latest and is the one claims use."""
        account = chain.others[0].address
        chain.settlement.fund(10**21)
        _post(chain, 1, [(account, 100), (chain.others[1].address, 5)])
        chain.settlement.set_claims_paused(True)
        tree = _post(chain, 2, [(account, 300), (chain.others[1].address, 5)])
        assert chain.settlement.current_root() == tree.root
        chain.settlement.set_claims_paused(False)
        _claim(chain, tree, account, 300)
        assert chain.settlement.token_balance(account) == 300

    def test_only_owner_pauses(self, chain: TestChain) -> None:
        """Anyone but the owner is refused pause and unpause."""
        distributor = chain.settlement.distributor
        with pytest.raises(ContractLogicError, match="Distributor: caller is not the owner"):
            distributor.functions.pause().call({"from": chain.others[0].address})
        chain.settlement.set_claims_paused(True)
        with pytest.raises(ContractLogicError, match="Distributor: caller is not the owner"):
            distributor.functions.unpause().call({"from": chain.others[0].address})


class TestOwnership:
    def test_ownership_moves_only_when_accepted(self, chain: TestChain) -> None:
        """transfer_ownership names a pending owner; only its acceptance hands over."""
        distributor = chain.settlement.distributor
        new_owner = chain.others[0]
        chain.settlement._transactor.send(
            distributor.functions.transfer_ownership(new_owner.address),
            chain.operator,
            what="Distributor.transfer_ownership",
        )
        assert distributor.functions.owner().call() == chain.operator.address
        assert distributor.functions.pending_owner().call() == new_owner.address
        chain.settlement._transactor.send(
            distributor.functions.accept_ownership(), new_owner, what="accept"
        )
        assert distributor.functions.owner().call() == new_owner.address
        with pytest.raises(ContractLogicError, match="Distributor: caller is not the owner"):
            distributor.functions.post_root(1, b"\x01" * 32, REPORT).call(
                {"from": chain.operator.address}
            )

    def test_only_pending_owner_accepts(self, chain: TestChain) -> None:
        """Someone other than the pending owner cannot accept, and a non-owner cannot start."""
        distributor = chain.settlement.distributor
        chain.settlement._transactor.send(
            distributor.functions.transfer_ownership(chain.others[0].address),
            chain.operator,
            what="Distributor.transfer_ownership",
        )
        with pytest.raises(ContractLogicError, match="caller is not the new owner"):
            distributor.functions.accept_ownership().call({"from": chain.others[1].address})
        with pytest.raises(ContractLogicError, match="caller is not the owner"):
            distributor.functions.transfer_ownership(chain.others[1].address).call(
                {"from": chain.others[1].address}
            )
