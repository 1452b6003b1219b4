"""Synthetic preference data with known true scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from numpy.typing import NDArray

from labelshare.quality.preference import Comparisons


@dataclass(frozen=True)
class Synthetic:
    """Judgements drawn from a Bradley–Terry model with known scores and annotator kinds."""

    comparisons: Comparisons
    true_scores: NDArray[np.float64]
    spammers: NDArray[np.int64]


def draw(
    *, n_objects: int, n_judgements: int, n_workers: int, n_spammers: int, seed: int
) -> Synthetic:
    """Honest workers answer by BT with the true scores; spammers answer at random."""
    rng = np.random.default_rng(seed)
    scores = rng.normal(scale=1.5, size=n_objects)
    first = rng.integers(0, n_objects, n_judgements)
    second = (first + rng.integers(1, n_objects, n_judgements)) % n_objects
    workers = rng.integers(0, n_workers, n_judgements)
    p_first = 1.0 / (1.0 + np.exp(-(scores[first] - scores[second])))
    honest = rng.random(n_judgements) < p_first
    coin = rng.random(n_judgements) < 0.5
    first_won = np.where(workers < n_spammers, coin, honest)
    comparisons = Comparisons.from_arrays(
        first, second, np.where(first_won, "A", "B"), workers=workers
    )
    return Synthetic(comparisons, scores, np.arange(n_spammers, dtype=np.int64))


@pytest.fixture(scope="session")
def honest_pool() -> Synthetic:
    """40 objects, 6,000 judgements by 10 honest workers."""
    return draw(n_objects=40, n_judgements=6000, n_workers=10, n_spammers=0, seed=1)


@pytest.fixture(scope="session")
def noisy_pool() -> Synthetic:
    """60 objects, 6,000 judgements by 20 workers of whom the first 8 answer at random."""
    return draw(n_objects=60, n_judgements=6000, n_workers=20, n_spammers=8, seed=2)
