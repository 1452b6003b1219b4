"""OrdinalAggregator: ratings with per-annotator bias and spread (Piech et al. 2013)."""

from __future__ import annotations

import numpy as np
import pytest

from labelshare.quality import ConvergenceWarning, QualityInputError
from labelshare.quality.structured import (
    OrdinalAggregator,
    mean_absolute_error,
    rating_probabilities,
    synthetic_ratings,
)


class TestRatingProbabilities:
    def test_rows_sum_to_one_and_peak_at_mean(self) -> None:
        """The discretised Gaussian sums to one and peaks at the rounded mean."""
        probas = rating_probabilities(np.array([1.0, 3.2, 9.0]), np.array([0.3, 0.3, 0.3]), 5)
        np.testing.assert_allclose(probas.sum(axis=1), 1.0)
        assert np.argmax(probas, axis=1).tolist() == [0, 2, 4]

    def test_wide_spread_is_not_confident(self) -> None:
        """A wide posterior puts less mass on its mode than a narrow one."""
        narrow = rating_probabilities(np.array([3.0]), np.array([0.2]), 5)
        wide = rating_probabilities(np.array([3.0]), np.array([2.0]), 5)
        assert wide[0, 2] < narrow[0, 2]


@pytest.fixture
def biased_rows() -> list[tuple[str, str, int]]:
    """a and b rate the truth; c always rates one point higher (capped at 5)."""
    truth = {"i1": 1, "i2": 2, "i3": 3, "i4": 4, "i5": 2, "i6": 3, "i7": 1, "i8": 4}
    rows = []
    for item, value in truth.items():
        rows += [(item, "a", value), (item, "b", value), (item, "c", min(value + 1, 5))]
    return rows


class TestOrdinalAggregator:
    def test_bias_is_learned_and_corrected(self, biased_rows: list[tuple[str, str, int]]) -> None:
        """A constant +1 rater gets a positive bias and does not pull the aggregate."""
        agg = OrdinalAggregator(max_rating=5).fit(biased_rows)
        truth = {item: value for item, worker, value in biased_rows if worker == "a"}
        assert dict(zip(agg.item_ids_.tolist(), agg.labels_, strict=True)) == truth
        biases = dict(zip(agg.worker_ids_.tolist(), agg.biases_, strict=True))
        assert biases["c"] > 0.5 > abs(biases["a"])

    def test_biased_labels_weigh_less(self, biased_rows: list[tuple[str, str, int]]) -> None:
        """Labels that are off by one get lower leave-one-out weights than exact ones."""
        agg = OrdinalAggregator(max_rating=5).fit(biased_rows)
        weights = agg.quality_weights_.reshape(-1, 3)
        assert np.all(weights[:, 2] < weights[:, 0])
        skills = dict(zip(agg.worker_ids_.tolist(), agg.skills_, strict=True))
        assert skills["c"] < skills["a"]

    def test_tolerance_raises_weights(self, biased_rows: list[tuple[str, str, int]]) -> None:
        """Counting off-by-one as right never lowers a weight."""
        exact = OrdinalAggregator(max_rating=5).fit(biased_rows).quality_weights_
        lenient = OrdinalAggregator(max_rating=5, tolerance=1).fit(biased_rows).quality_weights_
        assert np.all(lenient >= exact - 1e-12)
        assert np.any(lenient > exact + 1e-3)

    def test_synthetic_beats_mean_and_median(self) -> None:
        """On biased, noisy synthetic raters the model's MAE is below the rounded mean's."""
        data = synthetic_ratings(300, 5, random_state=3)
        agg = OrdinalAggregator(max_rating=5).fit(data.rows)
        ours = mean_absolute_error(
            dict(zip(agg.item_ids_.tolist(), agg.labels_, strict=True)), data.gold
        )
        by_item: dict[str, list[int]] = {}
        for row in data.rows:
            by_item.setdefault(str(row.item), []).append(row.value)
        mean = {i: float(np.clip(np.rint(np.mean(v)), 1, 5)) for i, v in by_item.items()}
        assert ours < mean_absolute_error(mean, data.gold)

    def test_cap_warns(self, biased_rows: list[tuple[str, str, int]]) -> None:
        """Stopping at n_iter before the tolerance warns with ConvergenceWarning."""
        with pytest.warns(ConvergenceWarning, match="n_iter=1"):
            OrdinalAggregator(max_rating=5, n_iter=1, tol=0.0).fit(biased_rows)

    def test_bad_rating_raises(self) -> None:
        """A rating outside 1..K or not an integer is refused."""
        with pytest.raises(QualityInputError, match="rating 6 is outside 1..5"):
            OrdinalAggregator(max_rating=5).fit([("x", "a", 6)])
        with pytest.raises(QualityInputError, match="must be an integer"):
            OrdinalAggregator(max_rating=5).fit([("x", "a", True)])

    def test_bad_params_raise(self) -> None:
        """Bad hyperparameters are refused at fit, naming the parameter."""
        with pytest.raises(QualityInputError, match="max_rating: must be >= 2"):
            OrdinalAggregator(max_rating=1).fit([("x", "a", 1)])
        with pytest.raises(QualityInputError, match="prior_spread"):
            OrdinalAggregator(max_rating=5, prior_spread=0).fit([("x", "a", 1)])
