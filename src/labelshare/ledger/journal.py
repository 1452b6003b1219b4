"""An append-only double-entry journal whose entries form a hash chain.

Every entry moves integer amounts between named accounts; within an entry the
postings of each asset sum to zero, so nothing is created or lost. A posting's
signed amount is what it adds to the account's balance.

Accounts (``address`` is the EIP-55 checksum form, ``project`` the project id):

===========================  ===================================================
``escrow:<project>``         funds a requester deposited for rewards
``annotator:<address>``      base units claimable by an address (annotators and,
                             for royalties, the requester: one Merkle leaf each)
``stake:<address>``          an annotator's stake
``revenue:<project>``        licence revenue waiting for the next epoch
``platform``                 the platform's fees
``external:<address>``       the world outside: deposits, purchases, claims paid
``shareholder:<address>``    dataset shares held (asset ``share:<project>``)
``issuance:<project>``       source of minted shares (asset ``share:<project>``)
===========================  ===================================================

``external:`` and ``issuance:`` accounts are sources and may go negative; every
other account must stay at or above zero.

Each entry carries the hash of the previous one. The hash is the SHA-256 of the
entry's canonical JSON (sorted keys, no spaces, ASCII, amounts as decimal strings
so that no JSON reader rounds them, postings sorted by asset, account and amount
so that the order rows come back from a database does not matter).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from labelshare.errors import InvalidSettlementInput, NegativeBalance, UnbalancedEntry

__all__ = [
    "GENESIS_HASH",
    "MONEY",
    "PLATFORM_ACCOUNT",
    "EntryDraft",
    "JournalEntry",
    "Posting",
    "annotator_account",
    "apply_entry",
    "balances",
    "canonical_entry_bytes",
    "chain_entries",
    "compute_entry_hash",
    "escrow_account",
    "external_account",
    "is_source_account",
    "issuance_account",
    "revenue_account",
    "share_asset",
    "shareholder_account",
    "stake_account",
]

MONEY = "wei"
"""The asset of money postings: token base units (18 decimals)."""

GENESIS_HASH = "0" * 64
"""The ``previous_hash`` of a journal's first entry."""

PLATFORM_ACCOUNT = "platform"
"""The account that collects platform fees."""

_SOURCE_PREFIXES = ("external:", "issuance:")


def escrow_account(project: str) -> str:
    """The escrow account of ``project``."""
    return f"escrow:{project}"


def annotator_account(address: str) -> str:
    """The claimable-money account of ``address``."""
    return f"annotator:{address}"


def stake_account(address: str) -> str:
    """The stake account of ``address``."""
    return f"stake:{address}"


def revenue_account(project: str) -> str:
    """The account holding ``project``'s undistributed licence revenue."""
    return f"revenue:{project}"


def external_account(address: str) -> str:
    """The outside-world counterpart of ``address`` (deposits, purchases, claims)."""
    return f"external:{address}"


def shareholder_account(address: str) -> str:
    """The account holding ``address``'s dataset shares (asset :func:`share_asset`)."""
    return f"shareholder:{address}"


def issuance_account(project: str) -> str:
    """The source account of ``project``'s minted shares."""
    return f"issuance:{project}"


def share_asset(project: str) -> str:
    """The asset name of ``project``'s dataset shares."""
    return f"share:{project}"


def is_source_account(account: str) -> bool:
    """Whether ``account`` may go negative (the outside world or a share issuance)."""
    return account.startswith(_SOURCE_PREFIXES)


@dataclass(frozen=True)
class Posting:
    """One line of an entry.

    Attributes:
        account: the account's name, e.g. ``escrow:proj-1``.
        amount: signed integer added to the account's balance.
        asset: what is counted, :data:`MONEY` or a :func:`share_asset`.
    """

    account: str
    amount: int
    asset: str = MONEY

    def __post_init__(self) -> None:
        """Reject a posting without an account or asset or with a non-int amount."""
        if not self.account or not isinstance(self.account, str):
            raise InvalidSettlementInput(f"{self.account!r} is not an account", field="account")
        if not self.asset or not isinstance(self.asset, str):
            raise InvalidSettlementInput(f"{self.asset!r} is not an asset", field="asset")
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise InvalidSettlementInput(f"{self.amount!r} is not an int", field="amount")


def _check_balanced(kind: str, postings: Sequence[Posting]) -> None:
    if not postings:
        raise UnbalancedEntry(f"entry {kind!r} has no postings")
    totals: dict[str, int] = defaultdict(int)
    for posting in postings:
        totals[posting.asset] += posting.amount
    for asset in sorted(totals):
        if totals[asset]:
            raise UnbalancedEntry(
                f"entry {kind!r}: postings of {asset} sum to {totals[asset]}, not 0"
            )


@dataclass(frozen=True)
class EntryDraft:
    """A balanced entry not yet placed in the chain.

    Attributes:
        kind: what the entry records, e.g. ``reward``, ``slash``, ``mint``, ``royalty``.
        memo: a short human-readable reference, e.g. ``proj-1 epoch 3``.
        postings: the lines; per asset they sum to zero.

    Raises:
        UnbalancedEntry: if there are no postings or an asset's postings do not sum to 0.
    """

    kind: str
    memo: str
    postings: tuple[Posting, ...]

    def __post_init__(self) -> None:
        """Refuse an empty or unbalanced entry."""
        _check_balanced(self.kind, self.postings)


