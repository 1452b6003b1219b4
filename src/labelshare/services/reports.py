"""Figures for dashboards: a project's statistics and annotators, its licence payments,
its epochs' totals, and an annotator's own record and per-epoch earnings."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from labelshare.core.statuses import EpochStatus
from labelshare.incentives import QUALITY_SCALE
from labelshare.quality import (
    ConvergenceWarning,
    LabelMatrix,
    OneCoinDawidSkene,
    QualityInputError,
    krippendorff_alpha,
)
from labelshare.schema import canonical_json
from labelshare.services.stats import ProjectProgress, project_progress
from labelshare.store.models import (
    Account,
    Annotation,
    Epoch,
    EpochReport,
    Item,
    LicencePayment,
    Project,
)
from labelshare.store.repositories import AccountRepository

# Agreement is computed over at most this many recent labels, so the figure stays cheap
# on large projects.
AGREEMENT_SAMPLE = 200_000


@dataclass(frozen=True)
class ProjectStats:
    """Progress, the spread of labels over items, and inter-annotator agreement.

    Attributes:
        progress: items, labels and completion.
        labels_per_item: number of items (value) having each count of labels (key).
        agreement_alpha: Krippendorff's alpha (nominal, on canonical values) over items
            with two or more current labels; None when undefined.
        annotators: distinct accounts that labelled the project.
    """

    progress: ProjectProgress
    labels_per_item: dict[int, int]
    agreement_alpha: float | None
    annotators: int


@dataclass(frozen=True)
class AnnotatorStats:
    """What an annotator has done so far.

    Attributes:
        labels: annotations stored, corrections included.
        projects: projects labelled.
        gold_answered: labels of gold items (latest per item).
        gold_correct: of those, how many equal the gold answer.
        accuracy: ``gold_correct / gold_answered``, None before any gold item.
        domains: expertise domains held.
    """

    labels: int
    projects: int
    gold_answered: int
    gold_correct: int
    accuracy: float | None
    domains: list[str]


def _current_labels(session: Session, project: Project) -> list[tuple[int, int, object]]:
    later = aliased(Annotation)
    rows = session.execute(
        select(Annotation.item_id, Annotation.annotator_id, Annotation.value)
        .outerjoin(later, later.supersedes_id == Annotation.id)
        .where(Annotation.project_id == project.id, later.id.is_(None))
        .order_by(Annotation.id.desc())
        .limit(AGREEMENT_SAMPLE)
    ).all()
    return [(item_id, annotator_id, value) for item_id, annotator_id, value in rows]


def project_stats(session: Session, project: Project) -> ProjectStats:
    """Compute ``ProjectStats`` for ``project`` (Krippendorff 2011 for the agreement)."""
    counts = session.execute(
        select(Item.n_labels, func.count())
        .where(Item.project_id == project.id)
        .group_by(Item.n_labels)
        .order_by(Item.n_labels)
    ).all()
    labels = _current_labels(session, project)
    alpha: float | None = None
    if labels:
        tasks, workers, values = zip(*labels, strict=True)
        try:
            alpha = krippendorff_alpha(
                LabelMatrix.from_arrays(tasks, workers, [canonical_json(v) for v in values])
            )
        except QualityInputError:
            alpha = None
    return ProjectStats(
        progress=project_progress(session, project),
        labels_per_item={int(n): int(c) for n, c in counts},
        agreement_alpha=alpha,
        annotators=len({worker for _, worker, _ in labels}),
    )


def annotator_stats(session: Session, account: Account) -> AnnotatorStats:
    """Compute ``AnnotatorStats`` for ``account``."""
    labels, projects = session.execute(
        select(func.count(), func.count(func.distinct(Annotation.project_id))).where(
            Annotation.annotator_id == account.id
        )
    ).one()
    later = aliased(Annotation)
    gold_rows = session.execute(
        select(Annotation.value, Item.gold)
        .join(Item, Item.id == Annotation.item_id)
        .outerjoin(later, later.supersedes_id == Annotation.id)
        .where(Annotation.annotator_id == account.id, Item.is_gold, later.id.is_(None))
    ).all()
    correct = sum(canonical_json(value) == canonical_json(gold) for value, gold in gold_rows)
    return AnnotatorStats(
        labels=int(labels),
        projects=int(projects),
        gold_answered=len(gold_rows),
        gold_correct=correct,
        accuracy=correct / len(gold_rows) if gold_rows else None,
        domains=AccountRepository(session).domains_of(account.id),
    )


@dataclass(frozen=True)
class AnnotatorRecord:
    """One annotator's work in a project, for its managers and reviewers.

    Attributes:
        address: the annotator's checksum address.
        labels: annotations stored in the project, corrections included.
        reliability: estimated probability that the annotator's label is right
            (one-coin Dawid-Skene over the project's current labels); None when the
            labels admit no estimate.
        gold_accuracy: fraction of gold items answered right (latest label per item),
            None before any gold item.
    """

    address: str
    labels: int
    reliability: float | None
    gold_accuracy: float | None


def _reliabilities(labels: list[tuple[int, int, object]]) -> dict[int, float]:
    if not labels:
        return {}
    tasks, workers, values = zip(*labels, strict=True)
    try:
        matrix = LabelMatrix.from_arrays(tasks, workers, [canonical_json(v) for v in values])
        with warnings.catch_warnings():
            # A dashboard figure: the estimate at the iteration cap is good enough to show.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = OneCoinDawidSkene().fit(matrix)
    except QualityInputError:
        return {}
    return {
        int(worker): float(skill)
        for worker, skill in zip(matrix.worker_ids.tolist(), model.skills_.tolist(), strict=True)
    }


def _gold_accuracies(session: Session, project: Project) -> dict[int, float]:
    later = aliased(Annotation)
    rows = session.execute(
        select(Annotation.annotator_id, Annotation.value, Item.gold)
        .join(Item, Item.id == Annotation.item_id)
        .outerjoin(later, later.supersedes_id == Annotation.id)
        .where(Annotation.project_id == project.id, Item.is_gold, later.id.is_(None))
    ).all()
    answered: dict[int, int] = {}
    correct: dict[int, int] = {}
    for annotator_id, value, gold in rows:
        answered[annotator_id] = answered.get(annotator_id, 0) + 1
        if canonical_json(value) == canonical_json(gold):
            correct[annotator_id] = correct.get(annotator_id, 0) + 1
    return {who: correct.get(who, 0) / n for who, n in answered.items()}


def project_annotators(session: Session, project: Project) -> list[AnnotatorRecord]:
    """Every annotator of ``project`` with labels, reliability and gold accuracy.

    Reliability is the worker accuracy of the one-coin Dawid-Skene model (Dawid and
    Skene 1979, with one accuracy per worker) fitted to the current labels (at most
    ``AGREEMENT_SAMPLE`` of the latest), values compared by their canonical JSON.

    Returns:
        The records, most labels first, then by address.
    """
    counts = session.execute(
        select(Account.id, Account.address, func.count(Annotation.id))
        .join(Annotation, Annotation.annotator_id == Account.id)
        .where(Annotation.project_id == project.id)
        .group_by(Account.id, Account.address)
    ).all()
    reliability = _reliabilities(_current_labels(session, project))
    accuracy = _gold_accuracies(session, project)
    records = [
        AnnotatorRecord(
            address=address,
            labels=int(labels),
            reliability=reliability.get(account_id),
            gold_accuracy=accuracy.get(account_id),
        )
        for account_id, address, labels in counts
    ]
    return sorted(records, key=lambda record: (-record.labels, record.address.lower()))


def licence_payments(session: Session, project: Project) -> list[LicencePayment]:
    """The licence payments recorded for ``project``, oldest first."""
    return list(
        session.scalars(
            select(LicencePayment)
            .where(LicencePayment.project_id == project.id)
            .order_by(LicencePayment.id)
        )
    )


@dataclass(frozen=True)
class EpochTotals:
    """What a closed epoch moved, in base units, as its stored report records.

    Attributes:
        number: the epoch's number.
        rewards_paid: rewards paid out of escrow.
        slashed: stake slashed.
        royalties: licence revenue paid to shareholders.
        escrow_after: escrow left after the epoch.
    """

    number: int
    rewards_paid: int
    slashed: int
    royalties: int
    escrow_after: int


@dataclass(frozen=True)
class EpochEarnings:
    """One address's part of one closed epoch.

    Attributes:
        number: the epoch's number.
        labels: labels of the address judged in the epoch.
        quality: fraction of the base rate its labels earned on average, in [0, 1]:
            mean label multiplier times the annotator's gold and peer factor.
        reward: base units of reward paid.
        slashed: base units of stake slashed.
        shares: dataset shares minted to the address.
        royalties: base units of licence revenue paid to the address.
    """

    number: int
    labels: int
    quality: float
    reward: int
    slashed: int
    shares: int
    royalties: int


def _epoch_reports(session: Session, project: Project) -> list[tuple[int, dict[str, Any]]]:
    rows = session.execute(
        select(Epoch.number, EpochReport.report_json)
        .join(EpochReport, EpochReport.epoch_id == Epoch.id)
        .where(Epoch.project_id == project.id, Epoch.status == EpochStatus.CLOSED.value)
        .order_by(Epoch.number)
    ).all()
    return [(int(number), json.loads(report)) for number, report in rows]


def epoch_totals(session: Session, project: Project) -> dict[int, EpochTotals]:
    """The totals of every closed epoch of ``project``, by epoch number."""
    found: dict[int, EpochTotals] = {}
    for number, report in _epoch_reports(session, project):
        totals = report["totals"]
        found[number] = EpochTotals(
            number=number,
            rewards_paid=int(totals["paid"]),
            slashed=int(totals["slashed"]),
            royalties=int(totals["royalties"]),
            escrow_after=int(totals["escrow_after"]),
        )
    return found


def epoch_earnings(session: Session, project: Project, address: str) -> list[EpochEarnings]:
    """What ``address`` earned in each closed epoch of ``project``, read from the reports.

    Args:
        session: an open session.
        project: the project.
        address: a checksum address.

    Returns:
        One record per epoch in which the address labelled or received royalties,
        oldest first.
    """
    wanted = address.lower()
    scale_squared = QUALITY_SCALE * QUALITY_SCALE
    found: list[EpochEarnings] = []
    for number, report in _epoch_reports(session, project):
        royalties = sum(
            int(amount) for holder, amount in report["royalties"] if holder.lower() == wanted
        )
        mine = [row for row in report["annotators"] if row["address"].lower() == wanted]
        if not mine and not royalties:
            continue
        row = mine[0] if mine else None
        labels = int(row["labels"]) if row else 0
        quality = (
            int(row["label_units"]) * int(row["factor_units"]) / (labels * scale_squared)
            if row and labels
            else 0.0
        )
        found.append(
            EpochEarnings(
                number=number,
                labels=labels,
                quality=quality,
                reward=int(row["reward"]) if row else 0,
                slashed=int(row["slash"]) if row else 0,
                shares=int(row["shares"]) if row else 0,
                royalties=royalties,
            )
        )
    return found
