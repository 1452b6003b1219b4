"""Figures for dashboards: a project's statistics and an annotator's own record."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from labelshare.quality import LabelMatrix, QualityInputError, krippendorff_alpha
from labelshare.schema import canonical_json
from labelshare.services.stats import ProjectProgress, project_progress
from labelshare.store.models import Account, Annotation, Item, Project
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
