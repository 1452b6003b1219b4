"""Adaptive redundancy: ask for more labels only where the item is still uncertain.

An item starts with a label target equal to the project's minimum redundancy. Once it
has that many labels, the quality engine's ``needs_more`` decides from the item's
posterior whether it gets one more slot (never past the maximum). For categorical kinds
the posterior weighs each label by its annotator's accuracy on the hidden gold items
of the project (a one-coin model: right with probability p, otherwise any other class
alike), so two agreeing reliable annotators settle an item while a disagreement, or
agreement among annotators who fail gold, asks for more. Kinds without categories
(spans, boxes, free text...) ask for more while their current labels differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session, aliased

from labelshare.quality import LabelMatrix, gold_accuracy, item_posterior, needs_more
from labelshare.schema import LabelSchema, canonical_json
from labelshare.services.projects import project_schema
from labelshare.store.models import Annotation, Item, Project

# Beta prior on an annotator's accuracy before any gold answer: mean 0.8, worth five
# answers, so one unlucky gold item does not make a newcomer's labels worthless.
ACCURACY_PRIOR = (4.0, 1.0)
# Posterior probability of the top class at which an item needs no more labels.
CONFIDENCE = 0.95


def current_values(session: Session, item_id: int) -> list[object]:
    """The item's current labels: each annotator's latest, corrections applied."""
    return [value for _, value in current_labels(session, item_id)]


def current_labels(session: Session, item_id: int) -> list[tuple[int, Any]]:
    """(annotator id, value) of the item's current labels, oldest first."""
    later = aliased(Annotation)
    rows = session.execute(
        select(Annotation.annotator_id, Annotation.value)
        .outerjoin(later, later.supersedes_id == Annotation.id)
        .where(Annotation.item_id == item_id, later.id.is_(None))
        .order_by(Annotation.id)
    ).all()
    return [(annotator_id, value) for annotator_id, value in rows]


def _category(value: Any) -> str:
    # Categories are strings; ratings are stored as integers ("1".."K" as categories).
    return value if isinstance(value, str) else str(value)


def _class_index(schema: LabelSchema, value: Any) -> int | None:
    categories = schema.categories
    key = _category(value)
    return categories.index(key) if categories is not None and key in categories else None


def annotator_accuracy(
    session: Session, project: Project, schema: LabelSchema, annotator_ids: Sequence[int]
) -> dict[int, float]:
    """Posterior mean accuracy on the project's gold items, per annotator."""
    rows = session.execute(
        select(Annotation.annotator_id, Annotation.item_id, Annotation.value, Item.gold)
        .join(Item, Item.id == Annotation.item_id)
        .where(
            Annotation.project_id == project.id,
            Item.is_gold,
            Annotation.annotator_id.in_(annotator_ids),
            Annotation.supersedes_id.is_(None),
        )
    ).all()
    prior_mean = ACCURACY_PRIOR[0] / sum(ACCURACY_PRIOR)
    accuracy = dict.fromkeys(annotator_ids, prior_mean)
    categories = schema.categories
    answers = [
        (annotator_id, item_id, _category(value), _category(gold))
        for annotator_id, item_id, value, gold in rows
    ]
    answers = [a for a in answers if categories and a[2] in categories and a[3] in categories]
    if not answers:
        return accuracy
    matrix = LabelMatrix.from_arrays(
        tasks=[item_id for _, item_id, _, _ in answers],
        workers=[annotator_id for annotator_id, _, _, _ in answers],
        labels=[value for _, _, value, _ in answers],
        classes=categories,
    )
    gold = matrix.encode_gold({item_id: cls for _, item_id, _, cls in answers})
    result = gold_accuracy(matrix, gold, prior=ACCURACY_PRIOR)
    for worker_id, mean in zip(result.worker_ids, result.mean, strict=True):
        accuracy[int(worker_id)] = float(mean)
    return accuracy


def _wants_more(session: Session, project: Project, labels: list[tuple[int, Any]]) -> bool:
    schema = project_schema(project)
    classes = schema.categories
    indices = [_class_index(schema, value) for _, value in labels]
    if classes is None or len(classes) < 2 or any(i is None for i in indices):
        return len({canonical_json(value) for _, value in labels}) > 1
    annotators = [annotator_id for annotator_id, _ in labels]
    accuracy = annotator_accuracy(session, project, schema, annotators)
    k = len(classes)
    confusions = np.empty((len(labels), k, k))
    for row, annotator_id in enumerate(annotators):
        right = min(max(accuracy[annotator_id], 1e-3), 1 - 1e-3)
        confusions[row] = (1.0 - right) / (k - 1)
        np.fill_diagonal(confusions[row], right)
    posterior = item_posterior(
        np.array(indices, dtype=np.int64),
        np.arange(len(labels)),
        confusions=confusions,
        priors=np.full(k, 1.0 / k),
    )
    return bool(
        needs_more(
            posterior,
            len(labels),
            min_redundancy=project.redundancy_min,
            max_redundancy=project.redundancy_max,
            confidence=CONFIDENCE,
        )
    )


def raise_label_target(
    session: Session,
    project: Project,
    item_id: int,
    *,
    n_labels: int,
    added: int,
    label_target: int,
    is_gold: bool,
) -> int:
    """Ask for one more label of an item that has its labels and is still uncertain.

    The decision is taken after each of the ``added`` labels in turn, on the labels up
    to it, so a batch ends where labels stored one at a time would.

    Args:
        n_labels: the item's labels, counting the ones just stored.
        added: how many of them were just stored.
        label_target: its label target before them.
        is_gold: whether it is a gold item (those keep their target).

    Returns:
        The item's label target after the decision.
    """
    if is_gold or n_labels < label_target or label_target >= project.redundancy_max:
        return label_target
    labels = current_labels(session, item_id)
    target = label_target
    for count in range(n_labels - added + 1, n_labels + 1):
        due = count >= target and target < project.redundancy_max
        if due and _wants_more(session, project, labels[:count]):
            target += 1
    if target != label_target:
        session.execute(
            update(Item)
            .where(Item.id == item_id)
            .values(label_target=target)
            .execution_options(synchronize_session=False)
        )
    return target
