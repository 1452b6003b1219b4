"""Shared machinery of the truth-inference estimators.

Conventions every estimator follows (scikit-learn's estimator rules):

* ``__init__`` stores keyword hyperparameters unchanged and validates nothing;
  ``fit`` validates them, returns ``self`` and forgets any earlier fit.
* Learned state ends in ``_``: ``labels_`` ``(n_tasks,)`` int64 class indices,
  ``probas_`` ``(n_tasks, n_classes)`` rows summing to one, ``n_iter_``.
  Reading one before ``fit`` raises :class:`NotFittedError`.
* Ties in ``labels_`` break towards the lowest class index (``np.argmax``), so the
  same input always gives the same labels.
* Iterative fits stop when the per-label objective changes by less than ``tol`` and
  warn with :class:`ConvergenceWarning` when they reach ``n_iter`` first.
"""

from __future__ import annotations

import warnings
from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping
from typing import Any, Self

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from labelshare.quality._matrix import LabelMatrix
from labelshare.quality._params import Estimator
from labelshare.quality.exceptions import ConvergenceWarning, NotFittedError, QualityInputError

__all__ = ["Gold", "IterativeEstimator", "LabelEstimator", "WorkerInit"]

Gold = Mapping[int, int] | tuple[ArrayLike, ArrayLike]
"""Known answers: task index -> class index, as a mapping or two parallel arrays."""

WorkerInit = Mapping[Hashable, ArrayLike]
"""Warm start: worker id -> that worker's parameter from a previous fit (see ``worker_state``)."""

# Probabilities are floored here before taking logs: small enough not to bias any
# estimate that the data supports, large enough that log() stays finite.
EPS = 1e-10


def check_positive_int(value: Any, name: str) -> int:
    """Return ``value`` when it is an int >= 1, else raise naming the parameter."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise QualityInputError(f"{name}: must be an integer >= 1, got {value!r}")
    return int(value)


def check_nonnegative(value: Any, name: str, *, strict: bool = False) -> float:
    """Return ``value`` as float when it is a finite number >= 0 (> 0 if strict)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise QualityInputError(f"{name}: must be a number, got {value!r}")
    number = float(value)
    if not np.isfinite(number) or number < 0 or (strict and number == 0):
        bound = "> 0" if strict else ">= 0"
        raise QualityInputError(f"{name}: must be finite and {bound}, got {value!r}")
    return number


