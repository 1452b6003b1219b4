"""Inter-annotator agreement: Krippendorff's alpha, Fleiss' kappa, pairwise Cohen's kappa."""

from __future__ import annotations

from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from labelshare.quality._base import vote_scores
from labelshare.quality._matrix import LabelMatrix
from labelshare.quality.exceptions import QualityInputError

__all__ = ["cohen_kappa", "fleiss_kappa", "krippendorff_alpha"]

Level = Literal["nominal", "ordinal", "interval"]


def _class_values(matrix: LabelMatrix) -> NDArray[np.float64]:
    """Numeric value of each class: its id when every id is a number, else its index."""
    try:
        return np.asarray([float(c) for c in matrix.class_ids.tolist()], dtype=np.float64)
    except (TypeError, ValueError):
        return np.arange(matrix.n_classes, dtype=np.float64)


def _distance(level: str, totals: NDArray[np.float64], matrix: LabelMatrix) -> NDArray[np.float64]:
    """``(K, K)`` squared difference function delta^2 of Krippendorff (2011)."""
    K = matrix.n_classes
    if level == "nominal":
        return 1.0 - np.eye(K)
    if level == "ordinal":
        # Ranks follow the declared class order; the distance is the number of pairable
        # values lying between two ranks (half of each end), squared.
        cum = np.concatenate(([0.0], np.cumsum(totals)))
        lo, hi = (
            np.minimum.outer(np.arange(K), np.arange(K)),
            np.maximum.outer(np.arange(K), np.arange(K)),
        )
        between = cum[hi + 1] - cum[lo] - (totals[lo] + totals[hi]) / 2.0
        return np.asarray(between**2, dtype=np.float64)
    if level == "interval":
        values = _class_values(matrix)
        return np.asarray(np.subtract.outer(values, values) ** 2, dtype=np.float64)
    raise QualityInputError(f"level: must be 'nominal', 'ordinal' or 'interval', got {level!r}")


def krippendorff_alpha(matrix: LabelMatrix, *, level: Level = "nominal") -> float:
    """Krippendorff's alpha over all tasks (units) with two or more labels.

    K. Krippendorff, "Computing Krippendorff's Alpha-Reliability", 2011. Missing
    answers are simply absent rows; tasks with a single label are not pairable and are
    ignored. ``ordinal`` uses the declared class order, ``interval`` the class ids as
    numbers (or the class indices when an id is not numeric).

    Args:
        matrix: the answers.
        level: the metric of the values.

    Returns:
        alpha: 1 is perfect agreement, 0 agreement at chance level.

    Raises:
        QualityInputError: unknown level, no task with two labels, or no variation in
            the pairable values (alpha is undefined).
    """
    counts = vote_scores(matrix, np.ones(matrix.n_labels))
    per_task = counts.sum(axis=1)
    pairable = per_task >= 2
    if not np.any(pairable):
        raise QualityInputError("matrix: no task has two labels, alpha is undefined")
    n_uc = counts[pairable]
    m_u = per_task[pairable]
    coincidence = (n_uc / (m_u - 1)[:, None]).T @ n_uc - np.diag(
        (n_uc / (m_u - 1)[:, None]).sum(axis=0)
    )
    totals = coincidence.sum(axis=1)
    n = totals.sum()
    delta = _distance(level, totals, matrix)
    expected = float(totals @ delta @ totals) / (n - 1.0)
    if expected <= 0.0:
        raise QualityInputError("matrix: all pairable labels are equal, alpha is undefined")
    observed = float((coincidence * delta).sum())
    return float(1.0 - observed / expected)


def fleiss_kappa(matrix: LabelMatrix) -> float:
    """Fleiss' kappa for tasks that all received the same number of labels.

    J. L. Fleiss, "Measuring nominal scale agreement among many raters", Psychological
    Bulletin 76(5):378–382, 1971.

    Args:
        matrix: the answers; every task must have the same number (>= 2) of labels.

    Returns:
        kappa.

    Raises:
        QualityInputError: tasks have different numbers of labels, fewer than two, or
            all labels are one class (kappa is undefined).
    """
    counts = vote_scores(matrix, np.ones(matrix.n_labels))
    per_task = counts.sum(axis=1)
    m = per_task[0]
    if np.any(per_task != m):
        raise QualityInputError(
            "matrix: Fleiss' kappa needs the same number of labels on every task, got "
            f"{int(per_task.min())}..{int(per_task.max())}"
        )
    if m < 2:
        raise QualityInputError("matrix: Fleiss' kappa needs at least two labels per task")
    observed = float(((counts * (counts - 1)).sum(axis=1) / (m * (m - 1))).mean())
    shares = counts.sum(axis=0) / counts.sum()
    chance = float((shares**2).sum())
    if chance >= 1.0:
        raise QualityInputError("matrix: every label is the same class, kappa is undefined")
    return float((observed - chance) / (1.0 - chance))


def cohen_kappa(matrix: LabelMatrix, *, min_shared: int = 2) -> NDArray[np.float64]:
    """Cohen's kappa of every pair of workers over the tasks both answered.

    J. Cohen, "A coefficient of agreement for nominal scales", Educational and
    Psychological Measurement 20(1):37–46, 1960. Computed for all pairs at once with
    sparse products (shared tasks, agreements, and each side's class counts on the
    shared tasks).

    Args:
        matrix: the answers.
        min_shared: pairs with fewer shared tasks get NaN (>= 1).

    Returns:
        ``(n_workers, n_workers)`` symmetric kappa; NaN where there are too few shared
        tasks or chance agreement is 1 (kappa undefined).

    Raises:
        QualityInputError: ``min_shared`` is not an integer >= 1.
    """
    if isinstance(min_shared, bool) or not isinstance(min_shared, int) or min_shared < 1:
        raise QualityInputError(f"min_shared: must be an integer >= 1, got {min_shared!r}")
    W, T, K = matrix.n_workers, matrix.n_tasks, matrix.n_classes
    ones = np.ones(matrix.n_labels)
    answered = sp.csr_matrix((ones, (matrix.workers, matrix.tasks)), shape=(W, T))
    shared = (answered @ answered.T).toarray()
    agree = np.zeros((W, W))
    chance = np.zeros((W, W))
    for k in range(K):
        rows = matrix.labels == k
        said_k = sp.csr_matrix(
            (ones[rows], (matrix.workers[rows], matrix.tasks[rows])), shape=(W, T)
        )
        agree += (said_k @ said_k.T).toarray()
        # [a, b]: how often a said k on the tasks b also answered.
        k_on_shared = (said_k @ answered.T).toarray()
        chance += k_on_shared * k_on_shared.T
    with np.errstate(divide="ignore", invalid="ignore"):
        p_o = agree / shared
        p_e = chance / shared**2
        kappa = (p_o - p_e) / (1.0 - p_e)
    kappa[(shared < min_shared) | (p_e >= 1.0 - 1e-12)] = np.nan
    return np.asarray(kappa, dtype=np.float64)
