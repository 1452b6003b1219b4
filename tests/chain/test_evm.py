"""EvmSettlement: safe root publication, claims for wallets, funding, and its guards."""

from __future__ import annotations

import dataclasses

import pytest
from eth_account import Account

from labelshare.chain.backend import SettlementBackend, Signer
from labelshare.chain.deploy import ChainDeployment, deploy_contract, deploy_contracts
from labelshare.chain.evm import EvmSettlement
from labelshare.chain.keys import KeySigner
from labelshare.errors import (
    ChainError,
    EpochAlreadyPublished,
    InvalidAddress,
    InvalidInput,
    InvalidProof,
)
from labelshare.ledger.merkle import MerkleTree
from tests.chain.conftest import TestChain

REPORT = b"\x24" * 32


def _tree(chain: TestChain, amount: int = 100) -> MerkleTree:
    return MerkleTree.from_claims([(chain.others[0].address, amount), (chain.others[1].address, 7)])


class TestProtocol:
    def test_evm_settlement_is_a_settlement_backend(self, chain: TestChain) -> None:
        """EvmSettlement offers every method of the SettlementBackend protocol."""
        backend: SettlementBackend = chain.settlement
        assert callable(backend.post_root)
        assert isinstance(chain.operator, Signer)

    def test_plain_object_is_not_a_signer(self) -> None:
        """Something without an address and a signing method is not a Signer."""
        assert not isinstance(object(), Signer)


class TestPostRoot:
    def test_post_root_is_idempotent(self, chain: TestChain) -> None:
        """Posting the same epoch, root and report again returns the first publication."""
        tree = _tree(chain)
        first = chain.settlement.post_root(1, tree.root, report_hash=REPORT)
        block = chain.w3.eth.block_number
        again = chain.settlement.post_root(1, tree.root, report_hash=REPORT)
        assert again == first
        assert chain.w3.eth.block_number == block

    def test_other_root_for_published_epoch_is_refused(self, chain: TestChain) -> None:
        """An epoch published with one root cannot be published with another."""
        chain.settlement.post_root(1, _tree(chain).root, report_hash=REPORT)
        with pytest.raises(EpochAlreadyPublished, match="epoch: 1 cannot be posted"):
            chain.settlement.post_root(1, _tree(chain, 200).root, report_hash=REPORT)

    def test_epoch_below_latest_is_refused(self, chain: TestChain) -> None:
        """After epoch 3, a skipped epoch 2 can no longer be published."""
        chain.settlement.post_root(3, _tree(chain).root, report_hash=REPORT)
        with pytest.raises(EpochAlreadyPublished, match="next epoch allowed is 4"):
            chain.settlement.post_root(2, _tree(chain, 200).root, report_hash=REPORT)

    def test_is_published_and_latest_epoch(self, chain: TestChain) -> None:
        """Posted epochs read as published; skipped and future ones do not."""
        assert chain.settlement.latest_epoch() is None
        chain.settlement.post_root(1, _tree(chain).root, report_hash=REPORT)
        chain.settlement.post_root(3, _tree(chain, 200).root, report_hash=REPORT)
        assert [chain.settlement.is_published(e) for e in range(5)] == [
            False,
            True,
            False,
            True,
            False,
        ]
        assert chain.settlement.latest_epoch() == 3

    @pytest.mark.parametrize(
        ("epoch", "root", "report", "match"),
        [
            (-1, b"\x01" * 32, REPORT, "epoch: -1 is not a positive integer"),
            (0, b"\x01" * 32, REPORT, "epoch: 0 is not a positive integer"),
            (1, b"\x01" * 31, REPORT, "root: expected 32 bytes"),
            (1, bytes(32), REPORT, "root: 0x0{64} is reserved by the Distributor"),
            (1, (1).to_bytes(32, "big"), REPORT, "root: 0x0{63}1 is reserved by the Distributor"),
            (1, b"\x01" * 32, b"", "report_hash: expected 32 bytes"),
        ],
    )
    def test_malformed_arguments_are_refused(
        self, chain: TestChain, epoch: int, root: bytes, report: bytes, match: str
    ) -> None:
        """Each malformed argument is named in the error."""
        with pytest.raises(InvalidInput, match=match):
            chain.settlement.post_root(epoch, root, report_hash=report)

    def test_backend_without_operator_cannot_post(self, chain: TestChain) -> None:
        """A read-only backend refuses to post."""
        reader = EvmSettlement(chain.w3, chain.deployment)
        with pytest.raises(ChainError, match="post_root: this backend has no operator key"):
            reader.post_root(1, _tree(chain).root, report_hash=REPORT)


