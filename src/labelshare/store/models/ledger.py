"""The ledger's tables: the journal with its postings, balances, epoch reports, claims.

The journal is append-only and global (one hash chain for every project); balances are
a cache of the journal that audit replays and compares. Epoch settlement rows extend
``core.Epoch``: its report, and the cumulative claimable amounts its Merkle root covers.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from labelshare.store.models.base import Base
from labelshare.store.types import Amount, BigId, utcnow


class JournalEntryRow(Base):
    """One entry of the double-entry journal; ``entry_hash`` chains it to the previous one."""

    __tablename__ = "journal_entries"

    sequence: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    memo: Mapped[str] = mapped_column(String(200))
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    epoch_id: Mapped[int | None] = mapped_column(ForeignKey("epochs.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JournalPosting(Base):
    """One line of a journal entry: a signed amount of an asset added to an account."""

    __tablename__ = "journal_postings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_sequence: Mapped[int] = mapped_column(ForeignKey("journal_entries.sequence"), index=True)
    account: Mapped[str] = mapped_column(String(120))
    asset: Mapped[str] = mapped_column(String(120))
    amount: Mapped[int] = mapped_column(Amount)


class LedgerBalance(Base):
    """The balance of one (account, asset) after every entry so far."""

    __tablename__ = "ledger_balances"

    account: Mapped[str] = mapped_column(String(120), primary_key=True)
    asset: Mapped[str] = mapped_column(String(120), primary_key=True)
    amount: Mapped[int] = mapped_column(Amount)


class EpochReport(Base):
    """The canonical report of a closed epoch, as hashed into ``Epoch.report_sha256``."""

    __tablename__ = "epoch_reports"

    epoch_id: Mapped[int] = mapped_column(ForeignKey("epochs.id"), primary_key=True)
    report_json: Mapped[str] = mapped_column(Text)
    # Entries in the journal before this epoch's: the balances it started from.
    journal_start: Mapped[int] = mapped_column(BigId)
    # Truth-inference method the epoch was judged with, so that audit judges it alike.
    estimator: Mapped[str] = mapped_column(String(16))


class EpochClaimable(Base):
    """An address's cumulative claimable amount in a project after an epoch (a Merkle leaf)."""

    __tablename__ = "epoch_claimables"

    epoch_id: Mapped[int] = mapped_column(ForeignKey("epochs.id"), primary_key=True)
    address: Mapped[str] = mapped_column(String(42), primary_key=True)
    cumulative_amount: Mapped[int] = mapped_column(Amount)


class LicencePayment(Base):
    """A dataset licence bought; its revenue waits for the next epoch's distribution."""

    __tablename__ = "licence_payments"
    __table_args__ = (Index("ix_licence_payments_project_epoch", "project_id", "epoch_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    buyer: Mapped[str] = mapped_column(String(42))
    amount: Mapped[int] = mapped_column(Amount)
    entry_sequence: Mapped[int] = mapped_column(ForeignKey("journal_entries.sequence"))
    epoch_id: Mapped[int | None] = mapped_column(ForeignKey("epochs.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClaimRecord(Base):
    """A payout of claimable money to an address, recorded by the local backend."""

    __tablename__ = "claims"
    __table_args__ = (Index("ix_claims_project_address", "project_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    address: Mapped[str] = mapped_column(String(42))
    amount: Mapped[int] = mapped_column(Amount)
    epoch_number: Mapped[int] = mapped_column(Integer)
    entry_sequence: Mapped[int] = mapped_column(ForeignKey("journal_entries.sequence"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
