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

Classification and rating labels are judged over class indices (above). Labels of the
other kinds have no class index: their weights come from the kind's aggregator
(:mod:`labelshare.services.epoch_weights`), ``label_value`` is None (no Correlated
Agreement) and a gold answer is right by
:func:`labelshare.services.gold_correctness.gold_is_correct`.
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
from labelshare.schema import LabelSchema, value_sha256
from labelshare.services.epoch_weights import (
    CATEGORICAL_KINDS,
    CHANCE_LEVEL,
    settlement_method,
    weigh_labels,
)
from labelshare.services.gold_correctness import gold_is_correct
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
        label_value: ``(n_labels,)`` class index of each paid label; None for kinds
            without classes.
        quality_weight: ``(n_labels,)`` leave-one-out quality weight of each label
            (for categorical kinds, the probability that it is correct).
        n_classes: K, the schema's number of classes (0 for kinds without classes).
        item_ids: ``(n_items,)`` items judged, sorted.
        inferred: ``(n_items,)`` class index inferred for each of ``item_ids``: for
            pairwise the choice's index in ``A, B, tie``; -1 for the other kinds
            without classes.
        confidence: ``(n_items,)`` posterior probability of that class, or the
            aggregator's confidence in the item's label.
        chance_level: quality weight at or below which a label earns nothing.
        method: the judging method, stored with the epoch so that audit recomputes
            it the same way: the estimator for categorical kinds, else ``structured``
            or ``preference``.
    """

    annotator_ids: NDArray[np.int64]
    addresses: tuple[str, ...]
    gold_correct: NDArray[np.int64]
    gold_total: NDArray[np.int64]
    label_annotator: NDArray[np.int64]
    label_item: NDArray[np.int64]
    label_value: NDArray[np.int64] | None
    quality_weight: NDArray[np.float64]
    n_classes: int
    item_ids: NDArray[np.int64]
    inferred: NDArray[np.int64]
    confidence: NDArray[np.float64]
    chance_level: float
    method: str


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


def _categorical_chance(n_classes: int) -> float:
    return 1.0 / max(n_classes, 1)


def _empty(n_classes: int, *, chance_level: float, method: str, classed: bool) -> EpochLabels:
    none = np.zeros(0, dtype=np.int64)
    return EpochLabels(
        annotator_ids=none,
        addresses=(),
        gold_correct=none,
        gold_total=none,
        label_annotator=none,
        label_item=none,
        label_value=none if classed else None,
        quality_weight=np.zeros(0),
        n_classes=n_classes,
        item_ids=none,
        inferred=none,
        confidence=np.zeros(0),
        chance_level=chance_level,
        method=method,
    )


def _epoch_masks(
    ids: NDArray[np.int64], supersedes: NDArray[np.int64], first_id: int
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """``(current, paid)``: labels not superseded up to the epoch's end, and those of
    them the epoch pays (its own, unless correcting a label settled earlier)."""
    current = ~np.isin(ids, supersedes[supersedes >= 0])
    paid = current & (ids > first_id) & ((supersedes < 0) | (supersedes > first_id))
    return current, paid


def _gold_record(
    annotator_ids: NDArray[np.int64], gold_workers: NDArray[np.int64], right: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """``(gold_correct, gold_total)`` per paid annotator from their gold answers."""
    n_ann = annotator_ids.size
    index = np.searchsorted(annotator_ids, gold_workers)
    known = (index < n_ann) & (annotator_ids[np.minimum(index, n_ann - 1)] == gold_workers)
    total = np.bincount(index[known], minlength=n_ann).astype(np.int64)
    correct = np.bincount(index[known & right], minlength=n_ann).astype(np.int64)
    return correct, total


def _addresses(session: Session, annotator_ids: NDArray[np.int64]) -> tuple[str, ...]:
    address_of = dict(
        session.execute(
            select(Account.id, Account.address).where(
                Account.id.in_([int(a) for a in annotator_ids])
            )
        ).all()
    )
    return tuple(address_of[int(a)] for a in annotator_ids)


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
        estimator: truth-inference method name for categorical kinds; ``auto`` or the
            stored method name (``structured``, ``preference``) for the others.
        timings_s: if given, receives the seconds spent in ``read`` and ``infer``.

    Returns:
        The epoch's paid labels, weights, gold records and inferred item labels.

    Raises:
        InvalidTransition: the schema's kind cannot be settled.
        InvalidInput: a categorical estimator named for a kind without classes.
    """
    schema = project_schema(project)
    method = settlement_method(schema.kind, estimator)
    if schema.kind in CATEGORICAL_KINDS:
        return _load_categorical(
            session,
            project,
            first_id=first_id,
            last_id=last_id,
            estimator=method,
            timings_s=timings_s,
        )
    return _load_weighted(
        session,
        project,
        schema,
        first_id=first_id,
        last_id=last_id,
        method=method,
        timings_s=timings_s,
    )


