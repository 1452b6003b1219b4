"""Plackett–Luce: known answers and recovery of true scores."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from labelshare.quality import ConvergenceWarning, QualityInputError
from labelshare.quality.preference import PlackettLuce


def _gumbel_rankings(
    seed: int, n_objects: int, n_rankings: int, size: int
) -> tuple[list[list[int]], np.ndarray]:
    """Rankings of random subsets drawn from Plackett–Luce by the Gumbel-max trick."""
    rng = np.random.default_rng(seed)
    scores = rng.normal(size=n_objects)
    rankings = []
    for _ in range(n_rankings):
        subset = rng.choice(n_objects, size, replace=False)
        noisy = scores[subset] + rng.gumbel(size=size)
        rankings.append(subset[np.argsort(-noisy)].tolist())
    return rankings, scores


class TestPlackettLuce:
    def test_pairs_reduce_to_bradley_terry(self) -> None:
        """With rankings of two and no prior, 3 wins to 1 give a gap of log 3."""
        model = PlackettLuce(prior=0.0).fit([["x", "y"]] * 3 + [["y", "x"]])
        assert model.scores_[0] - model.scores_[1] == pytest.approx(np.log(3.0), abs=1e-6)

    def test_recovers_true_order(self) -> None:
        """Rankings drawn from the model give scores ranked like the truth."""
        rankings, truth = _gumbel_rankings(0, n_objects=30, n_rankings=800, size=5)
        model = PlackettLuce().fit(rankings)
        assert spearmanr(model.scores_, truth).statistic > 0.95

    def test_weights_count_as_repeats(self) -> None:
        """A ranking of weight 2 counts as that ranking given twice."""
        rankings = [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]]
        weighted = PlackettLuce().fit(rankings, sample_weight=np.array([2.0, 1.0, 1.0]))
        repeated = PlackettLuce().fit([rankings[0], *rankings])
        np.testing.assert_allclose(weighted.scores_, repeated.scores_, atol=1e-6)

    def test_rankings_of_mixed_lengths(self) -> None:
        """Rankings of different lengths fit together; the object always first wins."""
        model = PlackettLuce().fit([["a", "b", "c", "d"], ["a", "c"], ["a", "d", "b"]])
        assert model.ranking()[0] == "a"

    @pytest.mark.parametrize(
        ("rankings", "kwargs", "message"),
        [
            ([], {}, r"^rankings: no rankings given"),
            ([["a"]], {}, r"^rankings\[0\]: must list at least two distinct"),
            ([["a", "b", "a"]], {}, r"^rankings\[0\]: must list at least two distinct"),
            ([["a", "b"]], {"sample_weight": np.array([-1.0])}, r"^sample_weight: weights must"),
            ([["a", "b"]], {"sample_weight": np.array([1.0, 1.0])}, r"^sample_weight: expected 1"),
        ],
    )
    def test_bad_input_is_refused(
        self, rankings: list[list[str]], kwargs: dict[str, np.ndarray], message: str
    ) -> None:
        """Empty, short or repeating rankings and bad weights are refused."""
        with pytest.raises(QualityInputError, match=message):
            PlackettLuce().fit(rankings, **kwargs)

    def test_cap_warns(self) -> None:
        """Stopping at the iteration cap warns with ConvergenceWarning."""
        rankings, _ = _gumbel_rankings(1, n_objects=10, n_rankings=50, size=4)
        with pytest.warns(ConvergenceWarning, match=r"PlackettLuce stopped at n_iter=1"):
            PlackettLuce(n_iter=1).fit(rankings)
