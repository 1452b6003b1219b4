"""Box aggregation: cross-annotator matching, reliability-weighted fusion, existence by EM.

1. Matching (``_box_matching``): per image and class, each annotator's boxes are
   matched one-to-one to the clusters of the annotators before it by the Hungarian
   algorithm on IoU; a box with no match of IoU >= ``match_iou`` starts a cluster.
2. Existence. Every annotator who labelled the image saw every cluster: it drew a
   box there or not. Annotator w draws a box on a real object with probability
   ``recall_w`` and on a spurious cluster with probability ``phi_w``; a cluster's
   posterior of being real combines these votes with the prior share of real
   clusters, and EM alternates that posterior with Beta-smoothed estimates of
   ``recall_w``, ``phi_w`` and the prior (the two-coin model of Raykar et al. 2010
   applied to cluster existence). Clusters with posterior above 0.5 are kept.
3. Fusion. A kept cluster's box is the mean of its boxes' corners weighted by the
   annotators' reliability (weighted box fusion: R. Solovyev, W. Wang and T.
   Gabruseva, "Weighted boxes fusion", Image and Vision Computing 107, 2021).

Reliability = localisation (mean IoU of the annotator's boxes with the fused box,
weighted by the cluster's existence) times the F1 of its detection (1 - miss rate,
1 - false-positive rate).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from labelshare.quality._base import check_nonnegative, check_positive_int
from labelshare.quality.exceptions import ConvergenceWarning, QualityInputError
from labelshare.quality.structured._base import (
    EncodedRows,
    StructuredAggregator,
    check_names,
    encode_rows,
)
from labelshare.quality.structured._box_matching import Clusters, aligned_iou, to_xywh

__all__ = ["BoxAggregator"]

_METHODS = ("em", "majority")
# Beta pseudo-counts (hit, miss) for recall and false-positive rate, and the IoU
# assumed before an annotator's boxes are seen: weak, so a few boxes already dominate.
_RECALL_PRIOR = (2.0, 1.0)
_FALSE_POSITIVE_PRIOR = (1.0, 2.0)
_LOCALISATION_PRIOR = (1.0, 0.5)
# Probabilities are kept this far from 0 and 1 so that every log-odds stays finite.
_EPS = 1e-6


class BoxAggregator(StructuredAggregator):
    """Boxes by IoU matching, existence EM over annotators' recall and false positives,
    and reliability-weighted box fusion (see the module docstring).

    ``confidence_`` of an image is the mean, over its clusters, of the probability
    that the keep-or-drop decision is right (1 for an image no one boxed). A label's
    quality weight judges it against the result of the other annotators: each own box
    earns the other annotators' fused box's IoU with it times the posterior, without
    the label's vote, that the cluster is real; each real cluster it missed costs that
    posterior; weight = credit / (own boxes + expected misses), 1 when both are zero.
    (The matching into clusters is done once with every annotator's boxes; the fused
    box and the existence posterior are the ones that leave the label out.)
    ``method="majority"`` is the baseline: a cluster is kept when more than half of
    the image's annotators drew it, boxes averaged unweighted, no iterations.

    Args:
        classes: the schema's classes.
        method: ``"em"`` or ``"majority"``.
        match_iou: least IoU for two annotators' boxes to be the same object, in (0, 1].
        n_iter: iteration cap of the EM.
        tol: stop when no cluster's existence posterior moves by more than this.

    Attributes:
        box_confidences_: per image, the existence posterior of each kept box.
        localisation_: ``(n_workers,)`` mean IoU of each annotator's boxes with the
            fused boxes.
        miss_rate_: ``(n_workers,)`` 1 - recall: share of real objects not boxed.
        false_positive_rate_: ``(n_workers,)`` expected share of an annotator's boxes
            on clusters that are not real.
        skills_: ``localisation_ * F1(1 - miss_rate_, 1 - false_positive_rate_)``.
        item_ids_, labels_ (box lists), confidence_, worker_ids_, quality_weights_,
        n_iter_: see :mod:`labelshare.quality.structured._base`.
    """

    box_confidences_: list[list[float]]
    localisation_: NDArray[np.float64]
    miss_rate_: NDArray[np.float64]
    false_positive_rate_: NDArray[np.float64]

    def __init__(
        self,
        *,
        classes: Sequence[str],
        method: str = "em",
        match_iou: float = 0.4,
        n_iter: int = 200,
        tol: float = 1e-4,
    ) -> None:
        self.classes = classes
        self.method = method
        self.match_iou = match_iou
        self.n_iter = n_iter
        self.tol = tol

    def fit(self, rows: Sequence[Any]) -> Self:
        """Aggregate box annotations (values: lists of ``{x, y, w, h, class}``).

        Args:
            rows: ``(item, annotator, value, payload)`` rows (the payload is not needed).

        Returns:
            self.

        Raises:
            QualityInputError: bad hyperparameters or rows, or a box with an unknown
                class or a non-positive size.
        """
        self._forget()
        classes = check_names(self.classes, "classes")
        if self.method not in _METHODS:
            raise QualityInputError(f"method: unknown {self.method!r}, expected one of {_METHODS}")
        match_iou = check_nonnegative(self.match_iou, "match_iou", strict=True)
        if match_iou > 1:
            raise QualityInputError(f"match_iou: must be in (0, 1], got {self.match_iou!r}")
        n_iter = check_positive_int(self.n_iter, "n_iter")
        tol = check_nonnegative(self.tol, "tol")
        encoded = encode_rows(rows)
        cl = Clusters(encoded, classes, match_iou)
        W = encoded.index.n_workers
        pair_worker = encoded.index.workers[cl.pair_row]
        has = (cl.pair_box >= 0).astype(np.float64)
        box_worker = encoded.index.workers[cl.box_row]
        n_clusters = cl.cluster_item.size
        seen = np.bincount(cl.pair_cluster, minlength=n_clusters)
        drawn = np.bincount(cl.pair_cluster, weights=has, minlength=n_clusters)
        exists = drawn / np.maximum(seen, 1)
        if self.method == "majority":
            exists = (exists > 0.5).astype(np.float64)
        weight = np.ones(W)
        recall, phi, prior = np.full(W, 0.8), np.full(W, 0.2), 0.5
        iterations, converged = 0, self.method == "majority"
        log_odds = np.zeros(n_clusters)
        while not converged and iterations < n_iter:
            iterations += 1
            recall, phi, prior = _m_step(exists, has, cl.pair_cluster, pair_worker, W)
            log_odds = _log_odds(recall, phi, prior, has, cl.pair_cluster, pair_worker, n_clusters)
            new = expit(log_odds)
            fused = _fuse(cl, weight[box_worker], n_clusters)
            loc = _localisation(cl, fused, new, box_worker, W)
            weight = np.maximum(_skills(loc, recall, new, cl, box_worker, W), _EPS)
            converged = float(np.max(np.abs(new - exists), initial=0.0)) < tol
            exists = new
        if not converged:
            warnings.warn(
                f"BoxAggregator stopped at n_iter={n_iter} before the existence "
                f"posteriors moved by less than tol={tol}",
                ConvergenceWarning,
                stacklevel=2,
            )
        if self.method == "majority":
            own = np.zeros(has.size)
        else:
            # The label's own vote, as it entered the final log-odds.
            own = np.where(
                has > 0,
                np.log(recall / phi)[pair_worker],
                np.log((1 - recall) / (1 - phi))[pair_worker],
            )
        fused = _fuse(cl, weight[box_worker], n_clusters)
        loc = _localisation(cl, fused, exists, box_worker, W)
        self._publish_boxes(encoded, cl, classes, fused, exists, iterations)
        self.localisation_ = loc
        self.miss_rate_ = 1.0 - _recall_of(exists, has, cl.pair_cluster, pair_worker, W)
        self.false_positive_rate_ = _false_positive_share(cl, exists, box_worker, W)
        skills = _skills(loc, 1.0 - self.miss_rate_, exists, cl, box_worker, W)
        loo_exists = self._loo_exists(exists, log_odds, own, cl, has, pair_worker, seen)
        weights = _loo_weights(cl, weight[box_worker], loo_exists, has, encoded.n_rows)
        self._publish_common(
            encoded,
            labels=self.labels_,
            confidence=self.confidence_,
            skills=skills,
            weights=weights,
            n_iter=iterations,
        )
        return self

    def _loo_exists(
        self,
        exists: NDArray[np.float64],
        log_odds: NDArray[np.float64],
        own: NDArray[np.float64],
        cl: Clusters,
        has: NDArray[np.float64],
        pair_worker: NDArray[np.int64],
        seen: NDArray[np.int64],
    ) -> NDArray[np.float64]:
        """Per (cluster, row) pair, the cluster's existence posterior without that row."""
        if self.method == "em":
            return np.asarray(expit(log_odds[cl.pair_cluster] - own), dtype=np.float64)
        drawn = np.bincount(cl.pair_cluster, weights=has, minlength=seen.size)
        others = seen[cl.pair_cluster] - 1
        share = (drawn[cl.pair_cluster] - has) / np.maximum(others, 1)
        return np.where(others > 0, (share > 0.5).astype(np.float64), 0.5)

    def _publish_boxes(
        self,
        encoded: EncodedRows,
        cl: Clusters,
        classes: tuple[str, ...],
        fused: NDArray[np.float64],
        exists: NDArray[np.float64],
        iterations: int,
    ) -> None:
        n_items = encoded.index.n_tasks
        labels: list[list[dict[str, Any]]] = [[] for _ in range(n_items)]
        confidences: list[list[float]] = [[] for _ in range(n_items)]
        xywh = to_xywh(fused)
        for j in np.flatnonzero(exists > 0.5):
            i = int(cl.cluster_item[j])
            x, y, w, h = (_number(v) for v in xywh[j])
            labels[i].append(
                {"x": x, "y": y, "w": w, "h": h, "class": classes[cl.cluster_class[j]]}
            )
            confidences[i].append(float(exists[j]))
        pairs = [
            sorted(zip(b, c, strict=True), key=_sort_key)
            for b, c in zip(labels, confidences, strict=True)
        ]
        self.labels_ = [[box for box, _ in item] for item in pairs]
        self.box_confidences_ = [[conf for _, conf in item] for item in pairs]
        right = np.maximum(exists, 1.0 - exists)
        total = np.bincount(cl.cluster_item, weights=right, minlength=n_items)
        count = np.bincount(cl.cluster_item, minlength=n_items)
        self.confidence_ = np.divide(total, count, out=np.ones(n_items), where=count > 0)


