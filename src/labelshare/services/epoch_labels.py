"""From stored annotations to one epoch's settlement inputs (steps 1 to 3 of settlement).

An epoch covers a project's annotations with ids in ``(first, last]``. Truth inference
runs over every current label up to ``last`` of the items the epoch touches, so that an
item labelled across two epochs is judged on all its labels; only the epoch's own labels
are paid. Each paid label's quality weight is the probability that it is correct under
its item's posterior computed without the label itself
(:func:`labelshare.quality.loo_quality_weights`); gold accuracy counts every gold answer
up to ``last``, so an annotator's record follows them from epoch to epoch.

A correction supersedes the annotator's earlier label: only current labels (not
superseded by an annotation up to ``last``) count, and a correction of a label settled in
an earlier epoch is not paid again. Everything here is a function of the stored rows, so
audit recomputes an epoch by calling :func:`load_epoch_labels` again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from labelshare.errors import InvalidTransition
from labelshare.quality import LabelMatrix, loo_quality_weights, make_estimator
from labelshare.schema import value_sha256
from labelshare.services.projects import project_schema
from labelshare.store.models import Account, Annotation, Item, Project

__all__ = ["EpochLabels", "class_digests", "load_epoch_labels"]

DEFAULT_ESTIMATOR = "auto"
"""Truth-inference method used at settlement (see ``labelshare.quality.make_estimator``)."""


@dataclass(frozen=True)
class EpochLabels:
    """An epoch's labels with their quality weights, ready for ``settle_epoch``.

    Attributes:
        annotator_ids: ``(n_annotators,)`` database ids of the annotators paid.
        addresses: their addresses, in the same order.
        gold_correct: ``(n_annotators,)`` gold answers right, up to the epoch's end.
        gold_total: ``(n_annotators,)`` gold answers given, up to the epoch's end.
        label_annotator: ``(n_labels,)`` index into ``annotator_ids`` of each paid label.
        label_item: ``(n_labels,)`` item id of each paid label.
        label_value: ``(n_labels,)`` class index of each paid label.
        quality_weight: ``(n_labels,)`` leave-one-out probability each label is correct.
        n_classes: K, the schema's number of classes.
        item_ids: ``(n_items,)`` items judged, sorted.
        inferred: ``(n_items,)`` class index inferred for each of ``item_ids``.
        confidence: ``(n_items,)`` posterior probability of that class.
    """

    annotator_ids: NDArray[np.int64]
    addresses: tuple[str, ...]
    gold_correct: NDArray[np.int64]
    gold_total: NDArray[np.int64]
    label_annotator: NDArray[np.int64]
    label_item: NDArray[np.int64]
    label_value: NDArray[np.int64]
    quality_weight: NDArray[np.float64]
    n_classes: int
    item_ids: NDArray[np.int64]
    inferred: NDArray[np.int64]
    confidence: NDArray[np.float64]


def class_digests(project: Project) -> dict[str, int]:
    """Map the SHA-256 of each class's canonical value to its class index.

    Raises:
        InvalidTransition: if the project's schema has no classes (settlement needs them).
    """
    schema = project_schema(project)
    categories = schema.categories
    if not categories:
        raise InvalidTransition(
            f"label_schema: epoch settlement needs a categorical schema, "
            f"project {project.name!r} has kind {schema.kind!r}"
        )
    return {
        value_sha256(schema.value_from_text(name)): index for index, name in enumerate(categories)
    }


def _empty(n_classes: int) -> EpochLabels:
    none = np.zeros(0, dtype=np.int64)
    return EpochLabels(
        annotator_ids=none,
        addresses=(),
        gold_correct=none,
        gold_total=none,
        label_annotator=none,
        label_item=none,
        label_value=none,
        quality_weight=np.zeros(0),
        n_classes=n_classes,
        item_ids=none,
        inferred=none,
        confidence=np.zeros(0),
    )


def load_epoch_labels(
    session: Session,
    project: Project,
    *,
    first_id: int,
    last_id: int,
    estimator: str = DEFAULT_ESTIMATOR,
    timings_s: dict[str, float] | None = None,
) -> EpochLabels:
    """Read the epoch's annotations and judge them.

    Args:
        session: an open session.
        project: the project.
        first_id: the epoch covers annotation ids above this (the previous epoch's last).
        last_id: and up to this one, inclusive.
        estimator: truth-inference method name.
        timings_s: if given, receives the seconds spent in ``read`` and ``infer``.

    Returns:
        The epoch's paid labels, weights, gold records and inferred item labels.

    Raises:
        InvalidTransition: the schema is not categorical.
    """
    started = time.perf_counter()
    digests = class_digests(project)
    n_classes = len(digests)
    class_of = case(
        *((Annotation.value_sha256 == digest, index) for digest, index in digests.items()),
        else_=-1,
    )
    query = (
        select(
            Annotation.id,
            Annotation.item_id,
            Annotation.annotator_id,
            class_of,
            func.coalesce(Annotation.supersedes_id, -1),
        )
        .where(Annotation.project_id == project.id, Annotation.id <= last_id)
        .order_by(Annotation.id)
    )
    # Every column is an integer: the DBAPI rows go straight into one numpy array,
    # without building a SQLAlchemy row per annotation (the bulk of the time at 10**6).
    result = session.connection().execute(query)
    table = np.array(result.cursor.fetchall(), dtype=np.int64).reshape(-1, 5)
    result.close()
    if table.shape[0] == 0:
        return _empty(n_classes)
    ids, items, workers, value, supersedes = (np.ascontiguousarray(c) for c in table.T)
    del table
    current = ~np.isin(ids, supersedes[supersedes >= 0]) & (value >= 0)
    in_epoch = ids > first_id
    paid = current & in_epoch & ((supersedes < 0) | (supersedes > first_id))
    if not paid.any():
        return _empty(n_classes)

    gold_rows = session.execute(
        select(Item.id, Item.gold).where(Item.project_id == project.id, Item.is_gold.is_(True))
    ).all()
    schema = project_schema(project)
    gold_class = {
        item_id: digests[value_sha256(schema.validate(gold, payload={}))]
        for item_id, gold in gold_rows
        if gold is not None
    }

    if timings_s is not None:
        timings_s["read"] = time.perf_counter() - started
        started = time.perf_counter()
    touched = np.unique(items[paid])
    judged = current & np.isin(items, touched)
    matrix = LabelMatrix.from_arrays(
        items[judged], workers[judged], value[judged], classes=range(n_classes)
    )
    gold_tasks = [
        (matrix.task_index(int(item_id)), gold_class[int(item_id)])
        for item_id in matrix.task_ids
        if int(item_id) in gold_class
    ]
    gold = dict(gold_tasks) if gold_tasks else None
    model = make_estimator(estimator).fit(matrix, gold=gold)
    weights_sorted = loo_quality_weights(model, matrix)
    weight = np.zeros(int(judged.sum()))
    weight[matrix.source_rows] = weights_sorted
    paid_in_judged = paid[judged]

    paid_workers = workers[paid]
    annotator_ids, label_annotator = np.unique(paid_workers, return_inverse=True)
    # Gold record: every current gold answer up to the epoch's end, of the paid annotators.
    is_gold_row = current & np.isin(items, np.fromiter(gold_class, dtype=np.int64))
    gold_answer = np.array([gold_class.get(int(i), -1) for i in items[is_gold_row]], dtype=np.int64)
    gold_workers = np.searchsorted(annotator_ids, workers[is_gold_row])
    known = (gold_workers < annotator_ids.size) & (
        annotator_ids[np.minimum(gold_workers, annotator_ids.size - 1)] == workers[is_gold_row]
    )
    n_ann = annotator_ids.size
    gold_total = np.bincount(gold_workers[known], minlength=n_ann).astype(np.int64)
    right = known & (gold_answer == value[is_gold_row])
    gold_correct = np.bincount(gold_workers[right], minlength=n_ann).astype(np.int64)

    address_of = dict(
        session.execute(
            select(Account.id, Account.address).where(
                Account.id.in_([int(a) for a in annotator_ids])
            )
        ).all()
    )
    probas = model.probas_
    if timings_s is not None:
        timings_s["infer"] = time.perf_counter() - started
    return EpochLabels(
        annotator_ids=annotator_ids.astype(np.int64),
        addresses=tuple(address_of[int(a)] for a in annotator_ids),
        gold_correct=gold_correct,
        gold_total=gold_total,
        label_annotator=label_annotator.astype(np.int64),
        label_item=items[paid],
        label_value=value[paid],
        quality_weight=np.clip(weight[paid_in_judged], 0.0, 1.0),
        n_classes=n_classes,
        item_ids=np.asarray(matrix.task_ids, dtype=np.int64),
        inferred=np.asarray(model.labels_, dtype=np.int64),
        confidence=probas[np.arange(probas.shape[0]), model.labels_],
    )
