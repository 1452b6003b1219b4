"""Existing crowd labels as CSV rows ``worker,task,label``.

This is the form of public crowdsourcing data sets (one row per answer). The service
creates an item per task and an account per worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from labelshare.errors import ImportFailed
from labelshare.io.csv_items import csv_rows
from labelshare.io.records import LabelRecord

LABEL_COLUMNS = ("worker", "task", "label")
"""The columns a labels file must have (in any order), and the only ones it may have."""


def read_labels_csv(path: Path) -> Iterator[LabelRecord]:
    """Read ``worker,task,label`` rows one at a time.

    Args:
        path: the CSV file, with a header naming the three columns.

    Yields:
        One ``LabelRecord`` per row, in file order.

    Raises:
        ImportFailed: at the first malformed row (bad header, wrong number of cells, an
            empty cell, or a worker labelling the same task twice), naming its line.
    """
    rows = csv_rows(path)
    header_line, header = next(rows, (1, []))
    if sorted(header) != sorted(LABEL_COLUMNS):
        raise ImportFailed(
            "the header must name exactly the columns worker, task, label; "
            f"got {', '.join(header) or 'nothing'}",
            line=header_line,
        )
    worker_at, task_at, label_at = (header.index(name) for name in LABEL_COLUMNS)
    # One entry per (worker, task) pair: the price of naming a repeated answer's line.
    first_line: dict[tuple[str, str], int] = {}
    for line, row in rows:
        if len(row) != len(header):
            raise ImportFailed(f"row has {len(row)} cells; the header has {len(header)}", line=line)
        record = LabelRecord(row[worker_at], row[task_at], row[label_at], line)
        for name in LABEL_COLUMNS:
            if not getattr(record, name).strip():
                raise ImportFailed(f"{name} is empty", line=line, field=name)
        first = first_line.setdefault((record.worker, record.task), line)
        if first != line:
            raise ImportFailed(
                f"worker {record.worker!r} labels task {record.task!r} again "
                f"(first on line {first})",
                line=line,
            )
        yield record
