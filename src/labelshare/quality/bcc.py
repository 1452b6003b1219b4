"""Independent Bayesian classifier combination (IBCC), trained by variational Bayes.

H.-C. Kim and Z. Ghahramani, "Bayesian Classifier Combination", AISTATS 2012;
variational updates as in E. Simpson, S. Roberts, I. Psorakis and A. Smith, "Dynamic
Bayesian Combination of Multiple Imperfect Classifiers", 2013.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import digamma

from labelshare.quality._base import check_nonnegative
from labelshare.quality._confusion import ConfusionEstimator, EmissionState
from labelshare.quality._matrix import LabelMatrix

__all__ = ["BCC"]


class BCC(ConfusionEstimator):
    """Dawid–Skene with Dirichlet priors integrated out by variational Bayes.

    Each worker's confusion row for truth k has a Dirichlet prior with
    ``diagonal_prior`` pseudo-counts on the correct answer and ``off_diagonal_prior`` on
    each wrong one; the class proportions have a symmetric Dirichlet(``class_prior``)
    prior. The E-step uses exp(E[log pi]) = exp(digamma(a) - digamma(sum a)), which
    shrinks the influence of workers with few labels instead of trusting their
    maximum-likelihood confusions (the failure of plain Dawid–Skene on sparse data).

    Args:
        n_iter: iteration cap.
        tol: stop when the mean log marginal likelihood per label changes by less.
        diagonal_prior: Dirichlet pseudo-count for a correct answer (> 0).
        off_diagonal_prior: Dirichlet pseudo-count for each wrong answer (> 0).
        class_prior: Dirichlet pseudo-count per class of the class proportions (> 0).

    Attributes:
        confusions_: posterior-mean confusion matrices, ``confusions_[w, k, l]`` =
            P(worker w answers l | truth k).
        labels_, probas_, priors_, n_iter_, loss_history_: as DawidSkene.
    """

    def __init__(
        self,
        *,
        n_iter: int = 100,
        tol: float = 1e-5,
        diagonal_prior: float = 3.0,
        off_diagonal_prior: float = 0.5,
        class_prior: float = 1.0,
    ) -> None:
        self.n_iter = n_iter
        self.tol = tol
        self.diagonal_prior = diagonal_prior
        self.off_diagonal_prior = off_diagonal_prior
        self.class_prior = class_prior

    def _validate_params(self) -> None:
        for name in ("diagonal_prior", "off_diagonal_prior", "class_prior"):
            check_nonnegative(getattr(self, name), name, strict=True)

    def _params(
        self, matrix: LabelMatrix, counts: NDArray[np.float64], probas: NDArray[np.float64]
    ) -> EmissionState:
        K = matrix.n_classes
        prior = np.full((K, K), float(self.off_diagonal_prior))
        np.fill_diagonal(prior, float(self.diagonal_prior))
        posterior = counts + prior  # [w, observed l, truth k]
        self._posterior = posterior
        log_emit = digamma(posterior) - digamma(posterior.sum(axis=1, keepdims=True))
        nu = float(self.class_prior) + probas.sum(axis=0)
        return log_emit, digamma(nu) - digamma(nu.sum())

    def _publish(self, matrix: LabelMatrix, state: EmissionState) -> None:
        super()._publish(matrix, state)
        mean = self._posterior.transpose(0, 2, 1)
        self.confusions_ = mean / mean.sum(axis=2, keepdims=True)
