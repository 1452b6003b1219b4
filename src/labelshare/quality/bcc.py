"""Independent Bayesian classifier combination (IBCC), trained by variational Bayes.

H.-C. Kim and Z. Ghahramani, "Bayesian Classifier Combination", AISTATS 2012;
variational updates as in E. Simpson, S. Roberts, I. Psorakis and A. Smith, "Dynamic
Bayesian Combination of Multiple Imperfect Classifiers", 2013. The learned prior is
type-II maximum likelihood (empirical Bayes) of the shared Dirichlet, by Newton's
method as in T. Minka, "Estimating a Dirichlet distribution", 2000 (revised 2012).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.special import digamma, polygamma

from labelshare.quality._base import check_nonnegative
from labelshare.quality._confusion import ConfusionEstimator, EmissionState
from labelshare.quality._matrix import LabelMatrix
from labelshare.quality.exceptions import QualityInputError

__all__ = ["BCC", "dirichlet_mle"]

# Learned pseudo-counts stay inside these bounds: near zero, a cell's E[log pi] falls
# towards minus infinity and the prior would all but forbid that answer; far above,
# the prior would outweigh any worker's labels. The public benchmark sets stay well
# inside (learned cells from 0.03 to 40).
_MIN_PSEUDO_COUNT = 1e-3
_MAX_PSEUDO_COUNT = 1e4
# Newton steps per EM iteration: about ten from the hand-set prior, fewer when
# warm-started from the previous iteration's prior.
_PRIOR_STEPS = 30
_PRIOR_TOL = 1e-9
# The hand-set prior counts as this many extra workers when the prior is learned: with
# a handful of real workers who agree, the best-fitting Dirichlet grows without bound
# (the fit never converges), and one pseudo-worker keeps it finite and near the
# hand-set prior. With tens of workers or more its pull is negligible.
_PSEUDO_WORKERS = 1.0


def _inverse_digamma(y: NDArray[np.float64]) -> NDArray[np.float64]:
    """x with digamma(x) = y: Minka's starting point, then five Newton steps."""
    x = np.where(y >= -2.22, np.exp(y) + 0.5, -1.0 / (y - digamma(1.0)))
    for _ in range(5):
        x = x - (digamma(x) - y) / polygamma(1, x)
    return x


def dirichlet_mle(mean_log: NDArray[np.float64], start: NDArray[np.float64]) -> NDArray[np.float64]:
    """Dirichlet parameters of each row that best explain its mean log-probabilities.

    Newton's method with the Hessian's diagonal-plus-rank-one inverse (Minka, section
    1); a row whose Newton step would leave the positive orthant takes the slower but
    safe fixed-point step ``alpha = psi^-1(psi(sum alpha) + mean_log)`` instead.

    Args:
        mean_log: ``(rows, n)`` mean of E[log p] over the samples of each row.
        start: ``(rows, n)`` positive starting parameters.

    Returns:
        ``(rows, n)`` parameters, clipped to [_MIN_PSEUDO_COUNT, _MAX_PSEUDO_COUNT].
    """
    alpha = start
    for _ in range(_PRIOR_STEPS):
        total = alpha.sum(axis=1, keepdims=True)
        gradient = digamma(total) - digamma(alpha) + mean_log
        q = -polygamma(1, alpha)
        z = polygamma(1, total)
        b = (gradient / q).sum(axis=1, keepdims=True) / (
            1.0 / z + (1.0 / q).sum(axis=1, keepdims=True)
        )
        updated = alpha - (gradient - b) / q
        unsafe = np.any(updated <= 0, axis=1, keepdims=True)
        if unsafe.any():
            updated = np.where(unsafe, _inverse_digamma(digamma(total) + mean_log), updated)
        updated = np.clip(updated, _MIN_PSEUDO_COUNT, _MAX_PSEUDO_COUNT)
        done = np.max(np.abs(updated - alpha) / alpha) < _PRIOR_TOL
        alpha = updated
        if done:
            break
    return alpha


