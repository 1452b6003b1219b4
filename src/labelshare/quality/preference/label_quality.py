"""Preference labels to per-label quality weights, annotator reliability and position bias.

Every pairwise label, and every pair of responses a ranking orders, becomes one answer
over the outcomes A / B / tie of a sub-task "response i against response j of item
t"; a Dawid–Skene model (A. P. Dawid and A. M. Skene, JRSS C 28(1), 1979) over those
answers gives each sub-task's posterior preference and each annotator's confusion
matrix. A label's quality weight is::

    weight = P(label correct | the other labels of its item)  x  informedness(annotator)

The first factor is the leave-one-out probability of ``loo_quality_weights`` (nobody
raises it by agreeing with themselves). The second is the annotator's informedness
(W. J. Youden, "Index for rating diagnostic tests", Cancer 3(1), 1950; D. M. W.
Powers, "Evaluation: from precision, recall and F-measure to ROC, informedness,
markedness and correlation", 2011), prior-weighted over the outcomes::

    J = sum_k prior_k * (P(answer k | truth k) - P(answer k | truth is not k))

clipped to [0, 1]: 1 for a perfect annotator, 0 for one whose answers do not depend on
the truth. An annotator who always picks the left response while the display order is
shuffled, always answers A, or answers at random therefore earns (close to) nothing,
even on the labels that happen to agree with the others.

The per-item model reads the choice only. A pairwise label's stated ``strength``
counts in the global scores instead: :func:`comparisons_from_values` turns it into the
judgement's weight (see there) for ``BradleyTerry`` and ``CrowdBT``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelshare.quality._matrix import LabelMatrix
from labelshare.quality.dawid_skene import DawidSkene
from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.preference._comparisons import Comparisons
from labelshare.quality.preference.position_bias import PositionBias, position_bias
from labelshare.quality.reliability import loo_quality_weights

__all__ = ["PreferenceQuality", "comparisons_from_values", "preference_quality"]

_DECIDED = ("A", "B")
_WITH_TIES = ("A", "B", "tie")


@dataclass(frozen=True)
class _PairAnswer:
    """One annotator's answer on response ``i`` against response ``j`` of an item."""

    label_row: int
    item: Hashable
    i: int
    j: int
    outcome: str
    shown_first: str | None
    strength: int | None = None


@dataclass(frozen=True, eq=False)
class PreferenceQuality:
    """What ``preference_quality`` returns.

    Attributes:
        label_weights: ``(n_labels,)`` quality weight of each label in [0, 1], in input
            order (the mean over a ranking's pairs): leave-one-out correctness times the
            annotator's informedness. This is the number rewards and shares use.
        loo_correct: ``(n_labels,)`` the leave-one-out factor alone.
        worker_ids: ``(n_workers,)`` annotator ids.
        reliability: ``(n_workers,)`` informedness in [0, 1] of each annotator.
        accuracy: ``(n_workers,)`` prior-weighted P(answer = truth) of each annotator.
        position_bias: per-annotator rate of choosing the response shown first.
        tasks: ``(item, i, j)`` of every sub-task: response ``i`` against ``j``.
        task_probas: ``(n_tasks, n_classes)`` posterior over ``classes`` per sub-task.
        classes: ``("A", "B")`` or, when some label is a tie, ``("A", "B", "tie")``;
            A means response ``i`` of the sub-task is better.
    """

    label_weights: NDArray[np.float64]
    loo_correct: NDArray[np.float64]
    worker_ids: NDArray[Any]
    reliability: NDArray[np.float64]
    accuracy: NDArray[np.float64]
    position_bias: PositionBias
    tasks: tuple[tuple[Hashable, int, int], ...]
    task_probas: NDArray[np.float64]
    classes: tuple[str, ...]