class TestClaims:
    def test_build_claim_reports_amount_due(self, chain: TestChain) -> None:
        """A built claim carries the latest root and epoch and what is still due."""
        tree = _tree(chain)
        chain.settlement.post_root(4, tree.root, report_hash=REPORT)
        account = chain.others[0].address
        claim = chain.settlement.build_claim(
            account, cumulative_amount=100, proof=tree.proof(account)
        )
        assert (claim.amount_due, claim.root, claim.epoch) == (100, tree.root, 4)

    def test_build_claim_with_wrong_amount_raises(self, chain: TestChain) -> None:
        """A leaf that is not in the latest tree is refused before any transaction."""
        tree = _tree(chain)
        chain.settlement.post_root(1, tree.root, report_hash=REPORT)
        account = chain.others[0].address
        with pytest.raises(InvalidProof, match="proof: does not lead from"):
            chain.settlement.build_claim(account, cumulative_amount=101, proof=tree.proof(account))

    def test_build_claim_before_any_root_raises(self, chain: TestChain) -> None:
        """Without a published root there is nothing to claim against."""
        with pytest.raises(InvalidProof, match="no epoch root has been posted"):
            chain.settlement.build_claim(chain.others[0].address, cumulative_amount=1, proof=[])

    def test_build_claim_with_bad_address_raises(self, chain: TestChain) -> None:
        """A malformed account is named in the error."""
        with pytest.raises(InvalidAddress, match="account: '0x12' is not an Ethereum address"):
            chain.settlement.build_claim("0x12", cumulative_amount=1, proof=[])

    def test_stale_claim_is_refused(self, chain: TestChain) -> None:
        """A claim built against an older root must be rebuilt."""
        account = chain.others[0].address
        tree = _tree(chain)
        chain.settlement.post_root(1, tree.root, report_hash=REPORT)
        claim = chain.settlement.build_claim(
            account, cumulative_amount=100, proof=tree.proof(account)
        )
        chain.settlement.post_root(2, _tree(chain, 150).root, report_hash=REPORT)
        with pytest.raises(InvalidProof, match="is no longer the latest root"):
            chain.settlement.submit_claim(claim)

    def test_wallet_signs_the_unsigned_claim_transaction(self, chain: TestChain) -> None:
        """The unsigned transaction, completed and signed by a wallet, pays the claim."""
        chain.settlement.fund(10**20)
        wallet = chain.new_annotator()
        tree = MerkleTree.from_claims([(wallet.address, 5_000), (chain.others[1].address, 7)])
        chain.settlement.post_root(1, tree.root, report_hash=REPORT)
        claim = chain.settlement.build_claim(
            wallet.address, cumulative_amount=5_000, proof=tree.proof(wallet.address)
        )
        unsigned = chain.settlement.claim_transaction(claim, sender=wallet.address)
        assert unsigned["to"] == chain.deployment.distributor
        assert unsigned["data"].startswith("0x")
        transaction = {
            **{k: v for k, v in unsigned.items() if k != "from"},
            "nonce": 0,
            "maxFeePerGas": 10**10,
            "maxPriorityFeePerGas": 1,
        }
        raw = wallet.sign_transaction(transaction)
        receipt = chain.w3.eth.wait_for_transaction_receipt(chain.w3.eth.send_raw_transaction(raw))
        assert receipt["status"] == 1
        assert chain.settlement.token_balance(wallet.address) == 5_000

    def test_unsigned_claim_with_nothing_due_is_refused(self, chain: TestChain) -> None:
        """Building a transaction that would revert names the contract's reason."""
        chain.settlement.fund(10**20)
        tree = _tree(chain)
        account = chain.others[0].address
        chain.settlement.post_root(1, tree.root, report_hash=REPORT)
        claim = chain.settlement.build_claim(
            account, cumulative_amount=100, proof=tree.proof(account)
        )
        chain.settlement.submit_claim(claim)
        with pytest.raises(ChainError, match="Distributor: nothing to claim"):
            chain.settlement.claim_transaction(claim, sender=account)


