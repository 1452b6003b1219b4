"""Adaptive redundancy: whether an item needs another label."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp

from labelshare.quality._base import EPS
from labelshare.quality.exceptions import QualityInputError

__all__ = ["item_posterior", "needs_more"]


def item_posterior(
    labels: ArrayLike,
    workers: ArrayLike,
    *,
    confusions: ArrayLike,
    priors: ArrayLike,
) -> NDArray[np.float64]:
    """Posterior over the true class of one item from its labels so far.

    Uses fixed worker confusions (e.g. ``confusions_`` of the last epoch's fit) so the
    assignment service can update an item after every label without refitting.

    Args:
        labels: ``(n,)`` class index of each label of the item.
        workers: ``(n,)`` worker index (into ``confusions``) of each label.
        confusions: ``(n_workers, K, K)``, ``[w, k, l]`` = P(w answers l | truth k).
        priors: ``(K,)`` class prior.

    Returns:
        ``(K,)`` posterior, summing to one.

    Raises:
        QualityInputError: shapes disagree or an index is out of range.
    """
    conf = np.asarray(confusions, dtype=np.float64)
    prior = np.asarray(priors, dtype=np.float64)
    y = np.asarray(labels, dtype=np.int64).ravel()
    w = np.asarray(workers, dtype=np.int64).ravel()
    if conf.ndim != 3 or conf.shape[1] != conf.shape[2] or prior.shape != (conf.shape[1],):
        raise QualityInputError("confusions/priors: expected (n_workers, K, K) and (K,)")
    if y.shape != w.shape:
        raise QualityInputError("labels/workers: lengths differ")
    if y.size and (
        y.min() < 0 or y.max() >= conf.shape[1] or w.min() < 0 or w.max() >= conf.shape[0]
    ):
        raise QualityInputError("labels/workers: index out of range")
    log_post = np.log(np.maximum(prior, EPS)) + np.log(np.maximum(conf[w, :, y], EPS)).sum(axis=0)
    return np.asarray(np.exp(log_post - logsumexp(log_post)), dtype=np.float64)


def needs_more(
    posterior: ArrayLike,
    n_labels: ArrayLike,
    *,
    min_redundancy: int,
    max_redundancy: int,
    confidence: float = 0.95,
) -> NDArray[np.bool_]:
    """Whether to ask for another label, per item.

    Rule: below ``min_redundancy`` labels always ask; at ``max_redundancy`` never;
    in between ask while the item's most probable class has posterior below
    ``confidence``. Confident items stop early and contested ones get more labels.

    Args:
        posterior: ``(K,)`` for one item or ``(n_items, K)``.
        n_labels: labels the item(s) already have (scalar or ``(n_items,)``).
        min_redundancy: labels every item gets (>= 1).
        max_redundancy: labels no item exceeds (>= min_redundancy).
        confidence: posterior the top class must reach to stop, in (0, 1].

    Returns:
        Boolean array of shape ``()`` for one item or ``(n_items,)``.

    Raises:
        QualityInputError: bad bounds, confidence, or shapes.
    """
    if (
        not isinstance(min_redundancy, int)
        or not isinstance(max_redundancy, int)
        or min_redundancy < 1
    ):
        raise QualityInputError(f"min_redundancy: must be an integer >= 1, got {min_redundancy!r}")
    if max_redundancy < min_redundancy:
        raise QualityInputError(
            f"max_redundancy: must be >= min_redundancy ({min_redundancy}), got {max_redundancy!r}"
        )
    if not 0.0 < float(confidence) <= 1.0:
        raise QualityInputError(f"confidence: must be in (0, 1], got {confidence!r}")
    post = np.asarray(posterior, dtype=np.float64)
    if post.ndim not in (1, 2) or post.shape[-1] == 0:
        raise QualityInputError("posterior: expected shape (K,) or (n_items, K)")
    count = np.asarray(n_labels)
    if count.shape != post.shape[:-1]:
        raise QualityInputError(f"n_labels: expected shape {post.shape[:-1]}, got {count.shape}")
    if np.any(count < 0):
        raise QualityInputError("n_labels: must be >= 0")
    unsure = post.max(axis=-1) < float(confidence)
    return np.asarray((count < min_redundancy) | ((count < max_redundancy) & unsure))
