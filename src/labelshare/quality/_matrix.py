"""``LabelMatrix``: the compact, integer-coded form of a set of (worker, task, label) answers."""

from __future__ import annotations

import csv
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from labelshare.quality.exceptions import QualityInputError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LabelMatrix"]

_COLUMNS = ("worker", "task", "label")


def _sorted_ids(values: NDArray[Any], field_name: str) -> NDArray[Any]:
    """Distinct ids in a canonical order: numeric when every id reads as an integer."""
    try:
        distinct = np.unique(values)
    except TypeError as exc:
        raise QualityInputError(f"{field_name}: ids must be mutually comparable ({exc})") from exc
    if distinct.dtype.kind in "OUS":
        try:
            as_int = [int(v) for v in distinct]
        except (TypeError, ValueError):
            return distinct
        # Integer-looking strings sort by value so that "10" comes after "9".
        return distinct[np.argsort(np.asarray(as_int, dtype=np.int64), kind="stable")]
    return distinct


def _encode(values: NDArray[Any], ids: NDArray[Any], field_name: str) -> NDArray[np.int64]:
    """Index of each value in ``ids``; raises when a value is not among them."""
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    pos = np.searchsorted(sorted_ids, values)
    pos = np.minimum(pos, len(sorted_ids) - 1)
    found = sorted_ids[pos] == values
    if not np.all(found):
        bad = values[~found][0].item()
        raise QualityInputError(f"{field_name}: value {bad!r} is not one of the declared classes")
    return order[pos].astype(np.int64)


