"""Shared machinery of the structured-label aggregators.

Every aggregator follows the estimator rules of :mod:`labelshare.quality._base`:
``__init__`` stores keyword hyperparameters unchanged and validates nothing; ``fit``
validates, returns ``self`` and forgets any earlier fit; learned state ends in ``_``
and reading it before ``fit`` raises :class:`NotFittedError`.

Learned attributes common to every kind:

* ``item_ids_`` ``(n_items,)`` item ids in canonical order (as ``LabelMatrix.task_ids``);
* ``labels_`` list of ``n_items`` aggregated values, in the value format of the
  schema kind (``labelshare.schema``), aligned with ``item_ids_``;
* ``confidence_`` ``(n_items,)`` float64 in [0, 1];
* ``worker_ids_`` ``(n_workers,)`` and ``skills_`` ``(n_workers,)`` float64 in [0, 1],
  each annotator's reliability;
* ``quality_weights_`` ``(n_rows,)`` float64 in [0, 1], one per input row **in input
  order**: the quality of that label judged without that label (leave-one-out);
* ``n_iter_``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Self

import numpy as np
from numpy.typing import NDArray

from labelshare.quality import LabelMatrix
from labelshare.quality._params import Estimator
from labelshare.quality.exceptions import QualityInputError

__all__ = [
    "EncodedRows",
    "StructuredAggregator",
    "StructuredRow",
    "check_names",
    "encode_rows",
    "mean_per_worker",
]


class StructuredRow(NamedTuple):
    """One annotation: who labelled which item with what.

    Attributes:
        item: the item's id.
        annotator: the annotator's id.
        value: the label, already validated by ``labelshare.schema`` (canonical form).
        payload: the item's payload where the kind refers to it (spans: the text under
            the schema's ``text_field``; bbox: ``width`` and ``height``); else None.
    """

    item: Hashable
    annotator: Hashable
    value: Any
    payload: Mapping[str, Any] | None = None


@dataclass(frozen=True, eq=False)
class EncodedRows:
    """Rows coded as integer indices, in canonical (item, annotator) order.

    Attributes:
        index: item and annotator coding; its ``labels`` are all zero and unused.
        values: ``n_rows`` values in canonical order.
        payloads: ``n_items`` payloads, the first one given for each item (or None).
    """

    index: LabelMatrix
    values: list[Any]
    payloads: list[Mapping[str, Any] | None]

    @property
    def n_rows(self) -> int:
        """Number of annotations."""
        return self.index.n_labels

    def to_input_order(self, per_row: NDArray[np.float64]) -> NDArray[np.float64]:
        """Reorder a canonical-order per-row array back to the order rows were given."""
        out = np.empty_like(per_row)
        out[self.index.source_rows] = per_row
        return out


def encode_rows(rows: Sequence[Any], *, needs_payload: bool = False) -> EncodedRows:
    """Check and code annotation rows.

    Args:
        rows: :class:`StructuredRow` or plain ``(item, annotator, value[, payload])``
            tuples.
        needs_payload: whether every item must come with a payload mapping.

    Returns:
        The coded rows.

    Raises:
        QualityInputError: no rows, a row of the wrong length, an item without payload,
            or an (annotator, item) pair given twice.
    """
    if isinstance(rows, str | bytes) or not isinstance(rows, Sequence):
        raise QualityInputError(f"rows: expected a sequence of rows, got {type(rows).__name__}")
    if not rows:
        raise QualityInputError("rows: no annotations given")
    parsed: list[StructuredRow] = []
    for position, row in enumerate(rows):
        if not isinstance(row, tuple) or len(row) not in (3, 4):
            raise QualityInputError(
                f"rows[{position}]: expected (item, annotator, value[, payload]), got {row!r}"
            )
        parsed.append(StructuredRow(*row))
    seen: set[tuple[Hashable, Hashable]] = set()
    for row in parsed:
        pair = (row.item, row.annotator)
        if pair in seen:
            raise QualityInputError(
                f"rows: annotator {row.annotator!r} labelled item {row.item!r} more than "
                "once; keep one annotation per pair"
            )
        seen.add(pair)
    items = np.empty(len(parsed), dtype=object)
    items[:] = [row.item for row in parsed]
    annotators = np.empty(len(parsed), dtype=object)
    annotators[:] = [row.annotator for row in parsed]
    index = LabelMatrix.from_arrays(items, annotators, np.zeros(len(parsed), dtype=np.int64))
    order = index.source_rows.tolist()
    values = [parsed[i].value for i in order]
    payloads: list[Mapping[str, Any] | None] = [None] * index.n_tasks
    for i, task in zip(order, index.tasks.tolist(), strict=True):
        if payloads[task] is None and parsed[i].payload is not None:
            payloads[task] = parsed[i].payload
    if needs_payload:
        for task, payload in enumerate(payloads):
            if not isinstance(payload, Mapping):
                raise QualityInputError(
                    f"rows: item {index.task_ids[task]!r} has no payload; this kind needs it"
                )
    return EncodedRows(index=index, values=values, payloads=payloads)


class StructuredAggregator(Estimator, ABC):
    """Base of the structured-label aggregators (see the module docstring for the rules)."""

    item_ids_: NDArray[Any]
    labels_: list[Any]
    confidence_: NDArray[np.float64]
    worker_ids_: NDArray[Any]
    skills_: NDArray[np.float64]
    quality_weights_: NDArray[np.float64]
    n_iter_: int

    fit_call = "fit(rows)"

    @abstractmethod
    def fit(self, rows: Sequence[Any]) -> Self:
        """Aggregate the annotations of every item and weigh every annotation.

        Args:
            rows: :class:`StructuredRow` tuples, one per (item, annotator).

        Returns:
            self.

        Raises:
            QualityInputError: bad hyperparameters or rows.
        """

    def _forget(self) -> None:
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            delattr(self, name)

    def _publish_common(
        self,
        encoded: EncodedRows,
        *,
        labels: list[Any],
        confidence: NDArray[np.float64],
        skills: NDArray[np.float64],
        weights: NDArray[np.float64],
        n_iter: int,
    ) -> None:
        """Set the attributes every kind shares; ``weights`` are in canonical order."""
        self.item_ids_ = encoded.index.task_ids
        self.labels_ = labels
        self.confidence_ = np.clip(np.asarray(confidence, dtype=np.float64), 0.0, 1.0)
        self.worker_ids_ = encoded.index.worker_ids
        self.skills_ = np.clip(np.asarray(skills, dtype=np.float64), 0.0, 1.0)
        self.quality_weights_ = np.clip(encoded.to_input_order(weights), 0.0, 1.0)
        self.n_iter_ = n_iter


def mean_per_worker(encoded: EncodedRows, weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """``(n_workers,)`` mean of the canonical-order per-row ``weights`` of each annotator."""
    workers = encoded.index.workers
    n = encoded.index.n_workers
    totals = np.bincount(workers, weights=weights, minlength=n)
    return np.asarray(totals / np.bincount(workers, minlength=n), dtype=np.float64)


def check_names(value: Any, field_name: str) -> tuple[str, ...]:
    """Return ``value`` as a tuple of distinct strings, at least one, else raise."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise QualityInputError(f"{field_name}: expected a list of names, got {value!r}")
    names = tuple(value)
    if not names or not all(isinstance(n, str) for n in names):
        raise QualityInputError(f"{field_name}: expected at least one name, all strings")
    if len(set(names)) != len(names):
        raise QualityInputError(f"{field_name}: names must be distinct, got {list(names)}")
    return names
