"""Per-annotator position bias."""

from __future__ import annotations

import numpy as np
import pytest

from labelshare.quality import QualityInputError
from labelshare.quality.preference import Comparisons, position_bias


def _judgements(rng: np.random.Generator, n: int) -> tuple[list[str], list[str], list[str]]:
    shown = rng.choice(["A", "B"], size=n).tolist()
    honest = rng.choice(["A", "B"], size=n).tolist()
    return shown, honest, ["w"] * n


class TestPositionBias:
    def test_always_left_is_flagged_and_honest_is_not(self) -> None:
        """A worker who always picks the first-shown answer has rate ~1; a reader ~0.5."""
        rng = np.random.default_rng(0)
        n = 200
        shown = rng.choice(["A", "B"], size=2 * n).tolist()
        honest = rng.choice(["A", "B"], size=n).tolist()
        outcomes = shown[:n] + honest
        workers = ["left"] * n + ["reader"] * n
        comparisons = Comparisons.from_arrays(
            np.arange(2 * n),
            np.arange(2 * n) + 10_000,
            outcomes,
            workers=workers,
            shown_first=shown,
        )
        bias = position_bias(comparisons)
        assert bias.worker_ids.tolist() == ["left", "reader"]
        assert bias.n_judged.tolist() == [n, n]
        assert bias.n_first[0] == n
        assert bias.first_rate[0] > 0.98
        assert bias.is_biased.tolist() == [True, False]
        assert abs(bias.bias[1]) < 0.1

    def test_ties_and_unknown_orders_are_not_counted(self) -> None:
        """Judgements without a display order, and ties, leave the prior mean."""
        comparisons = Comparisons.from_arrays(
            ["a", "a"], ["b", "c"], ["A", "tie"], shown_first=[None, "A"]
        )
        bias = position_bias(comparisons)
        assert bias.n_judged.tolist() == [0]
        assert bias.first_rate.tolist() == [0.5]

    def test_bad_credibility_is_refused(self) -> None:
        """A credibility outside (0, 1) is refused."""
        comparisons = Comparisons.from_arrays(["a"], ["b"], ["A"])
        with pytest.raises(QualityInputError, match=r"^credibility: must be in \(0, 1\)"):
            position_bias(comparisons, credibility=0.0)