@dataclass(frozen=True)
class JournalEntry:
    """An entry in the chain.

    Attributes:
        sequence: 0-based position in the journal.
        kind: what the entry records.
        memo: a short human-readable reference.
        postings: the lines; per asset they sum to zero.
        previous_hash: hex hash of the previous entry, :data:`GENESIS_HASH` for the first.
        entry_hash: hex SHA-256 of this entry's canonical bytes.
    """

    sequence: int
    kind: str
    memo: str
    postings: tuple[Posting, ...]
    previous_hash: str
    entry_hash: str

    def recomputed_hash(self) -> str:
        """The hash this entry's content should have; differs from ``entry_hash`` if tampered."""
        return compute_entry_hash(
            sequence=self.sequence,
            kind=self.kind,
            memo=self.memo,
            postings=self.postings,
            previous_hash=self.previous_hash,
        )


def canonical_entry_bytes(
    *,
    sequence: int,
    kind: str,
    memo: str,
    postings: Iterable[Posting],
    previous_hash: str,
) -> bytes:
    """The bytes an entry's hash is taken over.

    Args:
        sequence: the entry's position.
        kind: what the entry records.
        memo: its reference.
        postings: its lines, in any order.
        previous_hash: the previous entry's hash.

    Returns:
        Canonical JSON as ASCII bytes.
    """
    lines = sorted((p.asset, p.account, p.amount) for p in postings)
    document = {
        "kind": kind,
        "memo": memo,
        "postings": [[asset, account, str(amount)] for asset, account, amount in lines],
        "previous_hash": previous_hash,
        "sequence": sequence,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def compute_entry_hash(
    *,
    sequence: int,
    kind: str,
    memo: str,
    postings: Iterable[Posting],
    previous_hash: str,
) -> str:
    """Hex SHA-256 of :func:`canonical_entry_bytes`."""
    return hashlib.sha256(
        canonical_entry_bytes(
            sequence=sequence, kind=kind, memo=memo, postings=postings, previous_hash=previous_hash
        )
    ).hexdigest()


def chain_entries(
    drafts: Iterable[EntryDraft], *, previous: JournalEntry | None = None
) -> tuple[JournalEntry, ...]:
    """Place drafts after ``previous`` in the chain, numbering and hashing them.

    Args:
        drafts: balanced entries in the order they are to be written.
        previous: the journal's last entry, or None for an empty journal.

    Returns:
        The chained entries, in order.
    """
    sequence = 0 if previous is None else previous.sequence + 1
    previous_hash = GENESIS_HASH if previous is None else previous.entry_hash
    chained: list[JournalEntry] = []
    for draft in drafts:
        entry_hash = compute_entry_hash(
            sequence=sequence,
            kind=draft.kind,
            memo=draft.memo,
            postings=draft.postings,
            previous_hash=previous_hash,
        )
        chained.append(
            JournalEntry(
                sequence=sequence,
                kind=draft.kind,
                memo=draft.memo,
                postings=draft.postings,
                previous_hash=previous_hash,
                entry_hash=entry_hash,
            )
        )
        sequence += 1
        previous_hash = entry_hash
    return tuple(chained)


def apply_entry(
    balance: Mapping[tuple[str, str], int], postings: Iterable[Posting]
) -> dict[tuple[str, str], int]:
    """Balances after one entry, refusing to overdraw an internal account.

    Args:
        balance: current balance per (account, asset).
        postings: the entry's lines.

    Returns:
        A new mapping of balances per (account, asset).

    Raises:
        NegativeBalance: if an account that is not a source would go below zero.
    """
    updated = dict(balance)
    touched: set[tuple[str, str]] = set()
    for posting in postings:
        key = (posting.account, posting.asset)
        updated[key] = updated.get(key, 0) + posting.amount
        touched.add(key)
    for account, asset in sorted(touched):
        if updated[(account, asset)] < 0 and not is_source_account(account):
            raise NegativeBalance(f"{account} would hold {updated[(account, asset)]} {asset}")
    return updated


def balances(
    entries: Iterable[EntryDraft | JournalEntry], *, check_negative: bool = True
) -> dict[tuple[str, str], int]:
    """Balance of every (account, asset) after ``entries``.

    Args:
        entries: entries in journal order.
        check_negative: refuse, after each entry, an internal account below zero.

    Returns:
        Balance per (account, asset).

    Raises:
        NegativeBalance: if ``check_negative`` and an internal account goes below zero.
    """
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for entry in entries:
        touched = []
        for posting in entry.postings:
            key = (posting.account, posting.asset)
            totals[key] += posting.amount
            touched.append(key)
        if check_negative:
            for account, asset in sorted(touched):
                if totals[(account, asset)] < 0 and not is_source_account(account):
                    raise NegativeBalance(
                        f"{entry.kind} entry {entry.memo!r}: {account} would hold "
                        f"{totals[(account, asset)]} {asset}"
                    )
    return dict(totals)
