"""LabelMatrix construction and id maps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from labelshare.quality import LabelMatrix, QualityInputError


class TestFromArrays:
    def test_codes_and_sorts_rows(self) -> None:
        """Ids become indices in sorted order and rows are sorted by (task, worker)."""
        m = LabelMatrix.from_arrays(["t2", "t1", "t1"], ["w1", "w2", "w1"], ["b", "a", "b"])
        assert (m.n_tasks, m.n_workers, m.n_classes, m.n_labels) == (2, 2, 2, 3)
        assert m.tasks.tolist() == [0, 0, 1]
        assert m.workers.tolist() == [0, 1, 0]
        assert m.labels.tolist() == [1, 0, 1]
        assert m.source_rows.tolist() == [2, 1, 0]
        assert m.tasks.dtype == np.int64

    def test_id_maps_both_ways(self) -> None:
        """task_index inverts task_ids (and likewise for workers and classes)."""
        m = LabelMatrix.from_arrays(["t2", "t1"], ["w1", "w2"], ["b", "a"])
        assert m.task_ids[m.task_index("t2")] == "t2"
        assert m.worker_ids[m.worker_index("w2")] == "w2"
        assert m.class_ids[m.class_index("a")] == "a"

    def test_unknown_id_raises(self) -> None:
        """Looking up an id that is not in the matrix names the field."""
        m = LabelMatrix.from_arrays(["t"], ["w"], ["a"])
        with pytest.raises(QualityInputError, match="task: unknown id 'nope'"):
            m.task_index("nope")

    def test_encode_gold_skips_unlabelled_tasks(self) -> None:
        """Gold by id becomes index arrays; a task nobody labelled is skipped."""
        m = LabelMatrix.from_arrays(["t2", "t1"], ["w1", "w2"], ["b", "a"])
        tasks, classes = m.encode_gold({"t2": "a", "t9": "b"})
        assert tasks.tolist() == [1]
        assert classes.tolist() == [0]

    def test_encode_gold_unknown_class_raises(self) -> None:
        """A gold class that is not a class of the matrix is refused."""
        m = LabelMatrix.from_arrays(["t"], ["w"], ["a"])
        with pytest.raises(QualityInputError, match="label: unknown id 'z'"):
            m.encode_gold({"t": "z"})

    def test_integer_like_classes_sort_numerically(self) -> None:
        """Class ids '10' and '9' sort as numbers."""
        m = LabelMatrix.from_arrays(["t", "u"], ["w", "w"], ["10", "9"])
        assert m.class_ids.tolist() == ["9", "10"]

    def test_declared_classes_keep_their_order(self) -> None:
        """Declared classes fix the order and may include classes nobody chose."""
        m = LabelMatrix.from_arrays(["t"], ["w"], ["mid"], classes=["low", "mid", "high"])
        assert m.n_classes == 3
        assert m.labels.tolist() == [1]

    def test_label_outside_declared_classes_raises(self) -> None:
        """A label that is not a declared class is rejected."""
        with pytest.raises(QualityInputError, match="label: value 'zzz'"):
            LabelMatrix.from_arrays(["t"], ["w"], ["zzz"], classes=["a", "b"])

    def test_duplicate_pair_raises(self) -> None:
        """A worker answering one task twice is rejected, naming the pair."""
        with pytest.raises(QualityInputError, match="answered more than once"):
            LabelMatrix.from_arrays(["t", "t"], ["w", "w"], ["a", "b"])

    def test_length_mismatch_raises(self) -> None:
        """Sequences of different lengths are rejected."""
        with pytest.raises(QualityInputError, match="lengths differ"):
            LabelMatrix.from_arrays(["t", "u"], ["w"], ["a"])

    def test_empty_raises(self) -> None:
        """No answers at all is rejected."""
        with pytest.raises(QualityInputError, match="no answers"):
            LabelMatrix.from_arrays([], [], [])


class TestFromDataFrameAndCsv:
    def test_dataframe_columns(self) -> None:
        """A crowd-kit style frame gives the same matrix as the arrays."""
        frame = pd.DataFrame({"worker": ["w1", "w2"], "task": ["t", "t"], "label": [1, 0]})
        m = LabelMatrix.from_dataframe(frame)
        assert m.labels.tolist() == [1, 0]
        assert m.class_ids.tolist() == [0, 1]

    def test_dataframe_missing_column_raises(self) -> None:
        """A frame without a label column is rejected, naming it."""
        with pytest.raises(QualityInputError, match=r"missing column\(s\) \['label'\]"):
            LabelMatrix.from_dataframe(pd.DataFrame({"worker": ["w"], "task": ["t"]}))

    def test_csv_round_trip(self, tmp_path: Path) -> None:
        """A worker,task,label CSV is read with string ids."""
        path = tmp_path / "labels.csv"
        path.write_text("worker,task,label\nw1,t1,1\nw2,t1,0\nw1,t2,1\n")
        m = LabelMatrix.from_csv(path)
        assert m.n_labels == 3
        assert m.task_ids.tolist() == ["t1", "t2"]

    def test_csv_missing_header_column_raises(self, tmp_path: Path) -> None:
        """A CSV without a task column is rejected, naming the file and column."""
        path = tmp_path / "labels.csv"
        path.write_text("worker,label\nw1,1\n")
        with pytest.raises(QualityInputError, match=r"missing column\(s\) \['task'\]"):
            LabelMatrix.from_csv(path)

    def test_csv_short_row_raises(self, tmp_path: Path) -> None:
        """A row with too few fields is rejected with its line number."""
        path = tmp_path / "labels.csv"
        path.write_text("worker,task,label\nw1,t1\n")
        with pytest.raises(QualityInputError, match="line 2"):
            LabelMatrix.from_csv(path)
