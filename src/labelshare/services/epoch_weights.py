"""Quality weights of labels that have no class index: structured and preference kinds.

Categorical kinds (classification, rating) are judged by a truth-inference estimator
over class indices (:mod:`labelshare.services.epoch_labels`), which also lets the
settlement pay Correlated Agreement. The other kinds have no class per label, so each
label's quality weight comes from its kind's aggregator, judged leave-one-out:

* ``structured`` — multilabel, spans, bbox, text, rubric:
  :func:`labelshare.quality.structured.structured_quality` (a rubric through one
  ordinal model per criterion, :class:`labelshare.quality.structured.RubricAggregator`);
* ``preference`` — pairwise, ranking:
  :func:`labelshare.quality.preference.preference_quality` (leave-one-out correctness
  times the annotator's informedness, so an annotator who always picks A or always the
  response shown first earns about nothing).

The chance level (the weight that earns nothing, ``RewardTerms.chance_level``) depends
on what a kind's weight measures; see :data:`CHANCE_LEVEL`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelshare.errors import InvalidInput, InvalidTransition
from labelshare.quality.preference import preference_quality
from labelshare.quality.structured import structured_quality
from labelshare.schema import LabelSchema

__all__ = [
    "CATEGORICAL_KINDS",
    "CHANCE_LEVEL",
    "PREFERENCE_KINDS",
    "PREFERENCE_METHOD",
    "STRUCTURED_KINDS",
    "STRUCTURED_METHOD",
    "KindWeights",
    "settlement_method",
    "weigh_labels",
]

CATEGORICAL_KINDS = ("classification", "rating")
"""Kinds settled over class indices by a truth-inference estimator."""

STRUCTURED_KINDS = ("multilabel", "spans", "bbox", "text", "rubric")
"""Kinds settled with ``structured_quality``."""

PREFERENCE_KINDS = ("pairwise", "ranking")
"""Kinds settled with ``preference_quality``."""

STRUCTURED_METHOD = "structured"
"""Method name stored with an epoch of a structured kind."""

PREFERENCE_METHOD = "preference"
"""Method name stored with an epoch of a preference kind."""

CHANCE_LEVEL: Mapping[str, float] = {
    # Expected per-class accuracy: each class is an in-or-out decision a coin flip gets
    # right half the time.
    "multilabel": 0.5,
    # Mean probability that the label's own tag of each contested token is right; the
    # tags are mostly inside-or-outside decisions, again right half the time by chance.
    "spans": 0.5,
    # Credit for matched boxes over own boxes plus expected misses (an F1): randomly
    # drawn boxes match nothing, so 0 is chance.
    "bbox": 0.0,
    # Similarity to the medoid of the other answers: unrelated texts of similar length
    # still share about half their characters, and a lone unjudged answer gets 0.5.
    "text": 0.5,
    # Leave-one-out correctness times informedness: informedness is already 0 for
    # answers that do not depend on the truth (always A, always the left response,
    # random), so subtracting a chance level as well would cut honest pay twice.
    "pairwise": 0.0,
    "ranking": 0.0,
    # Mean over criteria of the label's closeness to the leave-one-out posterior times
    # the annotator's weighted kappa against it (RubricAggregator). Closeness alone is
    # no measure of skill (uniformly random scores on 1..5 are 0.6 close on average),
    # but the kappa of scores that do not depend on the truth (random, constant) is
    # about 0, so their weight already is; a chance level above 0 would cut honest pay
    # twice, as for pairwise.
    "rubric": 0.0,
}
"""Quality weight at or below which a label of each non-categorical kind earns nothing."""


@dataclass(frozen=True)
class KindWeights:
    """Weights of one set of labels of a non-categorical kind.

    Attributes:
        weights: ``(n_rows,)`` leave-one-out quality weight of each row, in input order.
        item_ids: ``(n_items,)`` the items judged, sorted.
        confidence: ``(n_items,)`` confidence in each item's aggregated label.
        inferred: ``(n_items,)`` for pairwise items the index of the inferred choice in
            ``A, B, tie`` (the schema's categories); -1 for the other kinds.
    """

    weights: NDArray[np.float64]
    item_ids: NDArray[np.int64]
    confidence: NDArray[np.float64]
    inferred: NDArray[np.int64]


def settlement_method(kind: str, estimator: str) -> str:
    """The method an epoch of ``kind`` is judged with, as stored with the epoch.

    Args:
        kind: the schema kind.
        estimator: what the caller asked for: an estimator name for categorical kinds,
            ``auto`` or the kind's own method name otherwise.

    Returns:
        ``estimator`` for categorical kinds, else ``structured`` or ``preference``.

    Raises:
        InvalidTransition: the kind cannot be settled.
        InvalidInput: ``estimator`` names a categorical estimator for a kind that has
            no classes.
    """
    if kind in CATEGORICAL_KINDS:
        if estimator in (STRUCTURED_METHOD, PREFERENCE_METHOD):
            raise InvalidInput(
                f"estimator: {estimator!r} is for kinds without classes, not {kind!r}",
                field="estimator",
            )
        return estimator
    if kind in STRUCTURED_KINDS:
        method = STRUCTURED_METHOD
    elif kind in PREFERENCE_KINDS:
        method = PREFERENCE_METHOD
    else:
        settled = ", ".join((*CATEGORICAL_KINDS, *STRUCTURED_KINDS, *PREFERENCE_KINDS))
        raise InvalidTransition(
            f"label_schema: epoch settlement has no method for kind {kind!r} "
            f"(settled kinds: {settled})"
        )
    if estimator not in ("auto", method):
        raise InvalidInput(
            f"estimator: {estimator!r} applies to categorical schemas; "
            f"kind {kind!r} settles with 'auto' ({method!r})",
            field="estimator",
        )
    return method


def _preference_weights(
    kind: str, items: Sequence[int], workers: Sequence[int], values: Sequence[Any]
) -> KindWeights:
    result = preference_quality(items, workers, values)
    item_ids = np.unique(np.asarray(items, dtype=np.int64))
    # An item's confidence: the mean over its response pairs of the posterior of the
    # outcome inferred for the pair.
    task_items = np.searchsorted(item_ids, np.array([t[0] for t in result.tasks], dtype=np.int64))
    best = result.task_probas.max(axis=1)
    confidence = np.bincount(task_items, weights=best, minlength=item_ids.size) / np.bincount(
        task_items, minlength=item_ids.size
    )
    inferred = np.full(item_ids.size, -1, dtype=np.int64)
    if kind == "pairwise":
        # One sub-task per pairwise item: response 0 (A) against 1 (B), outcomes in
        # the order A, B[, tie] of the schema's categories.
        inferred[task_items] = result.task_probas.argmax(axis=1)
    return KindWeights(
        weights=np.clip(result.label_weights, 0.0, 1.0),
        item_ids=item_ids,
        confidence=confidence,
        inferred=inferred,
    )


def weigh_labels(
    schema: LabelSchema,
    items: Sequence[int],
    workers: Sequence[int],
    values: Sequence[Any],
    payloads: Sequence[Mapping[str, Any]],
) -> KindWeights:
    """Judge labels of a structured or preference kind, each without itself.

    Args:
        schema: the project's schema.
        items: item id of each label.
        workers: annotator id of each label (one current label per item and annotator).
        values: canonical value of each label.
        payloads: the payload of each label's item (the spans aggregator reads the text).

    Returns:
        The weights, in the order of the rows given, and each item's confidence.

    Raises:
        InvalidInput: the kind is neither structured nor a preference kind.
    """
    if schema.kind in PREFERENCE_KINDS:
        return _preference_weights(schema.kind, items, workers, values)
    if schema.kind not in STRUCTURED_KINDS:
        raise InvalidInput(
            f"label_schema: kind {schema.kind!r} is judged by class, not by weights",
            field="label_schema",
        )
    rows = list(zip(items, workers, values, payloads, strict=True))
    result = structured_quality(schema.to_json(), rows)
    item_ids = np.asarray(result.item_ids, dtype=np.int64)
    return KindWeights(
        weights=np.asarray(result.label_weights, dtype=np.float64),
        item_ids=item_ids,
        confidence=np.asarray(result.confidence, dtype=np.float64),
        inferred=np.full(item_ids.size, -1, dtype=np.int64),
    )