def _m_step(
    exists: NDArray[np.float64],
    has: NDArray[np.float64],
    pair_cluster: NDArray[np.int64],
    pair_worker: NDArray[np.int64],
    W: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Beta-smoothed recall and false-positive rate per annotator, and the prior."""
    p = exists[pair_cluster]
    a, b = _RECALL_PRIOR
    hits = np.bincount(pair_worker, weights=p * has, minlength=W)
    recall = (hits + a) / (np.bincount(pair_worker, weights=p, minlength=W) + a + b)
    a, b = _FALSE_POSITIVE_PRIOR
    fake = np.bincount(pair_worker, weights=(1 - p) * has, minlength=W)
    phi = (fake + a) / (np.bincount(pair_worker, weights=1 - p, minlength=W) + a + b)
    prior = float(exists.mean()) if exists.size else 0.5
    return (
        np.clip(recall, _EPS, 1 - _EPS),
        np.clip(phi, _EPS, 1 - _EPS),
        min(max(prior, _EPS), 1 - _EPS),
    )


def _recall_of(
    exists: NDArray[np.float64],
    has: NDArray[np.float64],
    pair_cluster: NDArray[np.int64],
    pair_worker: NDArray[np.int64],
    W: int,
) -> NDArray[np.float64]:
    return _m_step(exists, has, pair_cluster, pair_worker, W)[0]


def _log_odds(
    recall: NDArray[np.float64],
    phi: NDArray[np.float64],
    prior: float,
    has: NDArray[np.float64],
    pair_cluster: NDArray[np.int64],
    pair_worker: NDArray[np.int64],
    n_clusters: int,
) -> NDArray[np.float64]:
    """Per cluster, the log-odds of being real given every vote (box or no box)."""
    vote = np.where(
        has > 0,
        np.log(recall / phi)[pair_worker],
        np.log((1 - recall) / (1 - phi))[pair_worker],
    )
    votes = np.bincount(pair_cluster, weights=vote, minlength=n_clusters)
    return np.asarray(np.log(prior / (1 - prior)) + votes, dtype=np.float64)


def _fuse(cl: Clusters, box_weight: NDArray[np.float64], n_clusters: int) -> NDArray[np.float64]:
    """Reliability-weighted mean corners of every cluster."""
    total = np.bincount(cl.box_cluster, weights=box_weight, minlength=n_clusters)
    sums = np.column_stack(
        [
            np.bincount(cl.box_cluster, weights=box_weight * cl.corners[:, k], minlength=n_clusters)
            for k in range(4)
        ]
    ).reshape(n_clusters, 4)
    return np.asarray(sums / np.maximum(total, _EPS)[:, None], dtype=np.float64)


def _localisation(
    cl: Clusters,
    fused: NDArray[np.float64],
    exists: NDArray[np.float64],
    box_worker: NDArray[np.int64],
    W: int,
) -> NDArray[np.float64]:
    """Per annotator, the existence-weighted mean IoU of its boxes with the fused ones."""
    iou = aligned_iou(cl.corners, fused[cl.box_cluster])
    p = exists[cl.box_cluster]
    n, mean = _LOCALISATION_PRIOR
    num = np.bincount(box_worker, weights=p * iou, minlength=W) + n * mean
    return np.asarray(num / (np.bincount(box_worker, weights=p, minlength=W) + n))


def _false_positive_share(
    cl: Clusters, exists: NDArray[np.float64], box_worker: NDArray[np.int64], W: int
) -> NDArray[np.float64]:
    """Per annotator, the Beta-smoothed expected share of its boxes on unreal clusters."""
    a, b = _FALSE_POSITIVE_PRIOR
    fake = np.bincount(box_worker, weights=1 - exists[cl.box_cluster], minlength=W)
    return np.asarray((fake + a) / (np.bincount(box_worker, minlength=W) + a + b))


def _skills(
    loc: NDArray[np.float64],
    recall: NDArray[np.float64],
    exists: NDArray[np.float64],
    cl: Clusters,
    box_worker: NDArray[np.int64],
    W: int,
) -> NDArray[np.float64]:
    precision = 1.0 - _false_positive_share(cl, exists, box_worker, W)
    f1 = 2 * recall * precision / np.maximum(recall + precision, _EPS)
    return np.asarray(loc * f1, dtype=np.float64)


def _loo_weights(
    cl: Clusters,
    box_weight: NDArray[np.float64],
    loo_exists: NDArray[np.float64],
    has: NDArray[np.float64],
    n_rows: int,
) -> NDArray[np.float64]:
    """Per row, credit of its boxes over (own boxes + expected misses), without the row."""
    n_clusters = cl.cluster_item.size
    total = np.bincount(cl.box_cluster, weights=box_weight, minlength=n_clusters)
    sums = _fuse(cl, box_weight, n_clusters) * np.maximum(total, _EPS)[:, None]
    with_box = np.flatnonzero(has > 0)
    b = cl.pair_box[with_box]
    j = cl.pair_cluster[with_box]
    rest = total[j] - box_weight[b]
    # The fused box of the other annotators' boxes; none when the box is alone.
    others = (sums[j] - box_weight[b, None] * cl.corners[b]) / np.maximum(rest, _EPS)[:, None]
    iou = np.where(rest > _EPS * 10, aligned_iou(cl.corners[b], others), 0.0)
    credit = np.zeros(has.size)
    credit[with_box] = loo_exists[with_box] * iou
    missed = np.where(has > 0, 0.0, loo_exists)
    numerator = np.bincount(cl.pair_row, weights=credit, minlength=n_rows)
    own_boxes = np.bincount(cl.box_row, minlength=n_rows)
    denominator = own_boxes + np.bincount(cl.pair_row, weights=missed, minlength=n_rows)
    return np.asarray(
        np.divide(numerator, denominator, out=np.ones(n_rows), where=denominator > _EPS),
        dtype=np.float64,
    )


def _number(value: float) -> float | int:
    """A coordinate rounded to 0.01 pixel; integral ones as ints (the schema's form)."""
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


def _sort_key(pair: tuple[dict[str, Any], float]) -> tuple[float, float, float, float, str]:
    box = pair[0]
    return (box["x"], box["y"], box["w"], box["h"], box["class"])