@dataclass(frozen=True, eq=False)
class LabelMatrix:
    """Answers of workers to tasks, integer-coded and sorted by (task, worker).

    Rows are kept in a canonical order (by task index, then worker index) so that every
    computation over them is independent of the order the answers arrived in;
    ``source_rows[i]`` is the position of row ``i`` in the input.

    Attributes:
        tasks: ``(n_labels,)`` int64 task index of each answer.
        workers: ``(n_labels,)`` int64 worker index of each answer.
        labels: ``(n_labels,)`` int64 class index of each answer.
        task_ids: ``(n_tasks,)`` task id of each task index.
        worker_ids: ``(n_workers,)`` worker id of each worker index.
        class_ids: ``(n_classes,)`` class id of each class index (declared order).
        source_rows: ``(n_labels,)`` int64 input position of each row.
    """

    tasks: NDArray[np.int64]
    workers: NDArray[np.int64]
    labels: NDArray[np.int64]
    task_ids: NDArray[Any]
    worker_ids: NDArray[Any]
    class_ids: NDArray[Any]
    source_rows: NDArray[np.int64]
    _task_index: dict[Hashable, int] = field(init=False, repr=False)
    _worker_index: dict[Hashable, int] = field(init=False, repr=False)
    _class_index: dict[Hashable, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for name, ids in (("task", self.task_ids), ("worker", self.worker_ids)):
            object.__setattr__(self, f"_{name}_index", {k: i for i, k in enumerate(ids.tolist())})
        object.__setattr__(
            self, "_class_index", {k: i for i, k in enumerate(self.class_ids.tolist())}
        )

    @property
    def n_labels(self) -> int:
        """Number of answers (rows)."""
        return int(self.tasks.shape[0])

    @property
    def n_tasks(self) -> int:
        """Number of distinct tasks."""
        return int(self.task_ids.shape[0])

    @property
    def n_workers(self) -> int:
        """Number of distinct workers."""
        return int(self.worker_ids.shape[0])

    @property
    def n_classes(self) -> int:
        """Number of classes (declared, or seen when none were declared)."""
        return int(self.class_ids.shape[0])

    def task_index(self, task_id: Hashable) -> int:
        """Index of a task id. Raises QualityInputError when the id is unknown."""
        return self._lookup(self._task_index, task_id, "task")

    def worker_index(self, worker_id: Hashable) -> int:
        """Index of a worker id. Raises QualityInputError when the id is unknown."""
        return self._lookup(self._worker_index, worker_id, "worker")

    def class_index(self, class_id: Hashable) -> int:
        """Index of a class id. Raises QualityInputError when the id is unknown."""
        return self._lookup(self._class_index, class_id, "label")

    def encode_gold(
        self, answers: Mapping[Hashable, Hashable]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Known answers by id as the (task indices, class indices) that ``fit`` takes.

        Args:
            answers: task id -> class id; tasks nobody labelled are skipped.

        Returns:
            Two parallel int64 arrays.

        Raises:
            QualityInputError: a class id is not one of the matrix's classes.
        """
        pairs = [
            (self._task_index[task], self.class_index(label))
            for task, label in answers.items()
            if task in self._task_index
        ]
        tasks = np.array([p[0] for p in pairs], dtype=np.int64)
        classes = np.array([p[1] for p in pairs], dtype=np.int64)
        return tasks, classes

    @staticmethod
    def _lookup(index: Mapping[Hashable, int], key: Hashable, field_name: str) -> int:
        try:
            return index[key]
        except KeyError:
            raise QualityInputError(f"{field_name}: unknown id {key!r}") from None

    @classmethod
    def from_arrays(
        cls,
        tasks: Sequence[Hashable] | NDArray[Any],
        workers: Sequence[Hashable] | NDArray[Any],
        labels: Sequence[Hashable] | NDArray[Any],
        *,
        classes: Iterable[Hashable] | None = None,
    ) -> LabelMatrix:
        """Build a matrix from three parallel sequences of ids.

        Args:
            tasks: task id of each answer.
            workers: worker id of each answer.
            labels: class id of each answer.
            classes: all class ids in their meaningful order (ordinal scales, classes no
                one chose); by default the distinct labels, numerically sorted when every
                one reads as an integer.

        Returns:
            The matrix, rows sorted by (task, worker).

        Raises:
            QualityInputError: lengths differ, there are no answers, a label is not a
                declared class, or a (worker, task) pair repeats.
        """
        arrays = [np.asarray(a) for a in (tasks, workers, labels)]
        lengths = {
            name: a.shape[0] if a.ndim == 1 else -1
            for name, a in zip(("tasks", "workers", "labels"), arrays, strict=True)
        }
        if any(n < 0 for n in lengths.values()):
            raise QualityInputError(f"tasks/workers/labels: must be one-dimensional, got {lengths}")
        if len(set(lengths.values())) != 1:
            raise QualityInputError(f"tasks/workers/labels: lengths differ {lengths}")
        if lengths["tasks"] == 0:
            raise QualityInputError("labels: no answers given")
        task_arr, worker_arr, label_arr = arrays
        task_ids = _sorted_ids(task_arr, "task")
        worker_ids = _sorted_ids(worker_arr, "worker")
        if classes is None:
            class_ids = _sorted_ids(label_arr, "label")
        else:
            class_ids = np.asarray(list(classes))
            if class_ids.ndim != 1 or class_ids.shape[0] == 0:
                raise QualityInputError("classes: must be a non-empty list of class ids")
            if np.unique(class_ids).shape[0] != class_ids.shape[0]:
                raise QualityInputError("classes: class ids must be distinct")
        t = _encode(task_arr, task_ids, "task")
        w = _encode(worker_arr, worker_ids, "worker")
        y = _encode(label_arr, class_ids, "label")
        order = np.lexsort((w, t))
        t, w, y = t[order], w[order], y[order]
        repeated = (t[1:] == t[:-1]) & (w[1:] == w[:-1])
        if np.any(repeated):
            i = int(np.flatnonzero(repeated)[0])
            raise QualityInputError(
                f"worker/task: pair ({worker_ids[w[i]].item()!r}, {task_ids[t[i]].item()!r}) "
                "answered more "
                "than once; keep one answer per pair"
            )
        return cls(
            tasks=t,
            workers=w,
            labels=y,
            task_ids=task_ids,
            worker_ids=worker_ids,
            class_ids=class_ids,
            source_rows=order.astype(np.int64),
        )

    @classmethod
    def from_dataframe(
        cls, frame: pd.DataFrame, *, classes: Iterable[Hashable] | None = None
    ) -> LabelMatrix:
        """Build a matrix from a DataFrame with crowd-kit's ``worker, task, label`` columns.

        Args:
            frame: one row per answer; other columns are ignored.
            classes: see :meth:`from_arrays`.

        Returns:
            The matrix.

        Raises:
            QualityInputError: a column is missing, or as :meth:`from_arrays`.
        """
        missing = [c for c in _COLUMNS if c not in frame.columns]
        if missing:
            raise QualityInputError(f"frame: missing column(s) {missing}")
        return cls.from_arrays(
            frame["task"].to_numpy(),
            frame["worker"].to_numpy(),
            frame["label"].to_numpy(),
            classes=classes,
        )

    @classmethod
    def from_csv(
        cls, path: str | Path, *, classes: Iterable[Hashable] | None = None
    ) -> LabelMatrix:
        """Read a ``worker,task,label`` CSV file (header required; ids kept as strings).

        Args:
            path: the CSV file.
            classes: see :meth:`from_arrays` (as strings).

        Returns:
            The matrix.

        Raises:
            QualityInputError: the header lacks a column, a row is short, or as
                :meth:`from_arrays`.
        """
        with Path(path).open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                raise QualityInputError(f"{path}: empty file, expected header worker,task,label")
            header = [h.strip() for h in header]
            missing = [c for c in _COLUMNS if c not in header]
            if missing:
                raise QualityInputError(f"{path}: missing column(s) {missing} in header")
            cols = [header.index(c) for c in _COLUMNS]
            width = max(cols) + 1
            rows = []
            for line_no, row in enumerate(reader, start=2):
                if len(row) < width:
                    raise QualityInputError(f"{path}: line {line_no} has {len(row)} fields")
                rows.append([row[c] for c in cols])
        if not rows:
            raise QualityInputError(f"{path}: no answers after the header")
        table = np.asarray(rows, dtype=str)
        return cls.from_arrays(table[:, 1], table[:, 0], table[:, 2], classes=classes)
