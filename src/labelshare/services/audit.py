"""``audit``: recompute every epoch from the stored annotations and compare everything.

In order, stopping at the first difference so that the report names one place:

1. the journal's hash chain, numbering and per-entry balance
   (:func:`labelshare.ledger.check_chain`);
2. the cached balances against a replay of the journal, and no internal account ever
   below zero (:func:`labelshare.ledger.check_balances`);
3. every stored annotation's ``value_sha256`` against its value;
4. per project and epoch, oldest first: the settlement recomputed from the stored
   annotations and the balances the journal held when the epoch started, against the
   stored report (first differing field), the epoch's journal entries, its Merkle
   leaves, the cumulative claimable amounts the journal credits, and its root.

Conservation follows: every entry balances per asset (1), and every epoch's money
entries are exactly the recomputed ones, whose rewards the escrow paid (4).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.incentives import settle_epoch
from labelshare.ledger import (
    MONEY,
    AuditFinding,
    JournalEntry,
    check_balances,
    check_chain,
    check_claimable,
    check_root,
    cumulative_claimable,
    escrow_account,
    revenue_account,
    share_asset,
)
from labelshare.schema import value_sha256
from labelshare.services.epoch_labels import load_epoch_labels
from labelshare.services.epochs import EpochBalances, epoch_inputs, list_epochs
from labelshare.services.journal import load_journal, stored_balances
from labelshare.store.models import (
    Annotation,
    Epoch,
    EpochClaimable,
    EpochReport,
    JournalEntryRow,
    Project,
)

__all__ = ["AuditReport", "audit"]


@dataclass(frozen=True)
class AuditReport:
    """What :func:`audit` checked and the first difference it found.

    Attributes:
        entries: journal entries checked.
        annotations: annotations whose hash was checked.
        epochs: epochs recomputed (up to the failing one).
        finding: the first difference, None when everything matches.
    """

    entries: int
    annotations: int
    epochs: int
    finding: AuditFinding | None

    @property
    def is_clean(self) -> bool:
        """Whether nothing differed."""
        return self.finding is None


def _first_difference(stored: Any, recomputed: Any, path: str = "report") -> str | None:
    if isinstance(stored, dict) and isinstance(recomputed, dict):
        for key in sorted(set(stored) | set(recomputed)):
            found = _first_difference(stored.get(key), recomputed.get(key), f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(stored, list) and isinstance(recomputed, list):
        for index, (left, right) in enumerate(zip(stored, recomputed, strict=False)):
            found = _first_difference(left, right, f"{path}[{index}]")
            if found:
                return found
        if len(stored) != len(recomputed):
            return f"{path}: stored {len(stored)} elements, recomputed {len(recomputed)}"
        return None
    if stored != recomputed:
        return f"{path}: stored {stored!r}, recomputed {recomputed!r}"
    return None


def _replay(entries: tuple[JournalEntry, ...]) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for entry in entries:
        for posting in entry.postings:
            totals[(posting.account, posting.asset)] += posting.amount
    return totals


def _prefixed(totals: Mapping[tuple[str, str], int], prefix: str, asset: str) -> dict[str, int]:
    return {
        account.removeprefix(prefix): amount
        for (account, held), amount in totals.items()
        if held == asset and account.startswith(prefix) and amount
    }


def _entry_lines(entry: Any) -> tuple[str, str, tuple[tuple[str, str, int], ...]]:
    lines = tuple(sorted((p.asset, p.account, p.amount) for p in entry.postings))
    return entry.kind, entry.memo, lines


def _check_annotations(session: Session) -> tuple[int, AuditFinding | None]:
    count = 0
    rows = session.execute(
        select(Annotation.id, Annotation.value, Annotation.value_sha256).order_by(Annotation.id)
    )
    for annotation_id, value, digest in rows:
        count += 1
        if value_sha256(value) != digest:
            return count, AuditFinding(
                "annotation",
                f"annotation {annotation_id}",
                f"value hashes to {value_sha256(value)}, stored value_sha256 {digest}",
            )
    return count, None


def _check_epoch(
    session: Session,
    project: Project,
    epoch: Epoch,
    *,
    journal: tuple[JournalEntry, ...],
    projects_of: Mapping[int, int | None],
    epochs_of: Mapping[int, int | None],
    claimable: dict[str, int],
) -> AuditFinding | None:
    where = f"project {project.name!r} epoch {epoch.number}"
    report_row = session.get(EpochReport, epoch.id)
    if report_row is None:
        return AuditFinding("report", where, "no stored report")
    start = report_row.journal_start
    totals = _replay(journal[:start])
    balances = EpochBalances(
        escrow=totals.get((escrow_account(project.name), MONEY), 0),
        revenue=totals.get((revenue_account(project.name), MONEY), 0),
        shares=_prefixed(totals, "shareholder:", share_asset(project.name)),
        stakes=_prefixed(totals, "stake:", MONEY),
        claimable=claimable,
    )
    labels = load_epoch_labels(
        session,
        project,
        first_id=epoch.first_annotation_id or 0,
        last_id=epoch.last_annotation_id or 0,
        estimator=report_row.estimator,
    )
    settlement = settle_epoch(
        epoch_inputs(session, project, number=epoch.number, labels=labels, balances=balances)
    )
    difference = _first_difference(json.loads(report_row.report_json), settlement.report)
    if difference is None and settlement.report_hash != epoch.report_sha256:
        difference = (
            f"report hash: stored {epoch.report_sha256}, recomputed {settlement.report_hash}"
        )
    if difference is not None:
        return AuditFinding("report", where, difference)

    stored_entries = [e for e in journal if epochs_of.get(e.sequence) == epoch.id]
    expected = [_entry_lines(draft) for draft in settlement.journal]
    found = [_entry_lines(entry) for entry in stored_entries]
    if expected != found:
        for index, (left, right) in enumerate(zip(found, expected, strict=False)):
            if left != right:
                return AuditFinding(
                    "journal", f"{where}, entry {stored_entries[index].sequence}", "postings differ"
                )
        return AuditFinding(
            "journal", where, f"{len(found)} entries stored, {len(expected)} recomputed"
        )

    stored_leaves = {
        row.address: row.cumulative_amount
        for row in session.scalars(
            select(EpochClaimable).where(EpochClaimable.epoch_id == epoch.id)
        )
    }
    finding = check_claimable(settlement.claimable, stored_leaves, where=f"{where} leaves")
    if finding is not None:
        return finding
    end = stored_entries[-1].sequence + 1 if stored_entries else start
    credited = cumulative_claimable(
        [e for e in journal[:end] if projects_of.get(e.sequence) == project.id]
    )
    finding = check_claimable(credited, settlement.claimable, where=f"{where} journal credits")
    if finding is not None:
        return finding
    stored_root = None if epoch.merkle_root is None else bytes.fromhex(epoch.merkle_root[2:])
    finding = check_root(stored_root, settlement.claimable, where=where)
    claimable.clear()
    claimable.update(settlement.claimable)
    return finding


def audit(session: Session, *, project: Project | None = None) -> AuditReport:
    """Check the journal, the balances, the annotations and every epoch.

    Args:
        session: an open session (nothing is written).
        project: recompute only this project's epochs (the journal is always checked
            whole, since it is one chain).

    Returns:
        The counts checked and the first difference, if any.
    """
    journal = load_journal(session)
    entries = len(journal)
    finding = check_chain(journal) or check_balances(journal, stored_balances(session))
    if finding is not None:
        return AuditReport(entries=entries, annotations=0, epochs=0, finding=finding)
    annotations, finding = _check_annotations(session)
    if finding is not None:
        return AuditReport(entries=entries, annotations=annotations, epochs=0, finding=finding)

    meta = session.execute(
        select(JournalEntryRow.sequence, JournalEntryRow.project_id, JournalEntryRow.epoch_id)
    ).all()
    projects_of = {row.sequence: row.project_id for row in meta}
    epochs_of = {row.sequence: row.epoch_id for row in meta}
    projects = (
        [project]
        if project is not None
        else list(session.scalars(select(Project).order_by(Project.id)))
    )
    checked = 0
    for each in projects:
        claimable: dict[str, int] = {}
        for epoch in list_epochs(session, each):
            checked += 1
            finding = _check_epoch(
                session,
                each,
                epoch,
                journal=journal,
                projects_of=projects_of,
                epochs_of=epochs_of,
                claimable=claimable,
            )
            if finding is not None:
                return AuditReport(entries, annotations, checked, finding)
    return AuditReport(entries=entries, annotations=annotations, epochs=checked, finding=None)
