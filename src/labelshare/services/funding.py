"""Money coming in: a requester's deposit into a project's escrow, an annotator's stake.

With the local backend a deposit is recorded by an admin (the tokens arrived some other
way); every deposit is a journal entry from the depositor's ``external:`` account, so the
escrow is exactly what was funded plus what was slashed, minus what was paid.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from labelshare.core.ids import checksum_address
from labelshare.errors import InvalidInput
from labelshare.ledger import (
    EntryDraft,
    JournalEntry,
    Posting,
    escrow_account,
    external_account,
    stake_account,
)
from labelshare.services.journal import append_entries, balance_of
from labelshare.store.models import Account, Project

__all__ = ["deposit_stake", "escrow_balance", "fund_project", "stake_balance"]


def _positive(amount: int, field: str) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(
            f"{field}: {amount!r} must be a positive integer of base units", field=field
        )
    return amount


def fund_project(
    session: Session, project: Project, *, amount: int, funder: Account | None = None
) -> JournalEntry:
    """Move ``amount`` base units from the funder into the project's escrow.

    Args:
        session: the unit of work.
        project: the project funded.
        amount: base units, > 0.
        funder: who pays; the project's owner when None.

    Returns:
        The journal entry recorded.

    Raises:
        InvalidInput: if ``amount`` is not a positive integer.
    """
    _positive(amount, "amount")
    address = funder.address if funder is not None else _owner_address(session, project)
    (entry,) = append_entries(
        session,
        [
            EntryDraft(
                "fund",
                f"{project.name} deposit",
                (
                    Posting(external_account(address), -amount),
                    Posting(escrow_account(project.name), amount),
                ),
            )
        ],
        project_id=project.id,
    )
    return entry


def _owner_address(session: Session, project: Project) -> str:
    owner = session.get(Account, project.owner_id)
    if owner is None:  # pragma: no cover - the foreign key forbids it
        raise InvalidInput(f"project: {project.name!r} has no owner", field="project")
    return owner.address


def escrow_balance(session: Session, project: Project) -> int:
    """Base units in the project's escrow now."""
    return balance_of(session, escrow_account(project.name))


def deposit_stake(session: Session, address: str, *, amount: int) -> JournalEntry:
    """Record ``amount`` base units staked by ``address`` (slashable, see settlement).

    Raises:
        InvalidInput: if ``amount`` is not positive.
        InvalidAddress: if ``address`` is malformed.
    """
    _positive(amount, "amount")
    account = checksum_address(address)
    (entry,) = append_entries(
        session,
        [
            EntryDraft(
                "stake",
                f"{account} stake",
                (
                    Posting(external_account(account), -amount),
                    Posting(stake_account(account), amount),
                ),
            )
        ],
        project_id=None,
    )
    return entry


def stake_balance(session: Session, address: str) -> int:
    """Base units ``address`` has staked now."""
    return balance_of(session, stake_account(checksum_address(address)))
