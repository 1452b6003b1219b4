"""Storing and reading the double-entry journal and the balances it implies.

The journal is one hash chain for the whole platform (:mod:`labelshare.ledger.journal`);
every service that moves money or shares appends to it here, in the caller's unit of
work, and the cached balances move with it. Under PostgreSQL two transactions that
append at once both take the same next sequence number and the second fails on the
primary key, so the chain never forks; under SQLite writers are serialised anyway.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from labelshare.errors import NegativeBalance
from labelshare.ledger import (
    MONEY,
    EntryDraft,
    JournalEntry,
    Posting,
    chain_entries,
    is_source_account,
)
from labelshare.store.models import JournalEntryRow, JournalPosting, LedgerBalance

__all__ = [
    "append_entries",
    "balance_of",
    "balances_with_prefix",
    "journal_length",
    "load_journal",
    "stored_balances",
]

# SQLite refuses more than 32766 bound parameters in one statement.
_IN_CHUNK = 5_000


def _last_entry(session: Session) -> JournalEntry | None:
    row = session.scalars(
        select(JournalEntryRow).order_by(JournalEntryRow.sequence.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return JournalEntry(
        sequence=row.sequence,
        kind=row.kind,
        memo=row.memo,
        postings=(),
        previous_hash=row.previous_hash,
        entry_hash=row.entry_hash,
    )


def journal_length(session: Session) -> int:
    """How many entries the journal holds (the next entry's sequence number)."""
    last = _last_entry(session)
    return 0 if last is None else last.sequence + 1


def _update_balances(session: Session, entries: Sequence[JournalEntry]) -> None:
    delta: dict[tuple[str, str], int] = defaultdict(int)
    for entry in entries:
        for posting in entry.postings:
            delta[(posting.account, posting.asset)] += posting.amount
    keys = sorted(delta)
    current: dict[tuple[str, str], int] = {}
    accounts = sorted({account for account, _ in keys})
    for start in range(0, len(accounts), _IN_CHUNK):
        chunk = accounts[start : start + _IN_CHUNK]
        for row in session.execute(
            select(LedgerBalance.account, LedgerBalance.asset, LedgerBalance.amount).where(
                LedgerBalance.account.in_(chunk)
            )
        ):
            current[(row.account, row.asset)] = row.amount
    updates: list[dict[str, object]] = []
    inserts: list[dict[str, object]] = []
    for account, asset in keys:
        new_amount = current.get((account, asset), 0) + delta[(account, asset)]
        if new_amount < 0 and not is_source_account(account):
            raise NegativeBalance(f"{account} would hold {new_amount} {asset}")
        record = {"account": account, "asset": asset, "amount": new_amount}
        (updates if (account, asset) in current else inserts).append(record)
    if updates:
        session.execute(update(LedgerBalance), updates)
    if inserts:
        session.execute(insert(LedgerBalance.metadata.tables[LedgerBalance.__tablename__]), inserts)


def append_entries(
    session: Session,
    drafts: Iterable[EntryDraft],
    *,
    project_id: int | None,
    epoch_id: int | None = None,
) -> tuple[JournalEntry, ...]:
    """Chain ``drafts`` after the journal's last entry and store them with the balances.

    Args:
        session: the unit of work.
        drafts: balanced entries, in the order to write them.
        project_id: the project the entries belong to, None for platform-wide ones.
        epoch_id: the epoch that produced them, if any.

    Returns:
        The stored entries with their sequence numbers and hashes.

    Raises:
        NegativeBalance: if an internal account would go below zero; nothing is written.
    """
    entries = chain_entries(drafts, previous=_last_entry(session))
    if not entries:
        return entries
    _update_balances(session, entries)
    # Core inserts on the tables: the ORM bulk path costs more than the rows at 10**4.
    session.execute(
        insert(JournalEntryRow.metadata.tables[JournalEntryRow.__tablename__]),
        [
            {
                "sequence": entry.sequence,
                "kind": entry.kind,
                "memo": entry.memo,
                "previous_hash": entry.previous_hash,
                "entry_hash": entry.entry_hash,
                "project_id": project_id,
                "epoch_id": epoch_id,
            }
            for entry in entries
        ],
    )
    session.execute(
        insert(JournalPosting.metadata.tables[JournalPosting.__tablename__]),
        [
            {
                "entry_sequence": entry.sequence,
                "account": posting.account,
                "asset": posting.asset,
                "amount": posting.amount,
            }
            for entry in entries
            for posting in entry.postings
        ],
    )
    session.flush()
    return entries


def load_journal(
    session: Session, *, project_id: int | None = None, before: int | None = None
) -> tuple[JournalEntry, ...]:
    """The stored journal in sequence order, as stored (hashes are not re-checked).

    Args:
        session: an open session.
        project_id: only the entries of this project (None: every entry).
        before: only entries with a smaller sequence number.

    Returns:
        The entries with their postings.
    """
    query = select(JournalEntryRow).order_by(JournalEntryRow.sequence)
    postings_query = select(JournalPosting).order_by(JournalPosting.id)
    if project_id is not None:
        query = query.where(JournalEntryRow.project_id == project_id)
        postings_query = postings_query.join(
            JournalEntryRow, JournalEntryRow.sequence == JournalPosting.entry_sequence
        ).where(JournalEntryRow.project_id == project_id)
    if before is not None:
        query = query.where(JournalEntryRow.sequence < before)
        postings_query = postings_query.where(JournalPosting.entry_sequence < before)
    lines: dict[int, list[Posting]] = defaultdict(list)
    for posting in session.scalars(postings_query):
        lines[posting.entry_sequence].append(
            Posting(posting.account, posting.amount, posting.asset)
        )
    return tuple(
        JournalEntry(
            sequence=row.sequence,
            kind=row.kind,
            memo=row.memo,
            postings=tuple(lines.get(row.sequence, ())),
            previous_hash=row.previous_hash,
            entry_hash=row.entry_hash,
        )
        for row in session.scalars(query)
    )


def stored_balances(session: Session) -> dict[tuple[str, str], int]:
    """Every cached balance per (account, asset)."""
    return {
        (row.account, row.asset): row.amount
        for row in session.execute(
            select(LedgerBalance.account, LedgerBalance.asset, LedgerBalance.amount)
        )
    }


def balance_of(session: Session, account: str, *, asset: str = MONEY) -> int:
    """The cached balance of one account (0 when it never held anything)."""
    amount = session.scalar(
        select(LedgerBalance.amount).where(
            LedgerBalance.account == account, LedgerBalance.asset == asset
        )
    )
    return 0 if amount is None else amount


def balances_with_prefix(session: Session, prefix: str, *, asset: str = MONEY) -> dict[str, int]:
    """Non-zero cached balances of ``asset`` in accounts named ``prefix<suffix>``, by suffix."""
    rows = session.execute(
        select(LedgerBalance.account, LedgerBalance.amount).where(
            LedgerBalance.asset == asset, LedgerBalance.account.startswith(prefix, autoescape=True)
        )
    )
    return {row.account.removeprefix(prefix): row.amount for row in rows if row.amount}
