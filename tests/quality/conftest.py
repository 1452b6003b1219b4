"""Toy label matrices worked by hand."""

from __future__ import annotations

import pytest

from labelshare.quality import LabelMatrix


@pytest.fixture
def flipped() -> LabelMatrix:
    """Workers a and b are always right on tasks t1..t4 (truth 0, 0, 1, 1); c always flips."""
    truth = {"t1": "0", "t2": "0", "t3": "1", "t4": "1"}
    tasks, workers, labels = [], [], []
    for task, answer in truth.items():
        for worker in ("a", "b"):
            tasks.append(task)
            workers.append(worker)
            labels.append(answer)
        tasks.append(task)
        workers.append("c")
        labels.append("1" if answer == "0" else "0")
    return LabelMatrix.from_arrays(tasks, workers, labels)


@pytest.fixture
def tie() -> LabelMatrix:
    """One task with one vote for each of two classes, one task with a clear majority."""
    return LabelMatrix.from_arrays(
        ["x", "x", "y", "y", "y"], ["a", "b", "a", "b", "c"], ["cat", "dog", "dog", "dog", "cat"]
    )
