"""Bootstrap intervals of scores and ranks."""

from __future__ import annotations

import numpy as np
import pytest

from labelshare.quality import QualityInputError
from labelshare.quality.preference import BradleyTerry, Comparisons, CrowdBT, bootstrap_scores

from .conftest import draw


class TestBootstrapScores:
    def test_intervals_cover_the_point_estimate_and_are_reproducible(self) -> None:
        """Intervals contain most full-data scores and repeat exactly with the same seed."""
        pool = draw(n_objects=8, n_judgements=600, n_workers=4, n_spammers=0, seed=5)
        first = bootstrap_scores(pool.comparisons, n_resamples=40, random_state=7)
        again = bootstrap_scores(pool.comparisons, n_resamples=40, random_state=7)
        np.testing.assert_array_equal(first.lower, again.lower)
        inside = (first.lower <= first.scores) & (first.scores <= first.upper)
        assert inside.mean() >= 0.75
        assert np.all(first.rank_lower <= first.rank_upper)
        assert first.ranking()[0] == int(np.argmax(pool.true_scores))

    def test_more_data_gives_narrower_intervals(self) -> None:
        """Ten times the judgements give narrower score intervals on average."""
        small = draw(n_objects=6, n_judgements=200, n_workers=3, n_spammers=0, seed=6)
        large = draw(n_objects=6, n_judgements=2000, n_workers=3, n_spammers=0, seed=6)
        width_small = bootstrap_scores(small.comparisons, n_resamples=30)
        width_large = bootstrap_scores(large.comparisons, n_resamples=30)
        assert np.mean(width_large.upper - width_large.lower) < np.mean(
            width_small.upper - width_small.lower
        )

    def test_estimator_is_cloned_not_modified(self) -> None:
        """A given estimator is refitted from its parameters and left unfitted."""
        comparisons = Comparisons.from_arrays(["x", "y"], ["y", "z"], ["A", "A"], workers=[1, 2])
        model = CrowdBT(n_iter=50)
        intervals = bootstrap_scores(comparisons, estimator=model, n_resamples=3)
        assert intervals.n_resamples == 3
        assert "scores_" not in vars(model)

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"level": 1.0}, r"^level: must be in \(0, 1\)"),
            ({"n_resamples": 0}, r"^n_resamples: must be an integer >= 1"),
            ({"estimator": "bt"}, r"^estimator: expected a pairwise estimator"),
        ],
    )
    def test_bad_arguments_are_refused(self, kwargs: dict[str, object], message: str) -> None:
        """Levels outside (0, 1), no resamples and non-estimators are refused."""
        comparisons = Comparisons.from_arrays(["x"], ["y"], ["A"])
        with pytest.raises(QualityInputError, match=message):
            bootstrap_scores(comparisons, **kwargs)  # type: ignore[arg-type]  # wrong types on purpose

    def test_default_estimator_is_bradley_terry(self) -> None:
        """Without an estimator the full-data scores are Bradley–Terry's."""
        comparisons = Comparisons.from_arrays(["x", "x", "y"], ["y", "z", "z"], ["A", "A", "B"])
        intervals = bootstrap_scores(comparisons, n_resamples=2)
        np.testing.assert_allclose(intervals.scores, BradleyTerry().fit(comparisons).scores_)
