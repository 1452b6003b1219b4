"""Multilabel aggregation: one binary (two-coin) inference per class, workers shared.

Each (item, class) pair becomes a binary task "does the class apply?"; an annotator
who labels an item answers every class (1 if chosen, 0 if not). One truth-inference
estimator of :mod:`labelshare.quality` runs over all those binary tasks at once with
one worker id per annotator, so each annotator has a single 2 x 2 confusion matrix
(sensitivity and specificity: the two-coin model) shared across classes, estimated
from all its answers.

Two-coin model: V. C. Raykar, S. Yu, L. H. Zhao et al., "Learning From Crowds",
JMLR 11:1297–1322, 2010; inference by Dawid–Skene EM (Dawid and Skene 1979) or its
variational-Bayes form (BCC, Kim and Ghahramani 2012).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from labelshare.quality import LabelMatrix, loo_quality_weights, make_estimator
from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.structured._base import (
    StructuredAggregator,
    check_names,
    encode_rows,
    mean_per_worker,
)

__all__ = ["MultilabelAggregator"]


class MultilabelAggregator(StructuredAggregator):
    """Per-class binary inference with one two-coin worker model shared across classes.

    The aggregated set holds the classes whose posterior exceeds 0.5 (exactly 0.5 is
    left out); with ``allow_empty=False`` an empty set gets its most probable class.
    ``confidence_`` is the probability of the whole set, the product over classes of
    the posterior of the chosen side (classes are independent given the worker model).
    A label's quality weight is its expected per-class accuracy (one minus the
    expected Hamming loss over classes), each class's posterior taken without the
    label's own answer.

    Args:
        classes: the schema's classes, in schema order.
        method: binary estimator, a name of :func:`labelshare.quality.make_estimator`
            (``"ds"`` is the two-coin Dawid–Skene; ``"bcc"``, the default, its
            variational-Bayes form, which does not trust a worker's few labels blindly).
        estimator_params: hyperparameters for that estimator.
        allow_empty: whether the aggregated set may be empty.

    Attributes:
        class_probas_: ``(n_items, n_classes)`` posterior that each class applies.
        sensitivities_: ``(n_workers,)`` P(chooses a class | it applies), or the mean
            quality weight for vote-counting methods, which have no confusions.
        specificities_: ``(n_workers,)`` P(leaves a class out | it does not apply).
        skills_: balanced accuracy, the mean of sensitivity and specificity.
        item_ids_, labels_ (sorted class lists), confidence_, worker_ids_,
        quality_weights_, n_iter_: see :mod:`labelshare.quality.structured._base`.
    """

    class_probas_: NDArray[np.float64]
    sensitivities_: NDArray[np.float64]
    specificities_: NDArray[np.float64]

    def __init__(
        self,
        *,
        classes: Sequence[str],
        method: str = "bcc",
        estimator_params: dict[str, Any] | None = None,
        allow_empty: bool = True,
    ) -> None:
        self.classes = classes
        self.method = method
        self.estimator_params = estimator_params
        self.allow_empty = allow_empty

    def fit(self, rows: Sequence[Any]) -> Self:
        """Aggregate multilabel annotations (values: lists of class names).

        Args:
            rows: ``(item, annotator, value)`` rows.

        Returns:
            self.

        Raises:
            QualityInputError: bad classes, method or rows, or a value naming an
                unknown class.
        """
        self._forget()
        classes = check_names(self.classes, "classes")
        encoded = encode_rows(rows)
        estimator = make_estimator(self.method, **(self.estimator_params or {}))
        C, n = len(classes), encoded.n_rows
        chosen = _indicators(encoded.values, classes)
        # Binary task i * C + c asks whether class c applies to item i.
        tasks = (encoded.index.tasks[:, None] * C + np.arange(C)).ravel()
        workers = np.repeat(encoded.index.workers, C)
        binary = LabelMatrix.from_arrays(tasks, workers, chosen.ravel(), classes=[0, 1])
        estimator.fit(binary)
        n_iter = estimator.n_iter_
        probas = estimator.probas_[:, 1].reshape(encoded.index.n_tasks, C)
        loo = np.empty(n * C)
        loo[binary.source_rows] = loo_quality_weights(estimator, binary)
        weights = loo.reshape(n, C).mean(axis=1)
        present = probas > 0.5
        if not self.allow_empty:
            empty = ~present.any(axis=1)
            present[empty, np.argmax(probas[empty], axis=1)] = True
        confidence = np.where(present, probas, 1.0 - probas).prod(axis=1)
        confusions = getattr(estimator, "confusions_", None)
        if confusions is None:
            sensitivity = specificity = mean_per_worker(encoded, weights)
        else:
            sensitivity = np.asarray(confusions[:, 1, 1], dtype=np.float64)
            specificity = np.asarray(confusions[:, 0, 0], dtype=np.float64)
        self.class_probas_ = probas
        self.sensitivities_ = sensitivity
        self.specificities_ = specificity
        labels = [[classes[c] for c in np.flatnonzero(row)] for row in present]
        self._publish_common(
            encoded,
            labels=[sorted(names) for names in labels],
            confidence=confidence,
            skills=(sensitivity + specificity) / 2.0,
            weights=weights,
            n_iter=n_iter,
        )
        return self


def _indicators(values: list[Any], classes: tuple[str, ...]) -> NDArray[np.int64]:
    """``(n_rows, n_classes)`` 0/1: row r chose class c."""
    position = {name: c for c, name in enumerate(classes)}
    out = np.zeros((len(values), len(classes)), dtype=np.int64)
    for r, value in enumerate(values):
        if isinstance(value, str) or not isinstance(value, Sequence):
            raise QualityInputError(f"value: expected a list of class names, got {value!r}")
        for name in value:
            c = position.get(name)
            if c is None:
                raise QualityInputError(
                    f"value: {name!r} is not one of the classes {list(classes)}"
                )
            out[r, c] = 1
    return out