def _pair_answers(row: int, item: Hashable, value: Any) -> list[_PairAnswer]:
    """Split one canonical pairwise or ranking value into its pair answers."""
    field = f"values[{row}]"
    if isinstance(value, Mapping) and "choice" in value:
        choice = value["choice"]
        if choice not in _WITH_TIES:
            raise QualityInputError(f"{field}.choice: {choice!r} is not 'A', 'B' or 'tie'")
        shown = value.get("shown_first")
        if shown not in (None, *_DECIDED):
            raise QualityInputError(f"{field}.shown_first: {shown!r} is not 'A' or 'B'")
        strength = value.get("strength")
        if strength is not None and (
            isinstance(strength, bool) or not isinstance(strength, int) or strength < 1
        ):
            raise QualityInputError(f"{field}.strength: {strength!r} is not an integer >= 1")
        return [_PairAnswer(row, item, 0, 1, choice, shown, strength)]
    order = value.get("order") if isinstance(value, Mapping) else value
    if not isinstance(order, Sequence) or isinstance(order, str) or len(order) < 2:
        raise QualityInputError(
            f"{field}: expected a pairwise value with a choice or a ranking with an order"
        )
    rank = {response: place for place, response in enumerate(order)}
    if sorted(rank) != list(range(len(order))):
        raise QualityInputError(f"{field}.order: {list(order)!r} is not a permutation of 0..n-1")
    shown_order = value.get("shown_order") if isinstance(value, Mapping) else None
    shown_at = None
    if shown_order is not None:
        shown_at = {response: place for place, response in enumerate(shown_order)}
        if sorted(shown_at) != sorted(rank):
            raise QualityInputError(f"{field}.shown_order: is not a permutation of the order")
    answers = []
    for i in range(len(order)):
        for j in range(i + 1, len(order)):
            shown = None
            if shown_at is not None:
                shown = "A" if shown_at[i] < shown_at[j] else "B"
            outcome = "A" if rank[i] < rank[j] else "B"
            answers.append(_PairAnswer(row, item, i, j, outcome, shown))
    return answers


def _split(
    items: Sequence[Hashable], annotators: Sequence[Hashable], values: Sequence[Any]
) -> list[_PairAnswer]:
    if not len(items) == len(annotators) == len(values):
        raise QualityInputError(
            f"items/annotators/values: lengths differ "
            f"({len(items)}, {len(annotators)}, {len(values)})"
        )
    if not values:
        raise QualityInputError("values: no labels given")
    answers: list[_PairAnswer] = []
    for row, (item, value) in enumerate(zip(items, values, strict=True)):
        answers.extend(_pair_answers(row, item, value))
    return answers


