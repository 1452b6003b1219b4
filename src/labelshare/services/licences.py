"""Selling a dataset licence: the price waits in the project's revenue account.

The next epoch close distributes it pro rata to the project's shareholders
(:func:`labelshare.incentives.distribute_revenue`), minus the platform's fee.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.core.ids import checksum_address
from labelshare.errors import InvalidInput
from labelshare.ledger import EntryDraft, Posting, external_account, revenue_account
from labelshare.services.journal import append_entries
from labelshare.store.models import LicencePayment, Project

__all__ = ["buy_licence", "list_licence_payments"]


def buy_licence(session: Session, project: Project, *, buyer: str, amount: int) -> LicencePayment:
    """Record a licence bought by ``buyer`` for ``amount`` base units.

    Args:
        session: the unit of work.
        project: the dataset's project.
        buyer: the buyer's address.
        amount: the price in base units, > 0.

    Returns:
        The stored payment (``epoch_id`` is set when an epoch distributes it).

    Raises:
        InvalidInput: if ``amount`` is not a positive integer.
        InvalidAddress: if ``buyer`` is malformed.
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidInput(
            f"amount: {amount!r} must be a positive integer of base units", field="amount"
        )
    address = checksum_address(buyer, field="buyer")
    (entry,) = append_entries(
        session,
        [
            EntryDraft(
                "licence",
                f"{project.name} licence",
                (
                    Posting(external_account(address), -amount),
                    Posting(revenue_account(project.name), amount),
                ),
            )
        ],
        project_id=project.id,
    )
    payment = LicencePayment(
        project_id=project.id, buyer=address, amount=amount, entry_sequence=entry.sequence
    )
    session.add(payment)
    session.flush()
    return payment


def list_licence_payments(session: Session, project: Project) -> list[LicencePayment]:
    """The project's licence payments, oldest first."""
    return list(
        session.scalars(
            select(LicencePayment)
            .where(LicencePayment.project_id == project.id)
            .order_by(LicencePayment.id)
        )
    )
