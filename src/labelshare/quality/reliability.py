"""Annotator reliability: leave-one-out label quality weights and gold accuracy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import beta as beta_dist

from labelshare.quality._base import LabelEstimator, check_nonnegative, normalize_gold
from labelshare.quality._matrix import LabelMatrix
from labelshare.quality.exceptions import QualityInputError

__all__ = ["GoldAccuracy", "gold_accuracy", "loo_quality_weights"]


def loo_quality_weights(estimator: LabelEstimator, matrix: LabelMatrix) -> NDArray[np.float64]:
    """Probability that each label is correct, judged without that label.

    For product models (Dawid–Skene, BCC, MACE, GLAD ...) the label's own log factor
    log P(label | truth, worker) is subtracted from its task's log posterior and the
    result renormalised, with no refit; for vote counting the label's own vote is
    removed. Nobody can therefore raise their own weight by agreeing with themselves.
    A task with no other evidence gets the class prior (1 / K for votes). Gold tasks
    give 1 for the gold answer and 0 otherwise.

    Args:
        estimator: an estimator fitted on ``matrix``.
        matrix: the answers.

    Returns:
        ``(n_labels,)`` float64 in [0, 1], one per row of ``matrix``.

    Raises:
        NotFittedError: the estimator is not fitted.
        QualityInputError: ``matrix`` is not the shape the estimator was fitted on.
    """
    if not isinstance(estimator, LabelEstimator):
        raise QualityInputError(
            f"estimator: expected a fitted estimator, got {type(estimator).__name__}"
        )
    return estimator.loo_correct_probability(matrix)


@dataclass(frozen=True, eq=False)
class GoldAccuracy:
    """Per-worker accuracy on gold tasks under a Beta prior.

    Attributes:
        worker_ids: ``(n_workers,)`` worker id of each row (all workers of the matrix).
        n_answered: ``(n_workers,)`` int64 gold tasks each worker answered.
        n_correct: ``(n_workers,)`` int64 of those answered correctly.
        mean: ``(n_workers,)`` posterior mean accuracy (the prior mean when none answered).
        lower: ``(n_workers,)`` lower end of the equal-tailed credible interval.
        upper: ``(n_workers,)`` upper end of the equal-tailed credible interval.
        credibility: mass of the interval, e.g. 0.95.
    """

    worker_ids: NDArray[Any]
    n_answered: NDArray[np.int64]
    n_correct: NDArray[np.int64]
    mean: NDArray[np.float64]
    lower: NDArray[np.float64]
    upper: NDArray[np.float64]
    credibility: float


def gold_accuracy(
    matrix: LabelMatrix,
    gold: Mapping[int, int] | tuple[Any, Any],
    *,
    prior: tuple[float, float] = (1.0, 1.0),
    credibility: float = 0.95,
) -> GoldAccuracy:
    """Beta-Binomial posterior of each worker's accuracy on the gold tasks it answered.

    With ``c`` correct out of ``n`` and prior Beta(a, b) the posterior is
    Beta(a + c, b + n - c); settlement may slash a worker whose ``upper`` bound lies
    below the project's bar (confidently bad, not merely unlucky).

    Args:
        matrix: the answers.
        gold: task index -> class index (mapping or two arrays), as for ``fit``.
        prior: Beta pseudo-counts ``(a, b)`` for correct and wrong answers (> 0).
        credibility: mass of the credible interval, in (0, 1).

    Returns:
        A :class:`GoldAccuracy` covering every worker of the matrix.

    Raises:
        QualityInputError: bad gold, prior or credibility.
    """
    a = check_nonnegative(prior[0], "prior[0]", strict=True)
    b = check_nonnegative(prior[1], "prior[1]", strict=True)
    level = float(credibility)
    if not 0.0 < level < 1.0:
        raise QualityInputError(f"credibility: must be in (0, 1), got {credibility!r}")
    tasks, classes = normalize_gold(gold, matrix)
    answer = np.full(matrix.n_tasks, -1, dtype=np.int64)
    answer[tasks] = classes
    known = answer[matrix.tasks] >= 0
    right = known & (answer[matrix.tasks] == matrix.labels)
    n = np.bincount(matrix.workers[known], minlength=matrix.n_workers).astype(np.int64)
    c = np.bincount(matrix.workers[right], minlength=matrix.n_workers).astype(np.int64)
    mean, lower, upper = beta_posterior(c, n, prior=(a, b), credibility=level)
    return GoldAccuracy(
        worker_ids=matrix.worker_ids,
        n_answered=n,
        n_correct=c,
        mean=mean,
        lower=lower,
        upper=upper,
        credibility=level,
    )


def beta_posterior(
    successes: NDArray[np.int64],
    trials: NDArray[np.int64],
    *,
    prior: tuple[float, float],
    credibility: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Posterior mean and equal-tailed credible interval of a Beta-Binomial rate.

    With ``k`` successes in ``n`` trials and prior Beta(a, b) the posterior is
    Beta(a + k, b + n - k).

    Args:
        successes: ``(m,)`` successes per unit (worker).
        trials: ``(m,)`` trials per unit.
        prior: pseudo-counts ``(a, b)``, already checked positive.
        credibility: mass of the interval, already checked in (0, 1).

    Returns:
        ``(mean, lower, upper)``, each ``(m,)``.
    """
    post_a = prior[0] + successes
    post_b = prior[1] + trials - successes
    tail = (1.0 - credibility) / 2.0
    return (
        np.asarray(post_a / (post_a + post_b), dtype=np.float64),
        np.asarray(beta_dist.ppf(tail, post_a, post_b), dtype=np.float64),
        np.asarray(beta_dist.ppf(1.0 - tail, post_a, post_b), dtype=np.float64),
    )