def normalize_gold(
    gold: Gold | None, matrix: LabelMatrix
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Validate known answers and return them as (task indices, class indices) arrays.

    Raises:
        QualityInputError: an index is out of range or a task has two different answers.
    """
    if gold is None:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    if isinstance(gold, Mapping):
        tasks = np.fromiter((int(k) for k in gold), dtype=np.int64, count=len(gold))
        classes = np.fromiter((int(v) for v in gold.values()), dtype=np.int64, count=len(gold))
    else:
        tasks = np.asarray(gold[0], dtype=np.int64).ravel()
        classes = np.asarray(gold[1], dtype=np.int64).ravel()
        if tasks.shape != classes.shape:
            raise QualityInputError("gold: task and class arrays differ in length")
    if tasks.size and (tasks.min() < 0 or tasks.max() >= matrix.n_tasks):
        raise QualityInputError(f"gold: task index out of range [0, {matrix.n_tasks})")
    if classes.size and (classes.min() < 0 or classes.max() >= matrix.n_classes):
        raise QualityInputError(f"gold: class index out of range [0, {matrix.n_classes})")
    order = np.lexsort((classes, tasks))
    tasks, classes = tasks[order], classes[order]
    same_task = tasks[1:] == tasks[:-1]
    if np.any(same_task & (classes[1:] != classes[:-1])):
        raise QualityInputError("gold: a task is given two different answers")
    keep = np.concatenate((np.ones(min(tasks.size, 1), dtype=bool), ~same_task))
    return tasks[keep], classes[keep]


def vote_scores(matrix: LabelMatrix, label_weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(n_tasks, n_classes)`` sum of the weights of the labels each task received per class."""
    K = matrix.n_classes
    flat = np.bincount(
        matrix.tasks * K + matrix.labels, weights=label_weights, minlength=matrix.n_tasks * K
    )
    return flat.reshape(matrix.n_tasks, K).astype(np.float64, copy=False)


def incidence(matrix: LabelMatrix) -> sp.csr_matrix:
    """``(n_tasks, n_workers * n_classes)`` 0/1 matrix: task t got label l from worker w."""
    K = matrix.n_classes
    # Rows are sorted by task and each (task, worker) pair is unique, so the CSR arrays
    # can be written directly, without the COO intermediate and its int64 copies.
    indptr = np.zeros(matrix.n_tasks + 1, dtype=np.int64)
    np.cumsum(np.bincount(matrix.tasks, minlength=matrix.n_tasks), out=indptr[1:])
    columns = matrix.workers * K + matrix.labels
    index_type = np.int32 if matrix.n_workers * K < 2**31 and matrix.n_labels < 2**31 else np.int64
    return sp.csr_matrix(
        (np.ones(matrix.n_labels), columns.astype(index_type), indptr.astype(index_type)),
        shape=(matrix.n_tasks, matrix.n_workers * K),
    )


class LabelEstimator(Estimator, ABC):
    """Base of every truth-inference estimator (see the module docstring for the rules)."""

    labels_: NDArray[np.int64]
    probas_: NDArray[np.float64]
    n_iter_: int
    _shape: tuple[int, int, int] | None

    fit_call = "fit(matrix)"

    @abstractmethod
    def fit(
        self, matrix: LabelMatrix, *, gold: Gold | None = None, init: WorkerInit | None = None
    ) -> Self:
        """Infer the true label of every task.

        Args:
            matrix: the answers.
            gold: known answers; those tasks are clamped to their answer throughout.
            init: warm start from a previous fit's :meth:`worker_state`.

        Returns:
            self.

        Raises:
            QualityInputError: bad hyperparameters, gold or init.
        """

    @abstractmethod
    def loo_correct_probability(self, matrix: LabelMatrix) -> NDArray[np.float64]:
        """Per label, the probability it is correct under its task's posterior without it.

        Args:
            matrix: the matrix this estimator was fitted on.

        Returns:
            ``(n_labels,)`` float64 in [0, 1], in the matrix's row order.
        """

    def worker_state(self) -> dict[Hashable, NDArray[np.float64]]:
        """Per-worker parameters to warm-start the next fit (``fit(..., init=...)``).

        Returns:
            Mapping of worker id to that worker's parameter array.

        Raises:
            QualityInputError: the estimator has no per-worker parameters.
        """
        raise QualityInputError(
            f"init: {type(self).__name__} has no per-worker state to warm-start"
        )

    def _forget(self) -> None:
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            delattr(self, name)

    def _check_matrix(self, matrix: LabelMatrix) -> None:
        if not isinstance(matrix, LabelMatrix):
            raise QualityInputError(f"matrix: expected a LabelMatrix, got {type(matrix).__name__}")
        fitted = getattr(self, "_shape", None)
        if fitted is not None and fitted != (matrix.n_tasks, matrix.n_workers, matrix.n_classes):
            raise QualityInputError(
                "matrix: shape (tasks, workers, classes) "
                f"{(matrix.n_tasks, matrix.n_workers, matrix.n_classes)} "
                f"differs from the fitted {fitted}"
            )

    def _set_result(self, probas: NDArray[np.float64], matrix: LabelMatrix) -> None:
        self.probas_ = probas
        self.labels_ = np.argmax(probas, axis=1).astype(np.int64)
        self._shape = (matrix.n_tasks, matrix.n_workers, matrix.n_classes)


def log_normalize(
    log_joint: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Row-wise ``(log_joint - logsumexp, logsumexp)``; hand-written because scipy's
    ``logsumexp`` costs a third of an EM iteration on a million labels."""
    top = log_joint.max(axis=1, keepdims=True)
    shifted = log_joint - top
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    shifted -= log_norm
    return shifted, log_norm + top


def posterior_in_place(log_joint: NDArray[np.float64]) -> tuple[NDArray[np.float64], float]:
    """Row-normalised ``exp(log_joint)``, written over ``log_joint``, and the summed
    log normalisers (the log marginal likelihood). One ``exp`` per cell and no
    temporaries: at a million labels the (tasks, classes) exponentials are a large
    share of a MACE iteration, which is otherwise a few bincounts."""
    top = log_joint.max(axis=1, keepdims=True)
    log_joint -= top
    np.exp(log_joint, out=log_joint)
    total = log_joint.sum(axis=1, keepdims=True)
    log_joint /= total
    return log_joint, float(np.log(total).sum() + top.sum())


def clamp(probas: NDArray[np.float64], gold: tuple[NDArray[np.int64], NDArray[np.int64]]) -> None:
    """Set the rows of gold tasks to their one-hot answer, in place."""
    tasks, classes = gold
    if tasks.size:
        probas[tasks] = 0.0
        probas[tasks, classes] = 1.0


class IterativeEstimator(LabelEstimator):
    """EM-style estimator whose task posterior is a product of per-label factors.

    Subclasses define the state and three steps; this class runs the loop, clamps
    gold, tracks the objective (mean log marginal likelihood per label) and warns at
    the cap. It also gives the leave-one-out weights: remove a label's log factor
    from its task's log posterior and renormalise (no refit).
    """

    n_iter: int
    tol: float
    loss_history_: list[float]

    def fit(
        self, matrix: LabelMatrix, *, gold: Gold | None = None, init: WorkerInit | None = None
    ) -> Self:
        """Infer the true label of every task by EM (see :class:`LabelEstimator.fit`)."""
        self._forget()
        self._shape = None
        self._state: Any = None
        self._reset()
        self._check_matrix(matrix)
        n_iter = check_positive_int(self.n_iter, "n_iter")
        tol = check_nonnegative(self.tol, "tol")
        self._validate_params()
        clamped = normalize_gold(gold, matrix)
        probas = vote_scores(matrix, np.ones(matrix.n_labels))
        probas /= probas.sum(axis=1, keepdims=True)
        clamp(probas, clamped)
        state = self._m_step(matrix, probas, None)
        if init is not None:
            state = self._apply_init(matrix, state, init)
        history: list[float] = []
        converged = False
        for _ in range(n_iter):
            probas, log_evidence = posterior_in_place(self._log_joint(matrix, state))
            clamp(probas, clamped)
            history.append(log_evidence / matrix.n_labels)
            state = self._m_step(matrix, probas, state)
            if len(history) > 1 and abs(history[-1] - history[-2]) < tol:
                converged = True
                break
        if not converged:
            warnings.warn(
                f"{type(self).__name__} stopped at n_iter={n_iter} before the objective "
                f"changed by less than tol={tol}",
                ConvergenceWarning,
                stacklevel=2,
            )
        # The posterior reported is the one the final parameters give.
        log_post, _ = log_normalize(self._log_joint(matrix, state))
        tasks, classes = clamped
        if tasks.size:
            log_post[tasks] = -np.inf
            log_post[tasks, classes] = 0.0
        self._log_post = log_post
        self._state = state
        self.n_iter_ = len(history)
        self.loss_history_ = history
        self._publish(matrix, state)
        self._set_result(np.exp(log_post), matrix)
        return self

    def loo_correct_probability(self, matrix: LabelMatrix) -> NDArray[np.float64]:
        """Per label, P(label correct) under its task's posterior without its own factor."""
        if getattr(self, "_state", None) is None or getattr(self, "_shape", None) is None:
            raise NotFittedError(f"{type(self).__name__} is not fitted: call fit(matrix) first")
        self._check_matrix(matrix)
        loo = np.take(self._log_post, matrix.tasks, axis=0)
        loo -= self._label_log_factors(matrix, self._state)
        own = np.take_along_axis(loo, matrix.labels[:, None], axis=1)[:, 0]
        # A hand-written log-sum-exp: scipy's is several times slower on (1e6, K).
        top = loo.max(axis=1, keepdims=True)
        loo -= top
        np.exp(loo, out=loo)
        total = loo.sum(axis=1)
        return np.asarray(np.exp(own - top[:, 0]) / total, dtype=np.float64)

    def _validate_params(self) -> None:
        """Validate subclass hyperparameters (default: none)."""

    def _reset(self) -> None:
        """Drop any private per-fit state (default: none)."""

    @abstractmethod
    def _m_step(self, matrix: LabelMatrix, probas: NDArray[np.float64], state: Any) -> Any:
        """New parameters from the task posteriors (``state`` is None on the first call)."""

    @abstractmethod
    def _log_joint(self, matrix: LabelMatrix, state: Any) -> NDArray[np.float64]:
        """``(n_tasks, n_classes)`` log prior plus the sum of the tasks' label log factors."""

    @abstractmethod
    def _label_log_factors(self, matrix: LabelMatrix, state: Any) -> NDArray[np.float64]:
        """``(n_labels, n_classes)`` log P(observed label | true class) of each row."""

    @abstractmethod
    def _apply_init(self, matrix: LabelMatrix, state: Any, init: WorkerInit) -> Any:
        """State with the given workers' parameters replaced by ``init``."""

    @abstractmethod
    def _publish(self, matrix: LabelMatrix, state: Any) -> None:
        """Set the subclass's learned attributes from the final state."""