def informedness(
    confusions: NDArray[np.float64], priors: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Prior-weighted informedness of each worker's confusion matrix, clipped to [0, 1].

    Args:
        confusions: ``(n_workers, K, K)``, ``[w, k, l]`` = P(w answers l | truth k).
        priors: ``(K,)`` class prior.

    Returns:
        ``(n_workers,)``; 0 when the answers do not depend on the truth.
    """
    hits = np.einsum("wkk->wk", confusions)
    # P(answer k | truth is not k): the other rows of column k, weighted by their prior.
    others = np.einsum("j,wjk->wk", priors, confusions) - priors * hits
    rest = 1.0 - priors
    false_rate = np.divide(others, rest, out=np.zeros_like(others), where=rest > 1e-12)
    return np.asarray(
        np.clip(((hits - false_rate) * priors).sum(axis=1), 0.0, 1.0), dtype=np.float64
    )


def preference_quality(
    items: Sequence[Hashable],
    annotators: Sequence[Hashable],
    values: Sequence[Any],
    *,
    smoothing: float = 1.0,
    n_iter: int = 200,
    tol: float = 1e-6,
) -> PreferenceQuality:
    """Quality weights of preference labels and the reliability of their annotators.

    One row per label, as stored: which item, who labelled it, and its canonical value
    (a ``pairwise`` value ``{"choice", "shown_first"?, ...}`` or a ``ranking`` value
    ``{"order", "shown_order"?}``, see ``labelshare.schema``). Deterministic: the same
    labels give the same weights, bit for bit.

    Args:
        items: item id of each label.
        annotators: annotator id of each label (one label per annotator and item).
        values: canonical value of each label.
        smoothing: Dirichlet pseudo-count per confusion cell of the Dawid–Skene model;
            keeps an annotator with few labels from looking perfect or useless.
        n_iter: EM iteration cap (``ConvergenceWarning`` when reached).
        tol: EM tolerance.

    Returns:
        A :class:`PreferenceQuality`.

    Raises:
        QualityInputError: lengths differ, no labels, a value is neither pairwise nor a
            ranking, or an annotator labelled the same item twice.
    """
    answers = _split(items, annotators, values)
    keys: dict[tuple[Hashable, int, int], int] = {}
    task_codes = np.fromiter(
        (keys.setdefault((a.item, a.i, a.j), len(keys)) for a in answers),
        dtype=np.int64,
        count=len(answers),
    )
    outcomes = [a.outcome for a in answers]
    classes = _WITH_TIES if "tie" in outcomes else _DECIDED
    workers = [annotators[a.label_row] for a in answers]
    matrix = LabelMatrix.from_arrays(task_codes, workers, outcomes, classes=classes)
    model = DawidSkene(smoothing=smoothing, n_iter=n_iter, tol=tol).fit(matrix)
    loo_sorted = loo_quality_weights(model, matrix)
    reliability = informedness(model.confusions_, model.priors_)
    loo = np.empty(matrix.n_labels)
    loo[matrix.source_rows] = loo_sorted
    worker_codes = np.empty(matrix.n_labels, dtype=np.int64)
    worker_codes[matrix.source_rows] = matrix.workers
    rows = np.fromiter((a.label_row for a in answers), dtype=np.int64, count=len(answers))
    n_labels = len(values)
    per_label = np.bincount(rows, minlength=n_labels).astype(np.float64)
    loo_mean = np.bincount(rows, weights=loo, minlength=n_labels) / per_label
    weight_mean = (
        np.bincount(rows, weights=loo * reliability[worker_codes], minlength=n_labels) / per_label
    )
    diagonal = np.einsum("wkk->wk", model.confusions_)
    bias = position_bias(
        Comparisons.from_arrays(
            2 * task_codes,
            2 * task_codes + 1,
            outcomes,
            workers=worker_codes,
            shown_first=[a.shown_first for a in answers],
        )
    )
    # Comparisons coded workers 0..W-1 in the matrix's order; give them their ids back.
    bias = dataclasses.replace(bias, worker_ids=matrix.worker_ids)
    task_ids = matrix.task_ids.astype(np.int64)
    ordered_keys = list(keys)
    return PreferenceQuality(
        label_weights=weight_mean,
        loo_correct=loo_mean,
        worker_ids=matrix.worker_ids,
        reliability=reliability,
        accuracy=(diagonal * model.priors_).sum(axis=1),
        position_bias=bias,
        tasks=tuple(ordered_keys[code] for code in task_ids.tolist()),
        task_probas=model.probas_,
        classes=classes,
    )


def comparisons_from_values(
    items: Sequence[Hashable],
    annotators: Sequence[Hashable],
    values: Sequence[Any],
    *,
    response_objects: Mapping[Any, Sequence[Hashable]] | None = None,
    max_strength: int | None = None,
) -> Comparisons:
    """Judgements between the objects behind responses, from pairwise and ranking labels.

    A pairwise label's ``strength`` (1..max_strength) sets its judgement's weight, so
    that a clearer preference counts as more evidence in ``BradleyTerry`` and
    ``CrowdBT``::

        weight = strength / mid,   mid = (max_strength + 1) / 2

    A preference of middle strength, or with no strength stated (ties, ranking pairs,
    labels without one), counts as one judgement; on the default 1..3 scale strength 1
    counts half and strength 3 one and a half. The weight scales the judgement's
    log-likelihood, as if it had been given that many times; the mean weight of
    strengths spread evenly over the scale is 1, so the strengths shift the scores
    without inflating the evidence overall.

    Args:
        items: item id of each label.
        annotators: annotator id of each label.
        values: canonical pairwise or ranking value of each label.
        response_objects: item id -> the object of each response (e.g. the model that
            wrote it), to rank models across items; by default each response is its
            own object ``"<item>#<index>"``.
        max_strength: the schema's highest strength; needed when a label states one.

    Returns:
        The judgements (a ranking gives one per pair of its responses), weighted by
        strength.

    Raises:
        QualityInputError: as ``preference_quality``, an item missing from
            ``response_objects`` or with too few objects for its responses, or a
            strength without ``max_strength`` or above it.
    """
    answers = _split(items, annotators, values)
    weights = _strength_weights(answers, max_strength)
    first: list[Hashable] = []
    second: list[Hashable] = []
    for answer in answers:
        if response_objects is None:
            first.append(f"{answer.item}#{answer.i}")
            second.append(f"{answer.item}#{answer.j}")
            continue
        objects = response_objects.get(answer.item)
        if objects is None or len(objects) <= answer.j:
            raise QualityInputError(
                f"response_objects: item {answer.item!r} lacks an object for response {answer.j}"
            )
        first.append(objects[answer.i])
        second.append(objects[answer.j])
    return Comparisons.from_arrays(
        first,
        second,
        [a.outcome for a in answers],
        workers=[annotators[a.label_row] for a in answers],
        shown_first=[a.shown_first for a in answers],
        weights=weights,
    )


def _strength_weights(
    answers: Sequence[_PairAnswer], max_strength: int | None
) -> NDArray[np.float64]:
    """Each answer's weight: its strength over the scale's middle, 1 without one."""
    weights = np.ones(len(answers), dtype=np.float64)
    stated = [(k, a) for k, a in enumerate(answers) if a.strength is not None]
    if not stated:
        return weights
    if isinstance(max_strength, bool) or not isinstance(max_strength, int) or max_strength < 1:
        raise QualityInputError(
            f"max_strength: labels state a strength, so the scale's top is needed "
            f"(an integer >= 1), got {max_strength!r}"
        )
    mid = (max_strength + 1) / 2.0
    for k, answer in stated:
        strength = int(answer.strength or 0)
        if strength > max_strength:
            raise QualityInputError(
                f"values[{answer.label_row}].strength: {strength} is above {max_strength}"
            )
        weights[k] = strength / mid
    return weights