def _load_categorical(
    session: Session,
    project: Project,
    *,
    first_id: int,
    last_id: int,
    estimator: str,
    timings_s: dict[str, float] | None,
) -> EpochLabels:
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
    chance = _categorical_chance(n_classes)
    if table.shape[0] == 0:
        return _empty(n_classes, chance_level=chance, method=estimator, classed=True)
    ids, items, workers, value, supersedes = (np.ascontiguousarray(c) for c in table.T)
    del table
    current, paid = _epoch_masks(ids, supersedes, first_id)
    current &= value >= 0
    paid &= value >= 0
    if not paid.any():
        return _empty(n_classes, chance_level=chance, method=estimator, classed=True)

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
    gold_correct, gold_total = _gold_record(
        annotator_ids, workers[is_gold_row], gold_answer == value[is_gold_row]
    )
    addresses = _addresses(session, annotator_ids)
    probas = model.probas_
    if timings_s is not None:
        timings_s["infer"] = time.perf_counter() - started
    return EpochLabels(
        annotator_ids=annotator_ids.astype(np.int64),
        addresses=addresses,
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
        chance_level=chance,
        method=estimator,
    )


def _load_weighted(
    session: Session,
    project: Project,
    schema: LabelSchema,
    *,
    first_id: int,
    last_id: int,
    method: str,
    timings_s: dict[str, float] | None,
) -> EpochLabels:
    """The epoch's labels of a kind without classes, weighted by its aggregator."""
    started = time.perf_counter()
    chance = CHANCE_LEVEL[schema.kind]
    rows = session.execute(
        select(
            Annotation.id,
            Annotation.item_id,
            Annotation.annotator_id,
            func.coalesce(Annotation.supersedes_id, -1),
            Annotation.value,
        )
        .where(Annotation.project_id == project.id, Annotation.id <= last_id)
        .order_by(Annotation.id)
    ).all()
    if not rows:
        return _empty(0, chance_level=chance, method=method, classed=False)
    ids, items, workers, supersedes = (
        np.array([row[k] for row in rows], dtype=np.int64) for k in range(4)
    )
    values = [row[4] for row in rows]
    current, paid = _epoch_masks(ids, supersedes, first_id)
    if not paid.any():
        return _empty(0, chance_level=chance, method=method, classed=False)

    touched = np.unique(items[paid])
    judged = np.flatnonzero(current & np.isin(items, touched))
    gold_items = session.execute(
        select(Item.id, Item.gold, Item.payload).where(
            Item.project_id == project.id, Item.is_gold.is_(True), Item.gold.is_not(None)
        )
    ).all()
    gold_value = {
        item_id: schema.validate(gold, payload=payload) for item_id, gold, payload in gold_items
    }
    payload_of: dict[int, dict[str, object]] = {}
    if schema.needs_payload:
        payload_of = dict(
            session.execute(
                select(Item.id, Item.payload).where(
                    Item.project_id == project.id, Item.id.in_([int(i) for i in touched])
                )
            ).all()
        )
    if timings_s is not None:
        timings_s["read"] = time.perf_counter() - started
        started = time.perf_counter()

    judged_items = [int(items[r]) for r in judged]
    weighed = weigh_labels(
        schema,
        judged_items,
        [int(workers[r]) for r in judged],
        [values[r] for r in judged],
        [payload_of.get(item, {}) for item in judged_items],
    )
    weight = np.zeros(ids.size)
    weight[judged] = weighed.weights

    paid_workers = workers[paid]
    annotator_ids, label_annotator = np.unique(paid_workers, return_inverse=True)
    # Gold record: every current gold answer up to the epoch's end, of the paid annotators.
    gold_rows = np.flatnonzero(current & np.isin(items, np.fromiter(gold_value, dtype=np.int64)))
    right = np.array(
        [gold_is_correct(schema, values[r], gold_value[int(items[r])]) for r in gold_rows],
        dtype=np.bool_,
    )
    gold_correct, gold_total = _gold_record(annotator_ids, workers[gold_rows], right)
    addresses = _addresses(session, annotator_ids)
    if timings_s is not None:
        timings_s["infer"] = time.perf_counter() - started
    return EpochLabels(
        annotator_ids=annotator_ids.astype(np.int64),
        addresses=addresses,
        gold_correct=gold_correct,
        gold_total=gold_total,
        label_annotator=label_annotator.astype(np.int64),
        label_item=items[paid],
        label_value=None,
        quality_weight=np.clip(weight[paid], 0.0, 1.0),
        n_classes=0,
        item_ids=weighed.item_ids,
        inferred=weighed.inferred,
        confidence=weighed.confidence,
        chance_level=chance,
        method=method,
    )
