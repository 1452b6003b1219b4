"""The ``local`` settlement backend: roots, claims and stake recorded in the database.

:class:`LocalSettlement` implements :class:`labelshare.chain.backend.SettlementBackend`
for one project without a chain. Epoch close stores the root on the epoch row, so
:meth:`LocalSettlement.post_root` only confirms it; a claim is a journal entry from the
claimant's ``annotator:`` account to their ``external:`` one (the tokens leave the
platform) plus a :class:`~labelshare.store.models.ClaimRecord`. Journal entries are
written through the ``append`` function given, the service layer's
``labelshare.services.journal.append_entries``, so that this module does not depend on
services.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.chain.backend import Claim, PublishedRoot, Signer, StakeStatus, TxResult
from labelshare.core.ids import checksum_address
from labelshare.core.statuses import EpochStatus
from labelshare.errors import ChainError, EpochAlreadyPublished, InvalidProof, SettlementError
from labelshare.ledger import (
    EntryDraft,
    JournalEntry,
    Posting,
    annotator_account,
    escrow_account,
    external_account,
    leaf_hash,
    stake_account,
    verify_proof,
)
from labelshare.store.models import Account, ClaimRecord, Epoch, LedgerBalance, Project

__all__ = ["AppendEntries", "LocalSettlement", "unbonding_account"]

AppendEntries = Callable[[Sequence[EntryDraft]], tuple[JournalEntry, ...]]
"""Stores balanced drafts in the journal and returns them chained."""

_NO_TX = TxResult(tx_hash=None, block_number=None, gas_used=0)


def unbonding_account(address: str) -> str:
    """The account holding stake that ``address`` asked back (the local backend has no delay)."""
    return f"unbonding:{address}"


class LocalSettlement:
    """Settlement of one project in the database.

    Args:
        session: the unit of work the caller commits.
        project: the project whose roots and claims this backend holds.
        append: writes journal entries (``labelshare.services.journal.append_entries``
            bound to the session and project).
    """

    def __init__(self, session: Session, project: Project, *, append: AppendEntries) -> None:
        self._session = session
        self._project = project
        self._append = append

    def __repr__(self) -> str:
        return f"LocalSettlement(project={self._project.name!r})"

    def _epoch(self, number: int) -> Epoch | None:
        return self._session.scalars(
            select(Epoch).where(
                Epoch.project_id == self._project.id,
                Epoch.number == number,
                Epoch.status == EpochStatus.CLOSED.value,
            )
        ).first()

    def _latest_rooted(self) -> Epoch | None:
        return self._session.scalars(
            select(Epoch)
            .where(
                Epoch.project_id == self._project.id,
                Epoch.status == EpochStatus.CLOSED.value,
                Epoch.merkle_root.is_not(None),
            )
            .order_by(Epoch.number.desc())
            .limit(1)
        ).first()

    # -- epoch roots -------------------------------------------------------------

    def post_root(self, epoch: int, root: bytes, *, report_hash: bytes) -> PublishedRoot:
        """Confirm that closed epoch ``epoch`` holds ``root`` and ``report_hash``.

        Raises:
            SettlementError: if the epoch was not closed.
            EpochAlreadyPublished: if it holds another root or report hash.
        """
        row = self._epoch(epoch)
        if row is None:
            raise SettlementError(f"epoch: {epoch} of {self._project.name!r} is not closed")
        if row.merkle_root != "0x" + root.hex() or row.report_sha256 != report_hash.hex():
            raise EpochAlreadyPublished(
                f"epoch: {epoch} of {self._project.name!r} holds root {row.merkle_root}"
            )
        return PublishedRoot(epoch=epoch, root=root, report_hash=report_hash, tx=_NO_TX)

    def is_published(self, epoch: int) -> bool:
        """Return whether epoch ``epoch`` was closed with a root."""
        row = self._epoch(epoch)
        return row is not None and row.merkle_root is not None

    def latest_epoch(self) -> int | None:
        """Return the number of the latest epoch with a root, None before the first."""
        row = self._latest_rooted()
        return None if row is None else row.number

    def current_root(self) -> bytes | None:
        """The latest root, None before the first."""
        row = self._latest_rooted()
        return (
            None if row is None or row.merkle_root is None else bytes.fromhex(row.merkle_root[2:])
        )

    # -- claims ------------------------------------------------------------------

    def claimed(self, account: str) -> int:
        """Base units already paid to ``account`` from this project."""
        amounts = self._session.scalars(
            select(ClaimRecord.amount).where(
                ClaimRecord.project_id == self._project.id,
                ClaimRecord.address == checksum_address(account),
            )
        )
        return sum(amounts)

    def build_claim(self, account: str, *, cumulative_amount: int, proof: Sequence[bytes]) -> Claim:
        """Check a leaf against the latest root and say what a claim would pay.

        Raises:
            InvalidProof: if there is no root or the proof does not lead to it.
        """
        address = checksum_address(account)
        row = self._latest_rooted()
        if row is None or row.merkle_root is None:
            raise InvalidProof(f"project: {self._project.name!r} has no settled epoch yet")
        root = bytes.fromhex(row.merkle_root[2:])
        if not verify_proof(root, leaf_hash(address, cumulative_amount), proof):
            raise InvalidProof(
                f"proof: ({address}, {cumulative_amount}) is not a leaf of root 0x{root.hex()}"
            )
        return Claim(
            account=address,
            cumulative_amount=cumulative_amount,
            amount_due=max(cumulative_amount - self.claimed(address), 0),
            proof=tuple(proof),
            root=root,
            epoch=row.number,
        )

    def submit_claim(self, claim: Claim, *, signer: Signer | None = None) -> TxResult:
        """Record the payment of ``claim.amount_due`` to ``claim.account``.

        Raises:
            InvalidProof: if the claim no longer matches the latest root.
            ChainError: if nothing is due.
        """
        fresh = self.build_claim(
            claim.account, cumulative_amount=claim.cumulative_amount, proof=claim.proof
        )
        if fresh.amount_due == 0:
            raise ChainError(f"account: nothing is due to {claim.account}")
        (entry,) = self._append(
            [
                EntryDraft(
                    "claim",
                    f"{self._project.name} claim epoch {fresh.epoch}",
                    (
                        Posting(annotator_account(fresh.account), -fresh.amount_due),
                        Posting(external_account(fresh.account), fresh.amount_due),
                    ),
                )
            ]
        )
        self._session.add(
            ClaimRecord(
                project_id=self._project.id,
                address=fresh.account,
                amount=fresh.amount_due,
                epoch_number=fresh.epoch,
                entry_sequence=entry.sequence,
            )
        )
        self._session.flush()
        return _NO_TX

    # -- funds and stake ---------------------------------------------------------

    def _move(
        self, kind: str, source: str, target: str, amount_wei: int, *, memo: str = ""
    ) -> TxResult:
        if isinstance(amount_wei, bool) or not isinstance(amount_wei, int) or amount_wei <= 0:
            raise SettlementError(f"amount_wei: {amount_wei!r} must be a positive integer")
        memo = memo or f"{self._project.name} {kind}"
        self._append(
            [EntryDraft(kind, memo, (Posting(source, -amount_wei), Posting(target, amount_wei)))]
        )
        return _NO_TX

    def fund(self, amount_wei: int) -> TxResult:
        """Record ``amount_wei`` deposited by the project's owner into its escrow."""
        owner = self._session.scalar(
            select(Account.address).where(Account.id == self._project.owner_id)
        )
        return self._move(
            "fund", external_account(str(owner)), escrow_account(self._project.name), amount_wei
        )

    def deposit_stake(self, amount_wei: int, *, signer: Signer) -> TxResult:
        """Record ``amount_wei`` staked by ``signer``."""
        address = checksum_address(signer.address)
        return self._move("stake", external_account(address), stake_account(address), amount_wei)

    def request_withdrawal(self, amount_wei: int, *, signer: Signer) -> TxResult:
        """Move ``amount_wei`` of ``signer``'s stake to unbonding (no longer slashable).

        Raises:
            NegativeBalance: if more than the stake is asked back.
        """
        address = checksum_address(signer.address)
        return self._move("unstake", stake_account(address), unbonding_account(address), amount_wei)

    def withdraw_stake(self, *, signer: Signer) -> TxResult:
        """Pay ``signer`` everything unbonding (the local backend has no unbonding delay).

        Raises:
            SettlementError: if nothing is unbonding.
        """
        address = checksum_address(signer.address)
        amount = self._balance(unbonding_account(address))
        return self._move("withdraw", unbonding_account(address), external_account(address), amount)

    def _balance(self, account: str) -> int:
        amount = self._session.scalar(
            select(LedgerBalance.amount).where(
                LedgerBalance.account == account, LedgerBalance.asset == "wei"
            )
        )
        return 0 if amount is None else amount

    def stake_status(self, account: str) -> StakeStatus:
        """Return ``account``'s stake and unbonding amounts."""
        address = checksum_address(account)
        return StakeStatus(
            account=address,
            staked=self._balance(stake_account(address)),
            unbonding=self._balance(unbonding_account(address)),
            release_time=0,
        )

    def slash(
        self, account: str, amount_wei: int, *, evidence_hash: bytes, recipient: str
    ) -> TxResult:
        """Move ``amount_wei`` of ``account``'s stake out to ``recipient``.

        Epoch close slashes into the project's escrow by itself; this is for slashing
        decided elsewhere (e.g. a review), with the report hash in the memo.

        Raises:
            NegativeBalance: if the stake holds less.
        """
        address = checksum_address(account)
        target = external_account(checksum_address(recipient, field="recipient"))
        return self._move(
            "slash",
            stake_account(address),
            target,
            amount_wei,
            memo=f"{self._project.name} slash evidence 0x{evidence_hash.hex()}",
        )
