"""Claims against the root a project's Distributor holds: sent with a key or for a wallet.

What the Distributor paid is mirrored in the journal as the local backend records a
claim (``annotator:`` to ``external:`` plus a ``ClaimRecord``), so earnings, proofs and
audit read the same whichever backend paid: :func:`send_claim` records its own claim,
and :func:`sync_claims` records claims sent from wallets.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.chain import Claim, EvmSettlement, Signer, TxResult
from labelshare.core.ids import checksum_address
from labelshare.errors import InvalidProof, SettlementError
from labelshare.ledger import EntryDraft, MerkleTree, Posting, annotator_account, external_account
from labelshare.services.claims import local_backend
from labelshare.services.epochs import get_epoch
from labelshare.services.journal import append_entries
from labelshare.store.models import ClaimRecord, Epoch, EpochClaimable, Project

__all__ = ["build_claim", "claim_transaction", "send_claim", "sync_claims"]


def _published_epoch(session: Session, project: Project, backend: EvmSettlement) -> Epoch:
    number = backend.latest_epoch()
    if number is None:
        raise InvalidProof(f"project: no epoch of {project.name!r} is published on chain yet")
    return get_epoch(session, project, number)


def _leaves(session: Session, epoch: Epoch) -> list[tuple[str, int]]:
    return [
        (row.address, row.cumulative_amount)
        for row in session.scalars(
            select(EpochClaimable).where(EpochClaimable.epoch_id == epoch.id)
        )
    ]


def _record_paid(
    session: Session, project: Project, backend: EvmSettlement, address: str, *, epoch: int
) -> ClaimRecord | None:
    account = checksum_address(address)
    unrecorded = backend.claimed(account) - local_backend(session, project).claimed(account)
    if unrecorded <= 0:
        return None
    (entry,) = append_entries(
        session,
        [
            EntryDraft(
                "claim",
                f"{project.name} claim epoch {epoch} on chain",
                (
                    Posting(annotator_account(account), -unrecorded),
                    Posting(external_account(account), unrecorded),
                ),
            )
        ],
        project_id=project.id,
    )
    record = ClaimRecord(
        project_id=project.id,
        address=account,
        amount=unrecorded,
        epoch_number=epoch,
        entry_sequence=entry.sequence,
    )
    session.add(record)
    session.flush()
    return record


def sync_claims(session: Session, project: Project, backend: EvmSettlement) -> list[ClaimRecord]:
    """Record in the journal what the Distributor paid beyond the claims recorded so far.

    Claims sent from wallets reach the chain only; this brings the journal (and so
    earnings, proofs' ``amount_due`` and audit) up to date. Running it again records
    nothing new.

    Returns:
        The claim records written, one per address paid since the last sync.

    Raises:
        InvalidProof: if nothing is published yet.
    """
    epoch = _published_epoch(session, project, backend)
    records = []
    for address, _ in _leaves(session, epoch):
        record = _record_paid(session, project, backend, address, epoch=epoch.number)
        if record is not None:
            records.append(record)
    return records


def build_claim(session: Session, project: Project, backend: EvmSettlement, address: str) -> Claim:
    """The claim of ``address`` under the root published on chain.

    The proof is built from the stored leaves of the epoch the Distributor holds (which
    may be older than the latest closed epoch, if that one is not published yet).

    Raises:
        InvalidAddress: if ``address`` is malformed.
        InvalidProof: if nothing is published or the address has no leaf.
    """
    account = checksum_address(address)
    epoch = _published_epoch(session, project, backend)
    leaves = _leaves(session, epoch)
    amounts = {leaf.lower(): amount for leaf, amount in leaves}
    if account.lower() not in amounts:
        raise InvalidProof(f"address: {account} has nothing claimable in {project.name!r}")
    tree = MerkleTree.from_claims(leaves)
    return backend.build_claim(
        account, cumulative_amount=amounts[account.lower()], proof=tree.proof(account)
    )


def _due(claim: Claim) -> Claim:
    if claim.amount_due == 0:
        raise SettlementError(
            f"address: {claim.account} has claimed everything due "
            f"({claim.cumulative_amount} base units)"
        )
    return claim


def send_claim(
    session: Session, project: Project, backend: EvmSettlement, address: str, *, signer: Signer
) -> tuple[Claim, TxResult]:
    """Claim what is due to ``address``, sent and paid for by ``signer`` (anyone may),
    and record the payment in the journal.

    Returns:
        The claim paid and its transaction.

    Raises:
        SettlementError: if nothing is due.
        InvalidProof, ChainError: as :func:`build_claim` and the transaction.
    """
    claim = _due(build_claim(session, project, backend, address))
    result = backend.submit_claim(claim, signer=signer)
    _record_paid(session, project, backend, claim.account, epoch=claim.epoch)
    return claim, result


def claim_transaction(
    session: Session,
    project: Project,
    backend: EvmSettlement,
    address: str,
    *,
    sender: str | None = None,
) -> tuple[Claim, dict[str, Any]]:
    """The unsigned claim transaction of ``address``, for a wallet to sign and send.

    Args:
        session: an open session.
        project: the project.
        backend: the ``evm`` backend (no key needed).
        address: the claimant; the tokens go there.
        sender: the wallet that sends it; ``address`` when None.

    Returns:
        The claim and the transaction (``from``, ``to``, ``data``, ``value``,
        ``chainId``, ``gas``); the wallet adds nonce and fees.

    Raises:
        SettlementError: if nothing is due.
        InvalidProof, ChainError: as :func:`build_claim`, or if the call would revert.
    """
    claim = _due(build_claim(session, project, backend, address))
    return claim, backend.claim_transaction(claim, sender=sender or claim.account)
