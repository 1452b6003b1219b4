"""Correlated Agreement peer prediction.

Shnayder, Agarwal, Frongillo and Parkes, "Informed Truthfulness in Multi-Task Peer
Prediction", EC 2016. Every label an annotator p gave on an item b (the *bonus
task*) is scored against a peer q who labelled b too, and against two *penalty
tasks*: another item k that p labelled and another item l that q labelled, with
b, k and l distinct::

    score = S(p's label on b, q's label on b) - S(p's label on k, q's label on l)

``S(i, j) = 1`` where ``Delta(i, j) > 0`` and 0 otherwise, ``Delta`` being the joint
distribution of two labels on the same item minus the product of its marginals,
estimated from every ordered pair of labels by different annotators on the same
item in the epoch (the detail-free variant of section 5 of the paper). Because k and
l are different items, the penalty term is what chance agreement would earn, so a
constant or random labeller, or any strategy that ignores the item, scores 0 in
expectation, while an informed one scores above 0.

The peer and the penalty tasks are chosen by SplitMix64 hashes (Steele, Lea and
Flood, "Fast Splittable Pseudorandom Number Generators", OOPSLA 2014) of the epoch
seed, the item and the annotator, computed in numpy uint64 arithmetic. They depend
neither on the order of the rows nor on numpy's Generator streams, which NumPy does
not promise to keep across versions, so a settlement replays bit for bit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from labelshare.errors import InvalidSettlementInput

__all__ = [
    "CorrelatedAgreementScores",
    "correlated_agreement",
    "delta_matrix",
    "epoch_seed",
    "score_matrix",
]

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX_2 = np.uint64(0x94D049BB133111EB)
_DRAW_PEER, _DRAW_OWN_PENALTY, _DRAW_PEER_PENALTY = 1, 2, 3


@dataclass(frozen=True)
class CorrelatedAgreementScores:
    """Correlated Agreement scores of one epoch.

    Attributes:
        score: mean score per annotator over their scored bonus tasks, NaN for an
            annotator with none, shape (n_annotators,), values in [-1, 1].
        n_tasks: number of scored bonus tasks per annotator, shape (n_annotators,).
        delta: estimated Delta matrix, shape (n_classes, n_classes).
        score_matrix: ``1`` where Delta is positive, else 0, shape (n_classes, n_classes).
    """

    score: NDArray[np.float64]
    n_tasks: NDArray[np.int64]
    delta: NDArray[np.float64]
    score_matrix: NDArray[np.int64]


def epoch_seed(project_id: str, epoch_number: int) -> int:
    """The seed of one epoch's peer and penalty choices.

    Args:
        project_id: the project's stable identifier.
        epoch_number: the epoch's number within the project.

    Returns:
        The first 8 bytes of ``sha256("<project_id>:<epoch_number>")`` as an unsigned int.
    """
    digest = hashlib.sha256(f"{project_id}:{epoch_number}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _splitmix64(values: NDArray[np.uint64]) -> NDArray[np.uint64]:
    # numpy array arithmetic on uint64 wraps modulo 2^64, which is what SplitMix64 needs.
    z = values + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX_1
    z = (z ^ (z >> np.uint64(27))) * _MIX_2
    mixed: NDArray[np.uint64] = z ^ (z >> np.uint64(31))
    return mixed


def _draw(
    seed: int, draw: int, item: NDArray[np.int64], annotator: NDArray[np.int64]
) -> NDArray[np.uint64]:
    state = np.full(item.shape, (seed ^ draw) & 0xFFFFFFFFFFFFFFFF, dtype=np.uint64)
    state = _splitmix64(state ^ item.astype(np.uint64))
    return _splitmix64(state ^ annotator.astype(np.uint64))


def _pair_counts(
    item: NDArray[np.int64], value: NDArray[np.int64], n_classes: int
) -> NDArray[np.int64]:
    n_items = int(item.max()) + 1 if item.size else 0
    ones = np.ones(item.size, dtype=np.int64)
    counts = sparse.csr_matrix((ones, (item, value)), shape=(n_items, n_classes), dtype=np.int64)
    joint = np.asarray((counts.T @ counts).toarray(), dtype=np.int64)
    # Drop each label's pairing with itself: only pairs of different annotators count.
    joint -= np.diag(np.bincount(value, minlength=n_classes).astype(np.int64))
    return joint


def delta_matrix(
    item: NDArray[np.int64], value: NDArray[np.int64], n_classes: int
) -> NDArray[np.float64]:
    """Estimate Delta, the correlation of two annotators' labels on one item.

    Args:
        item: item index of each label, shape (n,).
        value: class of each label in ``0..n_classes-1``, shape (n,).
        n_classes: number of classes K.

    Returns:
        ``P(i, j) - P(i) P(j)`` over ordered pairs of labels on the same item,
        shape (K, K); all zeros when no item has two labels.
    """
    joint = _pair_counts(item, value, n_classes)
    total = int(joint.sum())
    if total == 0:
        return np.zeros((n_classes, n_classes), dtype=np.float64)
    p_joint = joint / total
    marginal = p_joint.sum(axis=1)
    delta: NDArray[np.float64] = p_joint - np.outer(marginal, marginal)
    return delta


def score_matrix(
    item: NDArray[np.int64], value: NDArray[np.int64], n_classes: int
) -> NDArray[np.int64]:
    """The Correlated Agreement score matrix ``S = [Delta > 0]``, decided exactly.

    The sign of ``Delta(i, j) = J(i, j)/N - r(i) r(j)/N²`` is the sign of
    ``J(i, j) N - r(i) r(j)`` in integers, so no rounding can flip an entry.

    Args:
        item: item index of each label, shape (n,).
        value: class of each label in ``0..n_classes-1``, shape (n,).
        n_classes: number of classes K.

    Returns:
        0/1 int64 matrix, shape (K, K).
    """
    joint = _pair_counts(item, value, n_classes).tolist()
    total = sum(sum(row) for row in joint)
    rows = [sum(row) for row in joint]
    return np.array(
        [
            [int(joint[i][j] * total > rows[i] * rows[j]) for j in range(n_classes)]
            for i in range(n_classes)
        ],
        dtype=np.int64,
    ).reshape(n_classes, n_classes)


def _groups(
    primary: NDArray[np.int64], secondary: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """Sort rows by (primary, secondary); per row give its group start, size and rank."""
    order = np.lexsort((secondary, primary)).astype(np.int64)
    sorted_key = primary[order]
    is_start = np.ones(sorted_key.size, dtype=bool)
    is_start[1:] = sorted_key[1:] != sorted_key[:-1]
    start_positions = np.flatnonzero(is_start)
    sizes = np.diff(np.append(start_positions, sorted_key.size))
    group_of_sorted = np.cumsum(is_start) - 1
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size, dtype=np.int64)
    start = start_positions[group_of_sorted][rank].astype(np.int64)
    size = sizes[group_of_sorted][rank].astype(np.int64)
    return order, start, size, rank


def _pick_other(
    order: NDArray[np.int64],
    start: NDArray[np.int64],
    size: NDArray[np.int64],
    rank: NDArray[np.int64],
    draw: NDArray[np.uint64],
) -> NDArray[np.int64]:
    """For each row, a row of the same group other than itself (groups of size >= 2)."""
    others = np.maximum(size - 1, 1).astype(np.uint64)
    offset = 1 + (draw % others).astype(np.int64)
    picked: NDArray[np.int64] = order[start + (rank - start + offset) % np.maximum(size, 1)]
    return picked


def _validate(
    item: NDArray[np.int64],
    annotator: NDArray[np.int64],
    value: NDArray[np.int64],
    n_annotators: int,
    n_classes: int,
) -> None:
    if not item.shape == annotator.shape == value.shape or item.ndim != 1:
        raise InvalidSettlementInput(
            f"item, annotator and value must be 1-d of one length, got shapes "
            f"{item.shape}, {annotator.shape}, {value.shape}",
            field="labels",
        )
    if n_classes < 1:
        raise InvalidSettlementInput(f"{n_classes} must be >= 1", field="n_classes")
    if item.size and item.min() < 0:
        raise InvalidSettlementInput("item indices must be >= 0", field="labels.item")
    if item.size and not 0 <= annotator.min() <= annotator.max() < n_annotators:
        raise InvalidSettlementInput(
            f"annotator indices must lie in 0..{n_annotators - 1}", field="labels.annotator"
        )
    if value.size and not 0 <= value.min() <= value.max() < n_classes:
        raise InvalidSettlementInput(f"values must lie in 0..{n_classes - 1}", field="labels.value")
    order = np.lexsort((annotator, item))
    repeated = (np.diff(item[order]) == 0) & (np.diff(annotator[order]) == 0)
    if repeated.any():
        first = order[1:][repeated][0]
        raise InvalidSettlementInput(
            f"annotator {annotator[first]} labelled item {item[first]} more than once",
            field="labels",
        )


def correlated_agreement(
    item: NDArray[np.int64],
    annotator: NDArray[np.int64],
    value: NDArray[np.int64],
    *,
    n_annotators: int,
    n_classes: int,
    seed: int,
) -> CorrelatedAgreementScores:
    """Score every annotator of an epoch with the Correlated Agreement mechanism.

    Every label is a bonus task when its item has another label and both its
    annotator and the chosen peer have labelled other items that make distinct
    penalty tasks; other labels are left unscored.

    Args:
        item: item index of each label, shape (n,).
        annotator: annotator index of each label in ``0..n_annotators-1``, shape (n,);
            at most one label per (item, annotator).
        value: class of each label in ``0..n_classes-1``, shape (n,).
        n_annotators: number of annotators.
        n_classes: number of classes K.
        seed: the epoch's seed (:func:`epoch_seed`).

    Returns:
        The scores, task counts, Delta and score matrix.

    Raises:
        InvalidSettlementInput: on mismatched shapes, indices out of range or a
            repeated (item, annotator) pair.
    """
    item = np.asarray(item, dtype=np.int64)
    annotator = np.asarray(annotator, dtype=np.int64)
    value = np.asarray(value, dtype=np.int64)
    _validate(item, annotator, value, n_annotators, n_classes)
    s = score_matrix(item, value, n_classes)
    delta = delta_matrix(item, value, n_classes)
    empty = CorrelatedAgreementScores(
        score=np.full(n_annotators, np.nan),
        n_tasks=np.zeros(n_annotators, dtype=np.int64),
        delta=delta,
        score_matrix=s,
    )
    if item.size == 0:
        return empty

    by_item = _groups(item, annotator)
    by_annotator = _groups(annotator, item)
    _, _, item_size, _ = by_item
    order_a, start_a, size_a, rank_a = by_annotator

    peer = _pick_other(*by_item, _draw(seed, _DRAW_PEER, item, annotator))
    own_penalty = _pick_other(*by_annotator, _draw(seed, _DRAW_OWN_PENALTY, item, annotator))
    # The peer's penalty task: another of the peer's rows, moved on by one when it
    # falls on the item of our own penalty task (the peer labels each item at most once).
    peer_draw = _draw(seed, _DRAW_PEER_PENALTY, item, annotator)
    peer_groups = (order_a, start_a[peer], size_a[peer], rank_a[peer])
    peer_penalty = _pick_other(*peer_groups, peer_draw)
    collides = item[peer_penalty] == item[own_penalty]
    peer_penalty = np.where(
        collides, _pick_other(*peer_groups, peer_draw + np.uint64(1)), peer_penalty
    )

    is_scored = (
        (item_size >= 2)
        & (size_a >= 2)
        & (size_a[peer] >= 2)
        & (item[peer_penalty] != item[own_penalty])
    )
    bonus = s[value, value[peer]]
    penalty = s[value[own_penalty], value[peer_penalty]]
    per_task = np.where(is_scored, bonus - penalty, 0)
    n_tasks = np.bincount(annotator, weights=is_scored, minlength=n_annotators).astype(np.int64)
    totals = np.bincount(annotator, weights=per_task, minlength=n_annotators)
    score = np.divide(totals, n_tasks, out=np.full(n_annotators, np.nan), where=n_tasks > 0)
    return CorrelatedAgreementScores(score=score, n_tasks=n_tasks, delta=delta, score_matrix=s)