class TestFunding:
    def test_fund_mints_labelshare_token(self, chain: TestChain) -> None:
        """With labelshare's Token the distributor is funded by minting."""
        supply = chain.settlement.token.functions.totalSupply().call()
        chain.settlement.fund(10**18)
        assert chain.settlement.token_balance(chain.deployment.distributor) == 10**18
        assert chain.settlement.token.functions.totalSupply().call() == supply + 10**18

    def test_fund_with_existing_token_transfers(self, chain: TestChain) -> None:
        """With a third-party ERC-20 the operator's own tokens are transferred."""
        operator = chain.others[4]
        token, _ = deploy_contract(chain.w3, operator, "Token", "Stable", "USDX", "Stable", "1")
        deployment = deploy_contracts(chain.w3, operator, token=token)
        settlement = EvmSettlement(chain.w3, deployment, operator=operator)
        assert not deployment.token_is_mintable
        with pytest.raises(ChainError, match="mint: the settlement token is not labelshare's"):
            settlement.mint(operator.address, 1)
        chain.settlement._transactor.send(
            settlement.token.functions.mint(operator.address, 500), operator, what="mint"
        )
        settlement.fund(300)
        assert settlement.token_balance(deployment.distributor) == 300
        assert settlement.token_balance(operator.address) == 200

    def test_fund_refuses_non_positive_amount(self, chain: TestChain) -> None:
        """Funding with zero is a malformed request."""
        with pytest.raises(InvalidInput, match="amount_wei: 0 is not a positive integer"):
            chain.settlement.fund(0)

    def test_pay_in_moves_the_payers_tokens(self, chain: TestChain) -> None:
        """A payment in leaves the payer's wallet for the distributor and mints nothing."""
        payer = chain.others[2]
        chain.settlement.mint(payer.address, 500)
        supply = chain.settlement.token.functions.totalSupply().call()
        chain.settlement.pay_in(300, signer=payer)
        assert chain.settlement.token_balance(chain.deployment.distributor) == 300
        assert chain.settlement.token_balance(payer.address) == 200
        assert chain.settlement.token.functions.totalSupply().call() == supply

    def test_pay_in_above_the_balance_is_refused(self, chain: TestChain) -> None:
        """A payer cannot pay in more tokens than it holds; nothing moves."""
        payer = chain.others[2]
        chain.settlement.mint(payer.address, 5)
        with pytest.raises(ChainError, match="holds 5 base units of the token, fewer than 6"):
            chain.settlement.pay_in(6, signer=payer)
        assert chain.settlement.token_balance(chain.deployment.distributor) == 0


class TestDeployment:
    def test_deployment_round_trips_through_dict(self, chain: TestChain) -> None:
        """A recorded deployment reads back equal."""
        assert ChainDeployment.from_dict(chain.deployment.to_dict()) == chain.deployment

    def test_deployment_with_bad_address_is_refused(self, chain: TestChain) -> None:
        """A recorded deployment with a malformed address names the field."""
        data = {**chain.deployment.to_dict(), "distributor": "0xnope"}
        with pytest.raises(InvalidAddress, match="deployment.distributor"):
            ChainDeployment.from_dict(data)

    def test_wrong_chain_is_refused(self, chain: TestChain) -> None:
        """A deployment recorded for another chain is not driven on this one."""
        other = dataclasses.replace(chain.deployment, chain_id=chain.deployment.chain_id + 1)
        with pytest.raises(ChainError, match="deployment.chain_id"):
            EvmSettlement(chain.w3, other)

    def test_repr_names_addresses_not_keys(self, chain: TestChain) -> None:
        """The backend's repr shows the operator's address and no key material."""
        key = Account.create()
        operator = KeySigner(key)
        text = repr(EvmSettlement(chain.w3, chain.deployment, operator=operator))
        assert operator.address in text
        assert bytes(key.key).hex() not in text.lower()
