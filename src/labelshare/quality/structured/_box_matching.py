"""Matching of annotators' boxes into clusters (one object each), and box geometry.

For each image, annotators' boxes are taken in canonical annotator order; each
annotator's boxes are matched one-to-one to the clusters built so far (same class
only) by the Hungarian algorithm on IoU with the cluster's mean box
(``scipy.optimize.linear_sum_assignment``, H. W. Kuhn, "The Hungarian method for the
assignment problem", 1955); a pair below ``match_iou`` is no match and the box
starts a new cluster. A cluster holds at most one box per annotator.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.structured._base import EncodedRows
from labelshare.quality.structured.evaluation import box_iou

__all__ = ["Clusters", "aligned_iou", "to_xywh"]


class Clusters:
    """The matching of one set of box annotations, as flat arrays.

    Attributes:
        corners: ``(n_boxes, 4)`` x0, y0, x1, y1 of every box, rows in canonical order.
        box_row, box_cluster: ``(n_boxes,)`` row and cluster of each box.
        cluster_item, cluster_class: ``(n_clusters,)`` image and class index.
        pair_cluster, pair_row: every (cluster, row of the same image) pair: the row's
            annotator saw the cluster's object, boxed or not.
        pair_box: ``(n_pairs,)`` the box the row drew in the cluster, or -1.
    """

    def __init__(self, encoded: EncodedRows, classes: tuple[str, ...], match_iou: float):
        """Match the boxes of every image.

        Args:
            encoded: the rows; values are bbox values.
            classes: the schema's classes.
            match_iou: least IoU of a match.

        Raises:
            QualityInputError: a malformed box or an unknown class.
        """
        coords: list[list[float]] = []
        box_row: list[int] = []
        box_cluster: list[int] = []
        cluster_item: list[int] = []
        cluster_class: list[int] = []
        position = {name: k for k, name in enumerate(classes)}
        current = -1
        refs = np.zeros((0, 4))
        sizes = np.zeros(0)
        ref_class = np.zeros(0, dtype=np.int64)
        first = 0
        for r, (item, value) in enumerate(zip(encoded.index.tasks, encoded.values, strict=True)):
            if item != current:
                current, first = int(item), len(cluster_item)
                refs, sizes, ref_class = np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=np.int64)
            boxes, names = read_boxes(value, position)
            target = np.full(boxes.shape[0], -1, dtype=np.int64)
            if boxes.shape[0] and refs.shape[0]:
                iou = box_iou(boxes, to_xywh(refs / sizes[:, None]))
                iou[names[:, None] != ref_class[None, :]] = 0.0
                rows, cols = linear_sum_assignment(-iou)
                good = iou[rows, cols] >= match_iou
                target[rows[good]] = cols[good]
            new = np.flatnonzero(target < 0)
            target[new] = refs.shape[0] + np.arange(new.size)
            refs = np.vstack([refs, np.zeros((new.size, 4))])
            sizes = np.concatenate([sizes, np.zeros(new.size)])
            ref_class = np.concatenate([ref_class, names[new]])
            corners = to_corners(boxes)
            np.add.at(refs, target, corners)
            np.add.at(sizes, target, 1.0)
            cluster_item.extend([current] * new.size)
            cluster_class.extend(names[new].tolist())
            coords.extend(corners.tolist())
            box_row.extend([r] * boxes.shape[0])
            box_cluster.extend((first + target).tolist())
        self.corners = np.asarray(coords, dtype=np.float64).reshape(-1, 4)
        self.box_row = np.asarray(box_row, dtype=np.int64)
        self.box_cluster = np.asarray(box_cluster, dtype=np.int64)
        self.cluster_item = np.asarray(cluster_item, dtype=np.int64)
        self.cluster_class = np.asarray(cluster_class, dtype=np.int64)
        # Pairs (cluster, row of the same item): the row's annotator saw the cluster.
        n_items = encoded.index.n_tasks
        row_count = np.bincount(encoded.index.tasks, minlength=n_items)
        row_start = np.concatenate(([0], np.cumsum(row_count)))[:-1]
        per_cluster = row_count[self.cluster_item]
        self.pair_cluster = np.repeat(np.arange(self.cluster_item.size), per_cluster)
        within = np.arange(self.pair_cluster.size) - np.repeat(
            np.cumsum(per_cluster) - per_cluster, per_cluster
        )
        self.pair_row = row_start[self.cluster_item][self.pair_cluster] + within
        n_rows = encoded.n_rows
        box_key = self.box_cluster * n_rows + self.box_row
        pair_key = self.pair_cluster * n_rows + self.pair_row
        self.pair_box = np.full(pair_key.size, -1, dtype=np.int64)
        self.pair_box[np.searchsorted(pair_key, box_key)] = np.arange(box_key.size)


def read_boxes(
    value: Any, position: dict[str, int]
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """``(n, 4)`` x, y, w, h and ``(n,)`` class indices of one bbox value."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise QualityInputError(f"value: expected a list of boxes, got {value!r}")
    coords, names = [], []
    for box in value:
        try:
            coords.append([float(box[key]) for key in ("x", "y", "w", "h")])
            name = box["class"]
        except (TypeError, KeyError, ValueError) as exc:
            raise QualityInputError(f"value: bad box {box!r}, need x, y, w, h, class") from exc
        if name not in position:
            raise QualityInputError(f"value: class {name!r} is not one of {list(position)}")
        if coords[-1][2] <= 0 or coords[-1][3] <= 0:
            raise QualityInputError(f"value: box {box!r} has a non-positive size")
        names.append(position[name])
    return np.asarray(coords, dtype=np.float64).reshape(-1, 4), np.asarray(names, dtype=np.int64)


def to_corners(xywh: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(n, 4)`` x, y, w, h -> x0, y0, x1, y1."""
    return np.column_stack([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]])


def to_xywh(corners: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(n, 4)`` x0, y0, x1, y1 -> x, y, w, h."""
    return np.column_stack([corners[:, :2], corners[:, 2:] - corners[:, :2]])


def area(corners: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(n,)`` areas of corner boxes."""
    return np.asarray((corners[:, 2] - corners[:, 0]) * (corners[:, 3] - corners[:, 1]))


def aligned_iou(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """IoU of ``a[k]`` with ``b[k]`` for corner boxes ``(n, 4)``."""
    iw = np.clip(np.minimum(a[:, 2], b[:, 2]) - np.maximum(a[:, 0], b[:, 0]), 0.0, None)
    ih = np.clip(np.minimum(a[:, 3], b[:, 3]) - np.maximum(a[:, 1], b[:, 1]), 0.0, None)
    inter = iw * ih
    union = area(a) + area(b) - inter
    return np.asarray(np.divide(inter, union, out=np.zeros_like(inter), where=union > 0))
