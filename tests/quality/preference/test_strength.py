"""A pairwise label's strength weighs its judgement in the global scores."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from labelshare.quality import QualityInputError
from labelshare.quality.preference import (
    BradleyTerry,
    Comparisons,
    CrowdBT,
    bootstrap_scores,
    comparisons_from_values,
)

# Two models answer one prompt; response 0 is model "m0", response 1 model "m1".
OBJECTS = {"q": ["m0", "m1"]}


def _judged(values: list[dict[str, Any]], **kwargs: Any) -> Comparisons:
    annotators = [f"w{k}" for k in range(len(values))]
    return comparisons_from_values(
        ["q"] * len(values), annotators, values, response_objects=OBJECTS, **kwargs
    )


def _gap(scores: np.ndarray) -> float:
    """Score of m0 minus score of m1 (object ids are sorted: m0 first)."""
    return float(scores[0] - scores[1])


class TestStrengthWeights:
    def test_strength_over_the_middle_of_the_scale(self) -> None:
        """On 1..3, strengths 1, 2, 3 weigh 0.5, 1, 1.5; a tie or no strength weighs 1."""
        values: list[dict[str, Any]] = [
            {"choice": "A", "strength": 1},
            {"choice": "B", "strength": 2},
            {"choice": "A", "strength": 3},
            {"choice": "tie"},
            {"choice": "B"},
        ]
        comparisons = _judged(values, max_strength=3)
        assert comparisons.weights.tolist() == [0.5, 1.0, 1.5, 1.0, 1.0]

    def test_rankings_weigh_one_per_pair(self) -> None:
        """A ranking states no strength: each of its pairs weighs 1."""
        comparisons = comparisons_from_values(["r"], ["w"], [{"order": [2, 0, 1]}])
        assert comparisons.weights.tolist() == [1.0, 1.0, 1.0]

    def test_take_keeps_the_weights(self) -> None:
        """Selected judgements keep their own weights."""
        comparisons = _judged(
            [{"choice": "A", "strength": 1}, {"choice": "A", "strength": 3}], max_strength=3
        )
        assert comparisons.take(np.array([1, 1, 0])).weights.tolist() == [1.5, 1.5, 0.5]

    def test_strength_without_the_scale_raises(self) -> None:
        """A stated strength needs the schema's max_strength to be weighed."""
        with pytest.raises(QualityInputError, match="max_strength: labels state a strength"):
            _judged([{"choice": "A", "strength": 2}])

    @pytest.mark.parametrize(
        ("strength", "message"),
        [
            (4, r"values\[0\].strength: 4 is above 3"),
            (0, r"values\[0\].strength: 0 is not an integer >= 1"),
            ("2", r"values\[0\].strength: '2' is not an integer >= 1"),
            (True, r"values\[0\].strength: True is not an integer >= 1"),
        ],
    )
    def test_bad_strength_raises(self, strength: Any, message: str) -> None:
        """A strength off the scale or not an integer is refused, naming the label."""
        with pytest.raises(QualityInputError, match=message):
            _judged([{"choice": "A", "strength": strength}], max_strength=3)

    def test_bad_weights_raise(self) -> None:
        """Weights given to from_arrays must be one finite, non-negative number each."""
        with pytest.raises(QualityInputError, match="weights: every weight must be finite"):
            Comparisons.from_arrays(["x"], ["y"], ["A"], weights=[-1.0])
        with pytest.raises(QualityInputError, match=r"weights: expected 1 entries"):
            Comparisons.from_arrays(["x"], ["y"], ["A"], weights=[1.0, 1.0])


class TestStrengthInScores:
    def test_bradley_terry_known_answer(self) -> None:
        """A strong A against a weak B is 1.5 to 0.5 evidence: a score gap of log 3."""
        values = [{"choice": "A", "strength": 3}, {"choice": "B", "strength": 1}]
        model = BradleyTerry(prior=0.0).fit(_judged(values, max_strength=3))
        assert _gap(model.scores_) == pytest.approx(np.log(3.0), abs=1e-4)
        plain = [{"choice": "A"}, {"choice": "B"}]
        unweighted = BradleyTerry(prior=0.0).fit(_judged(plain, max_strength=3))
        assert _gap(unweighted.scores_) == pytest.approx(0.0, abs=1e-6)

    def test_stronger_preferences_move_the_scores_further(self) -> None:
        """The same choices stated more strongly separate the two models more."""
        weak = [{"choice": "A", "strength": 1}] * 3 + [{"choice": "B", "strength": 1}]
        strong = [{"choice": "A", "strength": 3}] * 3 + [{"choice": "B", "strength": 1}]
        for estimator in (BradleyTerry(), CrowdBT()):
            gap_weak = _gap(estimator.fit(_judged(weak, max_strength=3)).scores_)
            gap_strong = _gap(estimator.fit(_judged(strong, max_strength=3)).scores_)
            assert gap_strong > gap_weak > 0

    def test_crowd_bt_follows_the_stronger_side(self) -> None:
        """Two strong votes for A against two weak ones for B rank A first."""
        values = [{"choice": "A", "strength": 3}] * 2 + [{"choice": "B", "strength": 1}] * 2
        model = CrowdBT().fit(_judged(values, max_strength=3))
        assert _gap(model.scores_) > 0.1
        plain = [{"choice": "A"}] * 2 + [{"choice": "B"}] * 2
        assert _gap(CrowdBT().fit(_judged(plain, max_strength=3)).scores_) == pytest.approx(
            0.0, abs=1e-4
        )

    @pytest.mark.parametrize("estimator", [BradleyTerry(), CrowdBT()], ids=["bt", "crowd-bt"])
    def test_without_strength_nothing_changes(self, estimator: BradleyTerry | CrowdBT) -> None:
        """No strength, or the middle strength everywhere, fits exactly as before."""
        choices = ["A", "A", "B", "A", "tie", "B"]
        plain = [{"choice": c} for c in choices]
        middle = [{"choice": c} if c == "tie" else {"choice": c, "strength": 2} for c in choices]
        before = Comparisons.from_arrays(
            ["m0"] * 6, ["m1"] * 6, choices, workers=[f"w{k}" for k in range(6)]
        )
        expected = estimator.fit(before).scores_.copy()
        np.testing.assert_array_equal(estimator.fit(_judged(plain)).scores_, expected)
        np.testing.assert_array_equal(
            estimator.fit(_judged(middle, max_strength=3)).scores_, expected
        )

    def test_bootstrap_weighs_strength_once(self) -> None:
        """The bootstrap's full-data scores are the plain fit's, strength counted once."""
        values = [{"choice": "A", "strength": 3}, {"choice": "B", "strength": 1}] * 3
        comparisons = _judged(values, max_strength=3)
        intervals = bootstrap_scores(comparisons, n_resamples=5)
        np.testing.assert_allclose(intervals.scores, BradleyTerry().fit(comparisons).scores_)
        doubled = BradleyTerry().fit(comparisons, sample_weight=comparisons.weights).scores_
        assert not np.allclose(intervals.scores, doubled)
