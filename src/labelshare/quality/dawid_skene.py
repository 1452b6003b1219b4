"""Dawid–Skene: one confusion matrix per worker, fitted by EM.

A. P. Dawid and A. M. Skene, "Maximum Likelihood Estimation of Observer Error-Rates
Using the EM Algorithm", Journal of the Royal Statistical Society C 28(1):20–28, 1979.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from labelshare.quality._base import EPS, check_nonnegative
from labelshare.quality._confusion import ConfusionEstimator, EmissionState
from labelshare.quality._matrix import LabelMatrix

__all__ = ["DawidSkene", "OneCoinDawidSkene"]


class DawidSkene(ConfusionEstimator):
    """Full-confusion Dawid–Skene, maximum likelihood or MAP with Dirichlet smoothing.

    EM starts from the majority-vote posterior (vote fractions); each iteration is an
    E-step (task posteriors from the confusions) then an M-step (confusions from the
    posteriors). ``smoothing`` adds that many pseudo-counts to every cell of every
    confusion row: the MAP estimate under a symmetric Dirichlet(1 + smoothing) prior;
    0 gives the maximum-likelihood model of the paper.

    Args:
        n_iter: iteration cap.
        tol: stop when the mean log marginal likelihood per label changes by less.
        smoothing: Dirichlet pseudo-count per confusion cell (>= 0).

    Attributes:
        labels_, probas_, confusions_, priors_, n_iter_, loss_history_: see
            :class:`~labelshare.quality._confusion.ConfusionEstimator`.
    """

    def __init__(self, *, n_iter: int = 100, tol: float = 1e-5, smoothing: float = 0.0) -> None:
        self.n_iter = n_iter
        self.tol = tol
        self.smoothing = smoothing

    def _validate_params(self) -> None:
        check_nonnegative(self.smoothing, "smoothing")

    def _params(
        self, matrix: LabelMatrix, counts: NDArray[np.float64], probas: NDArray[np.float64]
    ) -> EmissionState:
        smoothed = np.maximum(counts + float(self.smoothing), EPS)
        emit = smoothed / smoothed.sum(axis=1, keepdims=True)
        prior = np.maximum(probas.mean(axis=0), EPS)
        return np.log(emit), np.log(prior / prior.sum())


class OneCoinDawidSkene(ConfusionEstimator):
    """Dawid–Skene with one accuracy per worker, errors spread evenly over other classes.

    The worker's skill is the posterior-expected fraction of its labels that are
    correct; its confusion row for truth k puts ``skill`` on k and
    ``(1 - skill) / (K - 1)`` on every other class.

    Args:
        n_iter: iteration cap.
        tol: stop when the mean log marginal likelihood per label changes by less.

    Attributes:
        skills_: ``(n_workers,)`` estimated accuracy of each worker.
        labels_, probas_, confusions_, priors_, n_iter_, loss_history_: as
            :class:`DawidSkene`.
    """

    skills_: NDArray[np.float64]

    def __init__(self, *, n_iter: int = 100, tol: float = 1e-5) -> None:
        self.n_iter = n_iter
        self.tol = tol

    def _params(
        self, matrix: LabelMatrix, counts: NDArray[np.float64], probas: NDArray[np.float64]
    ) -> EmissionState:
        K = matrix.n_classes
        correct = np.trace(counts, axis1=1, axis2=2)
        skills = np.clip(correct / counts.sum(axis=(1, 2)), EPS, 1 - EPS)
        wrong = (1 - skills) / max(K - 1, 1)
        emit = np.broadcast_to(wrong[:, None, None], counts.shape).copy()
        diag = np.arange(K)
        emit[:, diag, diag] = skills[:, None]
        prior = np.maximum(probas.mean(axis=0), EPS)
        return np.log(np.maximum(emit, EPS)), np.log(prior / prior.sum())

    def _publish(self, matrix: LabelMatrix, state: EmissionState) -> None:
        super()._publish(matrix, state)
        self.skills_ = np.exp(state[0][:, 0, 0])
