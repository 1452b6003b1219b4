"""The ``evm`` settlement backend: the Distributor and StakeVault driven with web3.py.

:class:`EvmSettlement` implements :class:`labelshare.chain.backend.SettlementBackend`
against contracts placed by :func:`labelshare.chain.deploy.deploy_contracts`. The
operator (the contracts' owner) posts roots, funds and slashes; annotators sign
their own stake transactions and may claim from their own wallets, for which
:meth:`EvmSettlement.claim_transaction` gives the unsigned transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from web3 import Web3
from web3.contract import Contract

from labelshare.chain import _validate
from labelshare.chain.artifacts import load_artifact
from labelshare.chain.backend import Claim, PublishedRoot, Signer, StakeStatus, TxResult
from labelshare.chain.deploy import ChainDeployment
from labelshare.chain.transactor import Transactor
from labelshare.errors import ChainError, EpochAlreadyPublished, InvalidInput, InvalidProof
from labelshare.ledger.merkle import leaf_hash, verify_proof


class EvmSettlement:
    """Settlement on an EVM chain.

    Args:
        w3: a connection to the chain the contracts are on.
        deployment: where the contracts are.
        operator: the contracts' owner, who posts roots, funds and slashes; None for
            a read-only backend that can still build claims and submit them from
            other signers.
        receipt_timeout_s: how long to wait for one receipt before re-broadcasting.
        max_attempts: broadcasts of one signed transaction before giving up.

    Raises:
        ChainError: if the connection is to another chain than ``deployment``'s.
    """

    def __init__(
        self,
        w3: Web3,
        deployment: ChainDeployment,
        *,
        operator: Signer | None = None,
        receipt_timeout_s: float = 120.0,
        max_attempts: int = 3,
    ) -> None:
        if w3.eth.chain_id != deployment.chain_id:
            raise ChainError(
                f"deployment.chain_id: {deployment.chain_id} but the node serves chain "
                f"{w3.eth.chain_id}"
            )
        self._w3 = w3
        self._deployment = deployment
        self._operator = operator
        self._transactor = Transactor(
            w3, receipt_timeout_s=receipt_timeout_s, max_attempts=max_attempts
        )
        self.token: Contract = self._contract("Token", deployment.token)
        self.distributor: Contract = self._contract("Distributor", deployment.distributor)
        self.stake_vault: Contract = self._contract("StakeVault", deployment.stake_vault)

    def _contract(self, name: str, address: str) -> Contract:
        # labelshare's Token ABI is a superset of ERC-20's, so it also reads a
        # third-party token through the ERC-20 functions.
        return self._w3.eth.contract(
            address=Web3.to_checksum_address(address), abi=load_artifact(name).abi
        )

    def __repr__(self) -> str:
        operator = self._operator.address if self._operator else None
        return (
            f"EvmSettlement(chain_id={self._deployment.chain_id}, "
            f"distributor={self._deployment.distributor!r}, operator={operator!r})"
        )

    @property
    def deployment(self) -> ChainDeployment:
        """Where the contracts are."""
        return self._deployment

    def _require_operator(self, action: str) -> Signer:
        if self._operator is None:
            raise ChainError(f"{action}: this backend has no operator key")
        return self._operator

    # -- epoch roots -------------------------------------------------------------

    def _find_posted(self, epoch: int) -> PublishedRoot | None:
        logs = self.distributor.events.RootPosted.get_logs(
            argument_filters={"epoch": epoch}, from_block=self._deployment.deployed_block
        )
        if not logs:
            return None
        log = logs[-1]
        receipt = self._w3.eth.get_transaction_receipt(log["transactionHash"])
        return PublishedRoot(
            epoch=epoch,
            root=bytes(log["args"]["merkle_root"]),
            report_hash=bytes(log["args"]["report_hash"]),
            tx=TxResult(
                tx_hash="0x" + bytes(log["transactionHash"]).hex(),
                block_number=int(log["blockNumber"]),
                gas_used=int(receipt["gasUsed"]),
            ),
        )

    def post_root(self, epoch: int, root: bytes, *, report_hash: bytes) -> PublishedRoot:
        """Publish the root of ``epoch``; never publishes an epoch twice.

        The chain is asked first: if ``epoch`` is published already with the same root
        and report hash (an earlier attempt whose answer was lost), that publication is
        returned and nothing is sent.

        Args:
            epoch: the epoch number, from 1; at least one more than the latest published.
            root: the 32-byte Merkle root from :class:`labelshare.ledger.merkle.MerkleTree`.
            report_hash: the 32-byte hash of the epoch report.

        Returns:
            The publication, with its transaction.

        Raises:
            InvalidInput: if an argument is malformed or ``root`` is 0 or 1 (the
                Distributor's empty and no-root markers).
            EpochAlreadyPublished: if ``epoch`` was published with other data, or a
                later epoch was published.
            ChainError: if there is no operator key or the transaction fails.
        """
        _validate.amount(epoch, field="epoch")
        _validate.hash32(root, field="root")
        _validate.hash32(report_hash, field="report_hash")
        if int.from_bytes(root, "big") <= 1:
            raise InvalidInput(
                f"root: 0x{root.hex()} is reserved by the Distributor and cannot be posted",
                field="root",
            )
        operator = self._require_operator("post_root")
        next_epoch = int(self.distributor.functions.next_epoch().call())
        if epoch < next_epoch:
            posted = self._find_posted(epoch)
            if posted and posted.root == root and posted.report_hash == report_hash:
                return posted
            raise EpochAlreadyPublished(
                f"epoch: {epoch} cannot be posted; the next epoch allowed is {next_epoch}"
                + (" and this one was posted with another root or report" if posted else "")
            )
        tx = self._transactor.send(
            self.distributor.functions.post_root(epoch, root, report_hash),
            operator,
            what="Distributor.post_root",
        )
        return PublishedRoot(epoch=epoch, root=root, report_hash=report_hash, tx=tx)

    def is_published(self, epoch: int) -> bool:
        """Return whether a root was posted for ``epoch``."""
        _validate.amount(epoch, field="epoch", allow_zero=True)
        if epoch >= int(self.distributor.functions.next_epoch().call()):
            return False
        return self._find_posted(epoch) is not None

    def latest_epoch(self) -> int | None:
        """Return the epoch of the latest posted root, None before the first."""
        if self.current_root() == bytes(32):
            return None
        return int(self.distributor.functions.next_epoch().call()) - 1

    def current_root(self) -> bytes:
        """Return the latest posted root (32 zero bytes before the first)."""
        return bytes(self.distributor.functions.merkle_root().call())

    # -- claims ------------------------------------------------------------------

    def claimed(self, account: str) -> int:
        """Return the total the distributor has paid ``account``."""
        account = _validate.checksum(account, field="account")
        return int(self.distributor.functions.claimed(account).call())

    def build_claim(self, account: str, *, cumulative_amount: int, proof: Sequence[bytes]) -> Claim:
        """Check a leaf against the latest root and say what a claim would pay.

        Args:
            account: the account the leaf names.
            cumulative_amount: the leaf's cumulative amount, in base units.
            proof: the leaf's proof, from ``MerkleTree.proof(account)``.

        Returns:
            The claim; ``amount_due`` is 0 when everything was paid already.

        Raises:
            InvalidAddress: if ``account`` is malformed.
            InvalidInput: if the amount or a proof element is malformed.
            InvalidProof: if the proof does not lead to the latest root.
        """
        account = _validate.checksum(account, field="account")
        _validate.amount(cumulative_amount, field="cumulative_amount", allow_zero=True)
        siblings = tuple(
            _validate.hash32(node, field=f"proof[{i}]") for i, node in enumerate(proof)
        )
        root = self.current_root()
        if root == bytes(32):
            raise InvalidProof("root: no epoch root has been posted yet")
        if not verify_proof(root, leaf_hash(account, cumulative_amount), siblings):
            raise InvalidProof(
                f"proof: does not lead from ({account}, {cumulative_amount}) to the latest "
                f"root 0x{root.hex()}"
            )
        paid = self.claimed(account)
        return Claim(
            account=account,
            cumulative_amount=cumulative_amount,
            amount_due=max(cumulative_amount - paid, 0),
            proof=siblings,
            root=root,
            epoch=int(self.distributor.functions.next_epoch().call()) - 1,
        )

    def _claim_call(self, claim: Claim) -> Any:
        if claim.root != self.current_root():
            raise InvalidProof(
                f"claim.root: 0x{claim.root.hex()} is no longer the latest root; build the "
                "claim again"
            )
        return self.distributor.functions.claim(
            claim.account, claim.cumulative_amount, list(claim.proof)
        )

    def claim_transaction(self, claim: Claim, *, sender: str) -> dict[str, Any]:
        """Build the unsigned claim transaction for a wallet to sign and send.

        Args:
            claim: from :meth:`build_claim`.
            sender: the wallet that will send it (any account may).

        Returns:
            ``from``, ``to``, ``data`` (hex), ``value``, ``chainId`` and ``gas``; the
            wallet adds the nonce and fees.

        Raises:
            InvalidProof: if the latest root changed since the claim was built.
            ChainError: if the claim would revert (e.g. nothing is due).
        """
        sender = _validate.checksum(sender, field="sender")
        built = self._transactor.build(self._claim_call(claim), sender, what="Distributor.claim")
        return {
            "from": sender,
            "to": self._deployment.distributor,
            "data": built["data"],
            "value": 0,
            "chainId": self._deployment.chain_id,
            "gas": int(built["gas"]),
        }

    def submit_claim(self, claim: Claim, *, signer: Signer | None = None) -> TxResult:
        """Pay ``claim.amount_due`` to ``claim.account``, sent by ``signer``.

        Raises:
            InvalidProof: if the latest root changed since the claim was built.
            ChainError: if nothing is due, there is no signer, or the payment failed.
        """
        sender = signer or self._require_operator("submit_claim")
        return self._transactor.send(self._claim_call(claim), sender, what="Distributor.claim")

    def fund(self, amount_wei: int) -> TxResult:
        """Give the distributor ``amount_wei`` more tokens to pay claims with.

        labelshare's Token is minted to the distributor; an existing ERC-20 is
        transferred from the operator's balance.

        Raises:
            InvalidInput: if ``amount_wei`` is not a positive integer.
            ChainError: if there is no operator key or the transaction fails.
        """
        _validate.amount(amount_wei, field="amount_wei")
        operator = self._require_operator("fund")
        target = self._deployment.distributor
        if self._deployment.token_is_mintable:
            call = self.token.functions.mint(target, amount_wei)
            return self._transactor.send(call, operator, what="Token.mint")
        call = self.token.functions.transfer(target, amount_wei)
        return self._transactor.send(call, operator, what="Token.transfer")

    def pay_in(self, amount_wei: int, *, signer: Signer) -> TxResult:
        """Send ``amount_wei`` of ``signer``'s tokens to the distributor (a licence price).

        Unlike :meth:`fund`, nothing is minted: the tokens leave the payer's wallet.

        Raises:
            InvalidInput: if ``amount_wei`` is not a positive integer.
            ChainError: if the payer holds fewer tokens or the transaction fails.
        """
        _validate.amount(amount_wei, field="amount_wei")
        held = self.token_balance(signer.address)
        if held < amount_wei:
            raise ChainError(
                f"pay_in: {signer.address} holds {held} base units of the token, "
                f"fewer than {amount_wei}"
            )
        call = self.token.functions.transfer(self._deployment.distributor, amount_wei)
        return self._transactor.send(call, signer, what="Token.transfer")

    def token_balance(self, account: str) -> int:
        """Return ``account``'s balance of the settlement token, in base units."""
        account = _validate.checksum(account, field="account")
        return int(self.token.functions.balanceOf(account).call())

    def mint(self, to: str, amount_wei: int) -> TxResult:
        """Mint labelshare's Token to ``to`` (the operator must be a minter).

        Raises:
            ChainError: if the token is not labelshare's or the mint fails.
        """
        to = _validate.checksum(to, field="to")
        _validate.amount(amount_wei, field="amount_wei")
        if not self._deployment.token_is_mintable:
            raise ChainError("mint: the settlement token is not labelshare's Token")
        operator = self._require_operator("mint")
        return self._transactor.send(
            self.token.functions.mint(to, amount_wei), operator, what="Token.mint"
        )

    def set_claims_paused(self, paused: bool) -> TxResult:
        """Pause (True) or resume (False) all claims.

        Raises:
            ChainError: if there is no operator key or claims already are in that state.
        """
        operator = self._require_operator("set_claims_paused")
        call = (
            self.distributor.functions.pause() if paused else self.distributor.functions.unpause()
        )
        name = "pause" if paused else "unpause"
        return self._transactor.send(call, operator, what=f"Distributor.{name}")

    # -- stake -------------------------------------------------------------------

    def deposit_stake(self, amount_wei: int, *, signer: Signer) -> TxResult:
        """Stake ``amount_wei`` of ``signer``'s tokens, approving the vault first if needed.

        Raises:
            InvalidInput: if ``amount_wei`` is not a positive integer.
            ChainError: if the balance is short or a transaction fails.
        """
        _validate.amount(amount_wei, field="amount_wei")
        vault = self._deployment.stake_vault
        allowance = int(self.token.functions.allowance(signer.address, vault).call())
        if allowance < amount_wei:
            self._transactor.send(
                self.token.functions.approve(vault, amount_wei), signer, what="Token.approve"
            )
        return self._transactor.send(
            self.stake_vault.functions.deposit(amount_wei), signer, what="StakeVault.deposit"
        )

    def request_withdrawal(self, amount_wei: int, *, signer: Signer) -> TxResult:
        """Start unbonding ``amount_wei`` of ``signer``'s stake.

        Raises:
            InvalidInput: if ``amount_wei`` is not a positive integer.
            ChainError: if it exceeds the stake or the transaction fails.
        """
        _validate.amount(amount_wei, field="amount_wei")
        call = self.stake_vault.functions.request_withdrawal(amount_wei)
        return self._transactor.send(call, signer, what="StakeVault.request_withdrawal")

    def withdraw_stake(self, *, signer: Signer) -> TxResult:
        """Pay ``signer`` its unbonding stake once the unbonding period has passed.

        Raises:
            ChainError: if nothing is unbonding, it is too early, or the transaction fails.
        """
        call = self.stake_vault.functions.withdraw()
        return self._transactor.send(call, signer, what="StakeVault.withdraw")

    def stake_status(self, account: str) -> StakeStatus:
        """Return ``account``'s staked and unbonding tokens and their release time."""
        account = _validate.checksum(account, field="account")
        staked, unbonding, release_time = self.stake_vault.functions.stake_of(account).call()
        return StakeStatus(
            account=account,
            staked=int(staked),
            unbonding=int(unbonding),
            release_time=int(release_time),
        )

    def slash(
        self, account: str, amount_wei: int, *, evidence_hash: bytes, recipient: str
    ) -> TxResult:
        """Take ``amount_wei`` of ``account``'s stake and send it to ``recipient``.

        Raises:
            InvalidAddress: if an address is malformed.
            InvalidInput: if the amount or hash is malformed.
            ChainError: if it exceeds staked plus unbonding, there is no operator key,
                or the transaction fails.
        """
        account = _validate.checksum(account, field="account")
        recipient = _validate.checksum(recipient, field="recipient")
        _validate.amount(amount_wei, field="amount_wei")
        _validate.hash32(evidence_hash, field="evidence_hash")
        operator = self._require_operator("slash")
        call = self.stake_vault.functions.slash(account, amount_wei, recipient, evidence_hash)
        return self._transactor.send(call, operator, what="StakeVault.slash")
