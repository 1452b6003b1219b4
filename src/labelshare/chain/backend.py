"""The interface every settlement backend offers, and the records it returns.

Settlement closes an epoch into a Merkle root of cumulative amounts
(:mod:`labelshare.ledger.merkle`); a backend publishes that root and pays claims
against it, and holds annotators' stake. ``local`` records all of it in the database;
``evm`` (:mod:`labelshare.chain.evm`) drives the Distributor and StakeVault contracts
on a chain. Services depend on :class:`SettlementBackend` only.

Amounts are integers in token base units (18 decimals); addresses are hex strings;
hashes are 32 raw bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Signer(Protocol):
    """Something that acts for one account: a local key, a hardware wallet, a test key."""

    @property
    def address(self) -> str:
        """The checksummed address the signer acts for."""
        ...

    def sign_transaction(self, transaction: Mapping[str, Any]) -> bytes:
        """Sign a transaction and return its raw encoded bytes, ready to broadcast.

        Args:
            transaction: the fields of a typed (EIP-1559) transaction, including
                ``nonce``, ``gas`` and ``chainId``.

        Returns:
            The signed transaction, RLP-encoded.
        """
        ...


@dataclass(frozen=True)
class TxResult:
    """The outcome of one settlement action.

    Attributes:
        tx_hash: the ``0x``-prefixed hash of the transaction, or None when the backend
            keeps no chain (``local``).
        block_number: the block that included it, or None without a chain.
        gas_used: gas the transaction used, 0 without a chain.
    """

    tx_hash: str | None
    block_number: int | None
    gas_used: int


@dataclass(frozen=True)
class PublishedRoot:
    """An epoch root as the backend holds it.

    Attributes:
        epoch: the settlement epoch number.
        root: the 32-byte Merkle root.
        report_hash: the 32-byte hash of the epoch report.
        tx: the transaction that published it (or the one found when it was already
            published, e.g. by an earlier attempt).
    """

    epoch: int
    root: bytes
    report_hash: bytes
    tx: TxResult


@dataclass(frozen=True)
class Claim:
    """Everything needed to pay one account against the latest root.

    Attributes:
        account: checksummed address of the account paid.
        cumulative_amount: the total the tree grants the account, in base units.
        amount_due: what a claim would pay now: ``cumulative_amount`` minus what was
            already paid out (0 when nothing is left).
        proof: sibling hashes from the account's leaf up to ``root``.
        root: the root the proof leads to, the latest published one.
        epoch: the epoch of ``root``.
    """

    account: str
    cumulative_amount: int
    amount_due: int
    proof: tuple[bytes, ...]
    root: bytes
    epoch: int


@dataclass(frozen=True)
class StakeStatus:
    """An account's stake.

    Attributes:
        account: checksummed address.
        staked: tokens staked and not unbonding, in base units.
        unbonding: tokens asked back and not yet withdrawn, in base units.
        release_time: earliest Unix time the unbonding tokens can be withdrawn; 0 when
            nothing is unbonding.
    """

    account: str
    staked: int
    unbonding: int
    release_time: int


class SettlementBackend(Protocol):
    """Publishes epoch roots, pays claims and holds stake.

    Every method that changes state returns once the change is final (for a chain:
    once its receipt is in) and raises ``labelshare.errors.SettlementError`` (or a
    subclass) when it cannot be made.
    """

    def post_root(self, epoch: int, root: bytes, *, report_hash: bytes) -> PublishedRoot:
        """Publish the root of ``epoch``; never publishes an epoch twice.

        Calling it again with the same epoch, root and report hash (after a crash or a
        lost receipt) returns the earlier publication instead of publishing again.

        Raises:
            EpochAlreadyPublished: if ``epoch`` or a later one was published with other
                data.
            ChainError: if the publication failed.
        """
        ...

    def is_published(self, epoch: int) -> bool:
        """Return whether the root of ``epoch`` has been published."""
        ...

    def latest_epoch(self) -> int | None:
        """Return the epoch of the latest published root, None before the first."""
        ...

    def build_claim(self, account: str, *, cumulative_amount: int, proof: Sequence[bytes]) -> Claim:
        """Check a leaf against the latest root and say what a claim would pay.

        Raises:
            InvalidProof: if the proof does not lead to the latest root.
        """
        ...

    def submit_claim(self, claim: Claim, *, signer: Signer | None = None) -> TxResult:
        """Pay ``claim.amount_due`` to ``claim.account``.

        Args:
            claim: from :meth:`build_claim`.
            signer: who submits (and pays gas for) the claim; the backend's operator
                when None. Anyone may submit for any account.

        Raises:
            InvalidProof: if the claim no longer matches the latest root.
            ChainError: if nothing is due or the payment failed.
        """
        ...

    def fund(self, amount_wei: int) -> TxResult:
        """Add ``amount_wei`` tokens to the pool that claims are paid from."""
        ...

    def deposit_stake(self, amount_wei: int, *, signer: Signer) -> TxResult:
        """Stake ``amount_wei`` of ``signer``'s tokens."""
        ...

    def request_withdrawal(self, amount_wei: int, *, signer: Signer) -> TxResult:
        """Start unbonding ``amount_wei`` of ``signer``'s stake."""
        ...

    def withdraw_stake(self, *, signer: Signer) -> TxResult:
        """Pay ``signer`` its unbonded stake once the unbonding period has passed."""
        ...

    def stake_status(self, account: str) -> StakeStatus:
        """Return ``account``'s stake."""
        ...

    def slash(
        self, account: str, amount_wei: int, *, evidence_hash: bytes, recipient: str
    ) -> TxResult:
        """Take ``amount_wei`` of ``account``'s stake and give it to ``recipient``.

        Args:
            account: whose stake is slashed.
            amount_wei: how much; at most staked plus unbonding.
            evidence_hash: 32-byte hash of the report that justifies the slash.
            recipient: who receives the slashed tokens (e.g. the project's escrow).
        """
        ...
