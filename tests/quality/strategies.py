"""Hypothesis strategies for label matrices."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from numpy.typing import NDArray

Answers = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]


@st.composite
def answers(
    draw: st.DrawFn, *, max_tasks: int = 8, max_workers: int = 5, n_classes: int = 3
) -> Answers:
    """Unique (task, worker) pairs with labels; every class appears at least once."""
    n_tasks = draw(st.integers(2, max_tasks))
    n_workers = draw(st.integers(2, max_workers))
    pairs = draw(
        st.sets(
            st.tuples(st.integers(0, n_tasks - 1), st.integers(0, n_workers - 1)),
            min_size=n_classes,
            max_size=n_tasks * n_workers,
        )
    )
    ordered = sorted(pairs)
    labels = draw(
        st.lists(st.integers(0, n_classes - 1), min_size=len(ordered), max_size=len(ordered))
    )
    labels[:n_classes] = list(range(n_classes))
    t = np.array([p[0] for p in ordered], dtype=np.int64)
    w = np.array([p[1] for p in ordered], dtype=np.int64)
    return t, w, np.array(labels, dtype=np.int64)
