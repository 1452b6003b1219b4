"""Publishing a project's epochs on chain: its slashes first, then its root; each once.

Every chain action is confirmed before its row is written, and looked up on chain
before it is sent, so a retry after a lost answer or a lost commit never repeats one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.chain import EvmSettlement
from labelshare.errors import Conflict, InvalidTransition
from labelshare.ledger import stake_account
from labelshare.services.epochs import get_epoch, latest_epoch, list_epochs
from labelshare.store.models import (
    ChainPublication,
    ChainSlash,
    Epoch,
    JournalEntryRow,
    JournalPosting,
    Project,
)

__all__ = ["EpochPublication", "SlashOutcome", "apply_slashes", "publish_epoch"]


@dataclass(frozen=True)
class SlashOutcome:
    """One settlement slash carried out on chain.

    Attributes:
        address: whose stake was slashed.
        amount: base units taken.
        tx_hash: the ``slash`` transaction.
        is_new: False when an earlier attempt had sent it already.
    """

    address: str
    amount: int
    tx_hash: str
    is_new: bool


@dataclass(frozen=True)
class EpochPublication:
    """The outcome of :func:`publish_epoch`.

    Attributes:
        publication: the stored record of the posted root.
        is_new: False when the epoch had been posted before and nothing was sent now.
        slashes: the slashes of this and earlier epochs, carried out before the root
            was posted (``is_new`` False for those sent before).
    """

    publication: ChainPublication
    is_new: bool
    slashes: tuple[SlashOutcome, ...]


def _epoch_root(epoch: Epoch, project: Project) -> tuple[bytes, bytes]:
    if epoch.merkle_root is None or epoch.report_sha256 is None:
        raise InvalidTransition(
            f"epoch: epoch {epoch.number} of {project.name!r} has no claims to publish"
        )
    return bytes.fromhex(epoch.merkle_root.removeprefix("0x")), bytes.fromhex(epoch.report_sha256)


def _publication(session: Session, backend: EvmSettlement, number: int) -> ChainPublication | None:
    deployment = backend.deployment
    return session.scalars(
        select(ChainPublication).where(
            ChainPublication.chain_id == deployment.chain_id,
            ChainPublication.distributor == deployment.distributor,
            ChainPublication.epoch_number == number,
        )
    ).first()


def _check_distributor_serves(session: Session, project: Project, backend: EvmSettlement) -> None:
    deployment = backend.deployment
    other = session.scalar(
        select(ChainPublication.project_id).where(
            ChainPublication.chain_id == deployment.chain_id,
            ChainPublication.distributor == deployment.distributor,
            ChainPublication.project_id != project.id,
        )
    )
    if other is not None:
        raise Conflict(
            f"distributor: {deployment.distributor} already pays another project "
            f"(id {other}); deploy one for {project.name!r}"
        )


def publish_epoch(
    session: Session, project: Project, backend: EvmSettlement, *, number: int | None = None
) -> EpochPublication:
    """Carry out an epoch's slashes and post its root; never posts an epoch twice.

    Args:
        session: the unit of work; the caller commits.
        project: the project.
        backend: the ``evm`` backend, with the operator key.
        number: the epoch; the project's latest closed epoch when None.

    Returns:
        The publication; ``is_new`` is False when the epoch was posted before (by this
        database or by an attempt whose commit was lost: the chain is asked).

    Raises:
        InvalidTransition: if the epoch is not closed or has no root.
        Conflict: if the Distributor already pays another project.
        EpochAlreadyPublished: if a later epoch, or this one with another root, was posted.
        ChainError: if a transaction fails.
    """
    epoch = (
        get_epoch(session, project, number)
        if number is not None
        else latest_epoch(session, project)
    )
    if epoch is None:
        raise InvalidTransition(f"epoch: project {project.name!r} has no closed epoch yet")
    root, report_hash = _epoch_root(epoch, project)
    _check_distributor_serves(session, project, backend)
    stored = _publication(session, backend, epoch.number)
    if stored is not None:
        return EpochPublication(publication=stored, is_new=False, slashes=())
    # Slashes of earlier epochs that were never published are carried out too: their
    # stake went into the escrow this root pays from.
    slashes: list[SlashOutcome] = []
    for earlier in list_epochs(session, project):
        if earlier.number <= epoch.number:
            slashes.extend(apply_slashes(session, project, backend, epoch=earlier))
    was_posted = backend.is_published(epoch.number)
    posted = backend.post_root(epoch.number, root, report_hash=report_hash)
    row = ChainPublication(
        project_id=project.id,
        epoch_number=epoch.number,
        chain_id=backend.deployment.chain_id,
        distributor=backend.deployment.distributor,
        merkle_root="0x" + root.hex(),
        report_sha256=report_hash.hex(),
        tx_hash=posted.tx.tx_hash or "",
        block_number=posted.tx.block_number or 0,
        gas_used=posted.tx.gas_used,
    )
    session.add(row)
    session.flush()
    return EpochPublication(publication=row, is_new=not was_posted, slashes=tuple(slashes))


# -- slashes -----------------------------------------------------------------------


def _epoch_slashes(session: Session, epoch: Epoch) -> list[tuple[str, int]]:
    prefix = stake_account("")
    rows = session.execute(
        select(JournalPosting.account, JournalPosting.amount)
        .join(JournalEntryRow, JournalEntryRow.sequence == JournalPosting.entry_sequence)
        .where(
            JournalEntryRow.epoch_id == epoch.id,
            JournalEntryRow.kind == "slash",
            JournalPosting.account.startswith(prefix, autoescape=True),
        )
        .order_by(JournalPosting.id)
    )
    return [(row.account.removeprefix(prefix), -row.amount) for row in rows if row.amount < 0]


def _slash_on_chain(
    backend: EvmSettlement, address: str, amount: int, evidence: bytes
) -> str | None:
    deployment = backend.deployment
    logs = backend.stake_vault.events.Slashed.get_logs(
        argument_filters={"account": address, "recipient": deployment.distributor},
        from_block=deployment.deployed_block,
    )
    for log in logs:
        if bytes(log["args"]["evidence_hash"]) == evidence and int(log["args"]["amount"]) == amount:
            return "0x" + bytes(log["transactionHash"]).hex()
    return None


def apply_slashes(
    session: Session, project: Project, backend: EvmSettlement, *, epoch: Epoch
) -> tuple[SlashOutcome, ...]:
    """Turn the slashes an epoch close journalled into ``slash`` calls on the StakeVault.

    Each slash sends the stake to the project's Distributor (the chain's side of the
    escrow the journal moved it to), with the epoch report's hash as evidence. Slashes
    recorded or found on chain are not sent again.

    Args:
        session: the unit of work.
        project: the project.
        backend: the ``evm`` backend, with the operator key.
        epoch: the closed epoch.

    Returns:
        One outcome per slash of the epoch, in journal order.

    Raises:
        ChainError: if a slash exceeds the stake on chain (stake moved outside
            labelshare) or its transaction fails.
    """
    evidence = bytes.fromhex(epoch.report_sha256 or "")
    deployment = backend.deployment
    outcomes = []
    for address, amount in _epoch_slashes(session, epoch):
        done = session.scalars(
            select(ChainSlash).where(
                ChainSlash.chain_id == deployment.chain_id,
                ChainSlash.stake_vault == deployment.stake_vault,
                ChainSlash.project_id == project.id,
                ChainSlash.epoch_number == epoch.number,
                ChainSlash.address == address,
            )
        ).first()
        if done is not None:
            outcomes.append(SlashOutcome(address, amount, done.tx_hash, is_new=False))
            continue
        tx_hash = _slash_on_chain(backend, address, amount, evidence)
        is_new = tx_hash is None
        if tx_hash is None:
            result = backend.slash(
                address, amount, evidence_hash=evidence, recipient=deployment.distributor
            )
            tx_hash = result.tx_hash or ""
        session.add(
            ChainSlash(
                project_id=project.id,
                epoch_number=epoch.number,
                address=address,
                amount=amount,
                chain_id=deployment.chain_id,
                stake_vault=deployment.stake_vault,
                recipient=deployment.distributor,
                tx_hash=tx_hash,
            )
        )
        session.flush()
        outcomes.append(SlashOutcome(address, amount, tx_hash, is_new=is_new))
    return tuple(outcomes)
