"""Scores of aggregated structured labels against gold answers.

Span scores follow the CoNLL convention (exact: same start, end and tag) and the
"partial" (overlap) match of MUC-style evaluations, counted as in Nguyen et al.
2017: a predicted span is partially right when it overlaps a gold span of its tag.
Box scores match predictions to gold boxes of the same class one-to-one by IoU with
the Hungarian algorithm (as COCO's matching, at one threshold).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from labelshare.quality.exceptions import QualityInputError

__all__ = [
    "BoxScores",
    "PrecisionRecall",
    "box_iou",
    "box_scores",
    "mean_absolute_error",
    "span_scores",
]


@dataclass(frozen=True)
class PrecisionRecall:
    """Precision, recall and F1 of a set of predictions.

    Attributes:
        precision: share of predictions that are right (1 when none were made).
        recall: share of gold answers found (1 when there were none).
        f1: harmonic mean of the two (0 when both are 0).
    """

    precision: float
    recall: float
    f1: float


def _pr(right_predicted: float, n_predicted: int, found: float, n_gold: int) -> PrecisionRecall:
    precision = right_predicted / n_predicted if n_predicted else 1.0
    recall = found / n_gold if n_gold else 1.0
    total = precision + recall
    return PrecisionRecall(precision, recall, 2 * precision * recall / total if total else 0.0)


def _paired(predicted: Mapping[Any, Any], gold: Mapping[Any, Any]) -> list[Any]:
    missing = [k for k in gold if k not in predicted]
    if missing:
        raise QualityInputError(f"predicted: no label for gold item {missing[0]!r}")
    return list(gold)


def span_scores(
    predicted: Mapping[Any, Sequence[Mapping[str, Any]]],
    gold: Mapping[Any, Sequence[Mapping[str, Any]]],
) -> tuple[PrecisionRecall, PrecisionRecall]:
    """Span-level precision, recall and F1 over the gold items, exact and partial.

    Args:
        predicted: item id -> spans ``{start, end, tag}``.
        gold: item id -> true spans.

    Returns:
        ``(exact, partial)`` scores.

    Raises:
        QualityInputError: a gold item has no prediction.
    """
    n_pred = n_gold = 0
    exact_hits = partial_pred = partial_gold = 0
    for item in _paired(predicted, gold):
        pred = {(s["start"], s["end"], s["tag"]) for s in predicted[item]}
        true = {(s["start"], s["end"], s["tag"]) for s in gold[item]}
        n_pred += len(pred)
        n_gold += len(true)
        exact_hits += len(pred & true)
        partial_pred += sum(
            any(p[2] == g[2] and p[0] < g[1] and g[0] < p[1] for g in true) for p in pred
        )
        partial_gold += sum(
            any(p[2] == g[2] and p[0] < g[1] and g[0] < p[1] for p in pred) for g in true
        )
    exact = _pr(exact_hits, n_pred, exact_hits, n_gold)
    partial = _pr(partial_pred, n_pred, partial_gold, n_gold)
    return exact, partial


def box_iou(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Pairwise intersection over union of two sets of ``(x, y, w, h)`` boxes.

    Args:
        a: ``(n, 4)`` boxes.
        b: ``(m, 4)`` boxes.

    Returns:
        ``(n, m)`` IoU in [0, 1].
    """
    ax1, ay1 = a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
    bx1, by1 = b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    iw = np.minimum(ax1[:, None], bx1[None, :]) - np.maximum(a[:, None, 0], b[None, :, 0])
    ih = np.minimum(ay1[:, None], by1[None, :]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.clip(iw, 0.0, None) * np.clip(ih, 0.0, None)
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None, :] - inter
    return np.asarray(np.divide(inter, union, out=np.zeros_like(inter), where=union > 0))


def boxes_array(boxes: Sequence[Mapping[str, Any]]) -> NDArray[np.float64]:
    """``(n, 4)`` float array of ``x, y, w, h`` of bbox values."""
    return np.array([[b["x"], b["y"], b["w"], b["h"]] for b in boxes], dtype=np.float64).reshape(
        -1, 4
    )


@dataclass(frozen=True)
class BoxScores:
    """Box detection quality against gold.

    Attributes:
        mean_iou: mean IoU of the matched (IoU >= threshold) prediction-gold pairs.
        at_threshold: precision, recall and F1 of matches at the IoU threshold.
        threshold: the IoU threshold, e.g. 0.5.
    """

    mean_iou: float
    at_threshold: PrecisionRecall
    threshold: float


def box_scores(
    predicted: Mapping[Any, Sequence[Mapping[str, Any]]],
    gold: Mapping[Any, Sequence[Mapping[str, Any]]],
    *,
    threshold: float = 0.5,
) -> BoxScores:
    """Match predicted to gold boxes per item and class (Hungarian on IoU) and score.

    Args:
        predicted: item id -> boxes ``{x, y, w, h, class}``.
        gold: item id -> true boxes.
        threshold: IoU at or above which a matched pair counts as found.

    Returns:
        The scores.

    Raises:
        QualityInputError: a gold item has no prediction.
    """
    n_pred = n_gold = hits = 0
    ious: list[float] = []
    for item in _paired(predicted, gold):
        n_pred += len(predicted[item])
        n_gold += len(gold[item])
        for name in {b["class"] for b in gold[item]}:
            true = boxes_array([b for b in gold[item] if b["class"] == name])
            pred = boxes_array([b for b in predicted[item] if b["class"] == name])
            if not pred.shape[0]:
                continue
            iou = box_iou(pred, true)
            rows, cols = linear_sum_assignment(-iou)
            matched = iou[rows, cols][iou[rows, cols] >= threshold]
            hits += matched.size
            ious.extend(matched.tolist())
    return BoxScores(
        mean_iou=float(np.mean(ious)) if ious else 0.0,
        at_threshold=_pr(hits, n_pred, hits, n_gold),
        threshold=threshold,
    )


def mean_absolute_error(predicted: Mapping[Any, float], gold: Mapping[Any, float]) -> float:
    """Mean absolute difference between predicted and gold ratings over the gold items.

    Args:
        predicted: item id -> rating.
        gold: item id -> true rating.

    Returns:
        The mean absolute error.

    Raises:
        QualityInputError: no gold items, or a gold item has no prediction.
    """
    items = _paired(predicted, gold)
    if not items:
        raise QualityInputError("gold: no items to score")
    return float(np.mean([abs(float(predicted[k]) - float(gold[k])) for k in items]))
