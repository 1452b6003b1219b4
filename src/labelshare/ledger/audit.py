"""Pure audit checks over a stored journal and stored Merkle roots.

Each check walks its data in a fixed order and returns the *first* thing that
differs as an :class:`AuditFinding` (None when all is well), so a report can point
at one entry, one account or one epoch instead of "something is wrong". The
service layer loads rows, recomputes epochs and feeds both sides in here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from labelshare.errors import AuditFailed
from labelshare.ledger.journal import GENESIS_HASH, MONEY, JournalEntry, is_source_account
from labelshare.ledger.merkle import MerkleTree

__all__ = [
    "AuditFinding",
    "check_balances",
    "check_chain",
    "check_claimable",
    "check_root",
    "cumulative_claimable",
    "raise_for_finding",
]

_CLAIMABLE_PREFIX = "annotator:"


@dataclass(frozen=True)
class AuditFinding:
    """The first difference an audit check found.

    Attributes:
        check: which check failed: ``sequence``, ``link``, ``hash``, ``unbalanced``,
            ``negative_balance``, ``balance``, ``claimable`` or ``root``.
        where: what differs, e.g. ``entry 17`` or ``account escrow:p1 (wei)``.
        detail: expected and found values.
    """

    check: str
    where: str
    detail: str

    def __str__(self) -> str:
        """One line naming the check, the place and the difference."""
        return f"{self.check} mismatch at {self.where}: {self.detail}"


def check_chain(entries: Sequence[JournalEntry]) -> AuditFinding | None:
    """Check numbering, links, hashes and balance of every entry, in order.

    Args:
        entries: the whole journal in sequence order, starting at sequence 0.

    Returns:
        The first broken sequence number, link, hash or unbalanced entry, or None.
    """
    previous_hash = GENESIS_HASH
    for position, entry in enumerate(entries):
        where = f"entry {position}"
        if entry.sequence != position:
            return AuditFinding(
                "sequence", where, f"expected sequence {position}, found {entry.sequence}"
            )
        if entry.previous_hash != previous_hash:
            return AuditFinding(
                "link",
                where,
                f"previous_hash is {entry.previous_hash}, the chain has {previous_hash}",
            )
        recomputed = entry.recomputed_hash()
        if entry.entry_hash != recomputed:
            return AuditFinding(
                "hash", where, f"stored hash {entry.entry_hash}, content hashes to {recomputed}"
            )
        totals: dict[str, int] = defaultdict(int)
        for posting in entry.postings:
            totals[posting.asset] += posting.amount
        for asset in sorted(totals):
            if totals[asset]:
                return AuditFinding(
                    "unbalanced", where, f"postings of {asset} sum to {totals[asset]}, not 0"
                )
        previous_hash = entry.entry_hash
    return None


def check_balances(
    entries: Sequence[JournalEntry],
    stored: Mapping[tuple[str, str], int] | None = None,
) -> AuditFinding | None:
    """Replay the journal: no internal account below zero, and stored balances match.

    Args:
        entries: the journal in sequence order.
        stored: balances as stored per (account, asset), or None to check only the
            replay; a missing key counts as 0.

    Returns:
        The first entry that overdraws an account, else the first account (in sorted
        order) whose stored balance differs from the replay, or None.
    """
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for position, entry in enumerate(entries):
        touched = set()
        for posting in entry.postings:
            key = (posting.account, posting.asset)
            totals[key] += posting.amount
            touched.add(key)
        for account, asset in sorted(touched):
            amount = totals[(account, asset)]
            if amount < 0 and not is_source_account(account):
                return AuditFinding(
                    "negative_balance", f"entry {position}", f"{account} holds {amount} {asset}"
                )
    if stored is None:
        return None
    for account, asset in sorted(set(totals) | set(stored)):
        replayed = totals.get((account, asset), 0)
        found = stored.get((account, asset), 0)
        if replayed != found:
            return AuditFinding(
                "balance",
                f"account {account} ({asset})",
                f"journal gives {replayed}, stored {found}",
            )
    return None


def cumulative_claimable(entries: Sequence[JournalEntry]) -> dict[str, int]:
    """Everything ever credited to each address's claimable account.

    Claims debit ``annotator:<address>`` but do not lower the cumulative amount a
    Merkle leaf carries, so only credits count.

    Args:
        entries: the journal (or the part of it up to an epoch) in sequence order.

    Returns:
        Cumulative claimable base units per address, for addresses with any credit.
    """
    credited: dict[str, int] = defaultdict(int)
    for entry in entries:
        for posting in entry.postings:
            if (
                posting.asset == MONEY
                and posting.amount > 0
                and posting.account.startswith(_CLAIMABLE_PREFIX)
            ):
                credited[posting.account.removeprefix(_CLAIMABLE_PREFIX)] += posting.amount
    return dict(credited)


def check_claimable(
    recomputed: Mapping[str, int], stored: Mapping[str, int], *, where: str
) -> AuditFinding | None:
    """Compare cumulative claimable amounts address by address (sorted, lowercase).

    Args:
        recomputed: amounts recomputed from the journal or from the annotations.
        stored: amounts as stored.
        where: the place to name in a finding, e.g. ``epoch 3``.

    Returns:
        The first address whose amounts differ, or None.
    """
    left = {address.lower(): amount for address, amount in recomputed.items() if amount}
    right = {address.lower(): amount for address, amount in stored.items() if amount}
    for address in sorted(set(left) | set(right)):
        if left.get(address, 0) != right.get(address, 0):
            return AuditFinding(
                "claimable",
                f"{where}, address {address}",
                f"recomputed {left.get(address, 0)}, stored {right.get(address, 0)}",
            )
    return None


def check_root(
    stored_root: bytes | None, claimable: Mapping[str, int], *, where: str
) -> AuditFinding | None:
    """Compare a stored root with the Merkle root of cumulative claimable amounts.

    Args:
        stored_root: the 32-byte root as stored, or None when none was stored.
        claimable: cumulative claimable base units per address; zero amounts have no leaf.
        where: the place to name in a finding, e.g. ``epoch 3``.

    Returns:
        A ``root`` finding if they differ, or None.
    """
    claims = sorted((address, amount) for address, amount in claimable.items() if amount)
    recomputed = MerkleTree.from_claims(claims).root if claims else None
    if recomputed == stored_root:
        return None
    return AuditFinding(
        "root",
        where,
        f"stored {stored_root.hex() if stored_root else None}, "
        f"recomputed {recomputed.hex() if recomputed else None}",
    )


def raise_for_finding(finding: AuditFinding | None) -> None:
    """Raise when a check found something.

    Args:
        finding: a check's result.

    Raises:
        AuditFailed: carrying ``str(finding)`` when ``finding`` is not None.
    """
    if finding is not None:
        raise AuditFailed(str(finding))