class BCC(ConfusionEstimator):
    """Dawid–Skene with Dirichlet priors integrated out by variational Bayes.

    Each worker's confusion row for truth k has a Dirichlet prior with
    ``diagonal_prior`` pseudo-counts on the correct answer and ``off_diagonal_prior`` on
    each wrong one; the class proportions have a symmetric Dirichlet(``class_prior``)
    prior. The E-step uses exp(E[log pi]) = exp(digamma(a) - digamma(sum a)), which
    shrinks the influence of workers with few labels instead of trusting their
    maximum-likelihood confusions (the failure of plain Dawid–Skene on sparse data).

    With ``learn_prior`` the prior is learned from all workers instead (empirical
    Bayes): after each M-step, every row k of the shared ``(K, K)`` Dirichlet prior is
    set to the parameters that best explain the workers' expected log confusion rows
    E[log pi_wk] (type-II maximum likelihood, the variational-Bayes update of a
    hyperparameter). ``diagonal_prior`` and ``off_diagonal_prior`` are then only the
    starting point. How confident, and how confused, a typical worker is then comes from
    the data set itself: a worker with few labels is pulled towards the crowd's typical
    confusion rather than towards a hand-set one.

    Args:
        n_iter: iteration cap.
        tol: stop when the mean log marginal likelihood per label changes by less.
        diagonal_prior: Dirichlet pseudo-count for a correct answer (> 0).
        off_diagonal_prior: Dirichlet pseudo-count for each wrong answer (> 0).
        class_prior: Dirichlet pseudo-count per class of the class proportions (> 0).
        learn_prior: learn the confusion prior from the data (empirical Bayes).

    Attributes:
        confusions_: posterior-mean confusion matrices, ``confusions_[w, k, l]`` =
            P(worker w answers l | truth k).
        confusion_prior_: ``(n_classes, n_classes)`` Dirichlet pseudo-counts used in
            the final fit, ``[truth k, answer l]`` (learned with ``learn_prior``).
        labels_, probas_, priors_, n_iter_, loss_history_: as DawidSkene.
    """

    confusion_prior_: NDArray[np.float64]

    def __init__(
        self,
        *,
        n_iter: int = 100,
        tol: float = 1e-5,
        diagonal_prior: float = 3.0,
        off_diagonal_prior: float = 0.5,
        class_prior: float = 1.0,
        learn_prior: bool = False,
    ) -> None:
        self.n_iter = n_iter
        self.tol = tol
        self.diagonal_prior = diagonal_prior
        self.off_diagonal_prior = off_diagonal_prior
        self.class_prior = class_prior
        self.learn_prior = learn_prior

    def _validate_params(self) -> None:
        for name in ("diagonal_prior", "off_diagonal_prior", "class_prior"):
            check_nonnegative(getattr(self, name), name, strict=True)
        if not isinstance(self.learn_prior, bool | np.bool_):
            raise QualityInputError(f"learn_prior: must be True or False, got {self.learn_prior!r}")

    def _reset(self) -> None:
        self._prior: NDArray[np.float64] | None = None

    def _params(
        self, matrix: LabelMatrix, counts: NDArray[np.float64], probas: NDArray[np.float64]
    ) -> EmissionState:
        K = matrix.n_classes
        hand_set = np.full((K, K), float(self.off_diagonal_prior))
        np.fill_diagonal(hand_set, float(self.diagonal_prior))
        prior = hand_set if self._prior is None else self._prior
        rows = counts.transpose(0, 2, 1)  # [w, truth k, answer l]
        # With one class every confusion row is the point mass [1]: nothing to learn.
        if self.learn_prior and K > 1:
            posterior = rows + prior
            expected_log = digamma(posterior) - digamma(posterior.sum(axis=2, keepdims=True))
            hand_set_log = digamma(hand_set) - digamma(hand_set.sum(axis=1, keepdims=True))
            mean_log = (expected_log.sum(axis=0) + _PSEUDO_WORKERS * hand_set_log) / (
                matrix.n_workers + _PSEUDO_WORKERS
            )
            prior = dirichlet_mle(mean_log, prior)
        self._prior = prior
        posterior = rows + prior
        self._posterior = posterior
        log_emit = digamma(posterior) - digamma(posterior.sum(axis=2, keepdims=True))
        nu = float(self.class_prior) + probas.sum(axis=0)
        return log_emit.transpose(0, 2, 1), digamma(nu) - digamma(nu.sum())

    def _publish(self, matrix: LabelMatrix, state: EmissionState) -> None:
        super()._publish(matrix, state)
        self.confusions_ = self._posterior / self._posterior.sum(axis=2, keepdims=True)
        if self._prior is None:
            raise QualityInputError("BCC: no prior after fitting")
        self.confusion_prior_ = self._prior.copy()
