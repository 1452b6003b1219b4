"""Reading worker,task,label files of existing crowd labels."""

from __future__ import annotations

from pathlib import Path

import pytest

from labelshare.errors import ImportFailed
from labelshare.io import LabelRecord, read_labels_csv
from tests.io.conftest import WriteFile

# The public data sets in the steering folder beside the checkout (see its README).
BENCHMARKS = Path(__file__).resolve().parents[3] / "shared" / "benchmarks" / "aggregation"


class TestReadLabelsCsv:
    def test_rows_become_records_with_their_lines(self, write_file: WriteFile) -> None:
        """Each row gives worker, task and label as written, with its line."""
        path = write_file("l.csv", "worker,task,label\nw1,t1,0\nw2,t1,1\n")
        assert list(read_labels_csv(path)) == [
            LabelRecord("w1", "t1", "0", 2),
            LabelRecord("w2", "t1", "1", 3),
        ]

    def test_columns_may_come_in_any_order(self, write_file: WriteFile) -> None:
        """A header task,label,worker is read by name."""
        path = write_file("l.csv", "task,label,worker\nt1,0,w1\n")
        assert list(read_labels_csv(path)) == [LabelRecord("w1", "t1", "0", 2)]

    @pytest.mark.parametrize("header", ["worker,task", "worker,task,label,time", "a,b,c"])
    def test_other_headers_are_refused(self, write_file: WriteFile, header: str) -> None:
        """The header must name exactly worker, task and label."""
        with pytest.raises(
            ImportFailed, match=r"^line 1: the header must name exactly the columns"
        ):
            list(read_labels_csv(write_file("l.csv", header + "\n")))

    def test_wrong_column_count_names_the_line(self, write_file: WriteFile) -> None:
        """A row with two cells fails at its line."""
        path = write_file("l.csv", "worker,task,label\nw1,t1,0\nw1,t2\n")
        with pytest.raises(ImportFailed, match=r"^line 3: row has 2 cells; the header has 3$"):
            list(read_labels_csv(path))

    def test_empty_cell_is_refused(self, write_file: WriteFile) -> None:
        """An empty label cell fails naming the label."""
        path = write_file("l.csv", "worker,task,label\nw1,t1,\n")
        with pytest.raises(ImportFailed, match=r"^line 2: label is empty"):
            list(read_labels_csv(path))

    def test_repeated_answer_is_refused(self, write_file: WriteFile) -> None:
        """A worker answering the same task twice fails at the repeat."""
        path = write_file("l.csv", "worker,task,label\nw1,t1,0\nw2,t1,0\nw1,t1,1\n")
        with pytest.raises(
            ImportFailed, match=r"^line 4: worker 'w1' labels task 't1' again \(first on line 2\)"
        ):
            list(read_labels_csv(path))

    @pytest.mark.skipif(not BENCHMARKS.is_dir(), reason="shared benchmark data not present")
    def test_reads_a_public_benchmark_file(self) -> None:
        """The d_sentiment benchmark reads as 20,000 labels."""
        records = list(read_labels_csv(BENCHMARKS / "d_sentiment" / "labels.csv"))
        assert len(records) == 20_000
        assert records[0].line == 2
