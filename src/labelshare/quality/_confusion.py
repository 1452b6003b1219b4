"""Estimators whose workers are described by a confusion matrix (Dawid–Skene family)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Hashable
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from labelshare.quality._base import EPS, IterativeEstimator, WorkerInit, incidence
from labelshare.quality._matrix import LabelMatrix
from labelshare.quality.exceptions import QualityInputError

__all__ = ["ConfusionEstimator", "EmissionState"]

EmissionState = tuple[NDArray[np.float64], NDArray[np.float64]]
"""``(log_emit, log_prior)``: ``log_emit[w, l, k]`` = log P(worker w answers l | truth k)
(``(n_workers, n_classes, n_classes)``, observed label before true class so that one
sparse product gives every task's log likelihood) and ``log_prior`` ``(n_classes,)``."""


class ConfusionEstimator(IterativeEstimator):
    """EM over per-worker emission matrices, with sparse products for both steps.

    E-step: ``A @ log_emit.reshape(W*K, K)`` where ``A`` (tasks x worker*label) is the
    0/1 incidence matrix. M-step: soft counts ``A.T @ probas`` reshaped to
    ``(W, K, K)``; subclasses turn counts into parameters.

    Learned attributes (besides ``labels_``, ``probas_``, ``n_iter_``):
        confusions_: ``(n_workers, n_classes, n_classes)``; ``confusions_[w, k, l]`` is
            P(worker w answers l | true class k); rows sum to one.
        priors_: ``(n_classes,)`` class prior.
    """

    confusions_: NDArray[np.float64]
    priors_: NDArray[np.float64]

    @abstractmethod
    def _params(
        self, matrix: LabelMatrix, counts: NDArray[np.float64], probas: NDArray[np.float64]
    ) -> EmissionState:
        """Parameters from soft counts ``counts[w, l, k]`` = sum of P(truth k) over the
        tasks to which worker w answered l."""

    def _m_step(
        self, matrix: LabelMatrix, probas: NDArray[np.float64], state: Any
    ) -> EmissionState:
        if state is None:
            self._incidence: sp.csr_matrix = incidence(matrix)
            self._incidence_t: sp.csr_matrix = self._incidence.T.tocsr()
        W, K = matrix.n_workers, matrix.n_classes
        counts = np.asarray(self._incidence_t @ probas).reshape(W, K, K)
        return self._params(matrix, counts, probas)

    def _log_joint(self, matrix: LabelMatrix, state: EmissionState) -> NDArray[np.float64]:
        log_emit, log_prior = state
        W, K = matrix.n_workers, matrix.n_classes
        return np.asarray(self._incidence @ log_emit.reshape(W * K, K)) + log_prior

    def _label_log_factors(self, matrix: LabelMatrix, state: EmissionState) -> NDArray[np.float64]:
        log_emit = state[0]
        K = matrix.n_classes
        flat = log_emit.reshape(matrix.n_workers * K, K)
        return np.take(flat, matrix.workers * K + matrix.labels, axis=0)

    def _apply_init(
        self, matrix: LabelMatrix, state: EmissionState, init: WorkerInit
    ) -> EmissionState:
        log_emit = state[0].copy()
        K = matrix.n_classes
        for worker_id, value in init.items():
            w = matrix.worker_index(worker_id)
            conf = np.asarray(value, dtype=np.float64)
            if conf.shape != (K, K) or not np.all(np.isfinite(conf)) or np.any(conf < 0):
                raise QualityInputError(
                    f"init[{worker_id!r}]: expected a ({K}, {K}) non-negative confusion matrix"
                )
            rows = conf.sum(axis=1, keepdims=True)
            if np.any(rows <= 0):
                raise QualityInputError(
                    f"init[{worker_id!r}]: a row of the confusion matrix sums to 0"
                )
            log_emit[w] = np.log(np.maximum(conf / rows, EPS)).T
        return log_emit, state[1]

    def _publish(self, matrix: LabelMatrix, state: EmissionState) -> None:
        log_emit, log_prior = state
        emit = np.exp(log_emit.transpose(0, 2, 1))
        self.confusions_ = emit / emit.sum(axis=2, keepdims=True)
        prior = np.exp(log_prior)
        self.priors_ = prior / prior.sum()
        self._worker_ids = matrix.worker_ids

    def worker_state(self) -> dict[Hashable, NDArray[np.float64]]:
        """Each worker's confusion matrix, to pass as ``init`` to the next fit.

        Returns:
            Mapping of worker id to its ``(n_classes, n_classes)`` confusion matrix.
        """
        confusions = self.confusions_
        return {wid: confusions[i] for i, wid in enumerate(self._worker_ids.tolist())}
