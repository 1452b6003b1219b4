"""Bradley–Terry and Crowd-BT: known answers and recovery of true scores."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from labelshare.quality import ConvergenceWarning, NotFittedError, QualityInputError
from labelshare.quality.preference import BradleyTerry, Comparisons, CrowdBT

from .conftest import Synthetic


class TestBradleyTerry:
    def test_two_objects_known_answer(self) -> None:
        """With 3 wins to 1 and no prior, the score gap is log 3 (the ML estimate)."""
        comparisons = Comparisons.from_arrays(["x"] * 4, ["y"] * 4, ["A", "A", "A", "B"])
        model = BradleyTerry(prior=0.0).fit(comparisons)
        gap = model.scores_[0] - model.scores_[1]
        assert gap == pytest.approx(np.log(3.0), abs=1e-4)

    def test_prior_keeps_an_undefeated_object_finite(self) -> None:
        """An object that never lost gets a finite score, above the one it beat."""
        comparisons = Comparisons.from_arrays(["x", "x"], ["y", "y"], ["A", "A"])
        model = BradleyTerry(prior=0.5).fit(comparisons)
        assert np.all(np.isfinite(model.scores_))
        assert model.scores_[0] > model.scores_[1]
        assert model.ranking().tolist() == ["x", "y"]

    def test_tie_is_half_a_win(self) -> None:
        """One win each way and ties only give equal scores."""
        comparisons = Comparisons.from_arrays(["x", "x", "x"], ["y", "y", "y"], ["A", "B", "tie"])
        model = BradleyTerry().fit(comparisons)
        assert model.scores_[0] == pytest.approx(model.scores_[1], abs=1e-6)

    def test_recovers_true_order(self, honest_pool: Synthetic) -> None:
        """On honest BT data the fitted scores rank objects like the truth (rho > 0.95)."""
        model = BradleyTerry().fit(honest_pool.comparisons)
        rho = spearmanr(model.scores_, honest_pool.true_scores).statistic
        assert rho > 0.95

    def test_weights_scale_evidence(self) -> None:
        """Doubling every weight is the same as giving every judgement twice."""
        comparisons = Comparisons.from_arrays(["x", "y", "x"], ["y", "z", "z"], ["A", "A", "B"])
        doubled = comparisons.take(np.array([0, 0, 1, 1, 2, 2]))
        weighted = BradleyTerry().fit(comparisons, sample_weight=np.full(3, 2.0)).scores_
        repeated = BradleyTerry().fit(doubled).scores_
        np.testing.assert_allclose(weighted, repeated, atol=1e-5)

    def test_unfitted_attribute_raises(self) -> None:
        """Reading scores_ before fit raises NotFittedError."""
        with pytest.raises(NotFittedError, match=r"BradleyTerry\.scores_ is not available"):
            _ = BradleyTerry().scores_

    @pytest.mark.parametrize(
        ("params", "message"),
        [({"prior": -1.0}, r"^prior: "), ({"n_iter": 0}, r"^n_iter: "), ({"tol": 0.0}, r"^tol: ")],
    )
    def test_bad_parameters_are_refused(self, params: dict[str, float], message: str) -> None:
        """Negative priors, a zero cap or a zero tolerance are refused at fit."""
        comparisons = Comparisons.from_arrays(["x"], ["y"], ["A"])
        with pytest.raises(QualityInputError, match=message):
            BradleyTerry(**params).fit(comparisons)  # type: ignore[arg-type]  # params are kwargs of the estimator

    def test_bad_weights_are_refused(self) -> None:
        """Negative weights are refused."""
        comparisons = Comparisons.from_arrays(["x"], ["y"], ["A"])
        with pytest.raises(QualityInputError, match=r"^sample_weight: weights must be finite"):
            BradleyTerry().fit(comparisons, sample_weight=np.array([-1.0]))

    def test_cap_warns(self, honest_pool: Synthetic) -> None:
        """Stopping at the iteration cap warns with ConvergenceWarning."""
        with pytest.warns(ConvergenceWarning, match=r"stopped at n_iter=1"):
            BradleyTerry(n_iter=1).fit(honest_pool.comparisons)

    @settings(max_examples=25, deadline=None)
    @given(st.permutations(list(range(6))), st.integers(0, 2**31 - 1))
    def test_row_order_does_not_matter(self, permutation: list[int], seed: int) -> None:
        """Shuffling the judgements leaves the scores unchanged."""
        rng = np.random.default_rng(seed)
        first = rng.integers(0, 4, 6)
        second = (first + 1 + rng.integers(0, 3, 6)) % 4
        outcomes = rng.integers(0, 3, 6)
        comparisons = Comparisons.from_arrays(first, second, outcomes)
        shuffled = comparisons.take(np.asarray(permutation))
        np.testing.assert_allclose(
            BradleyTerry().fit(comparisons).scores_,
            BradleyTerry().fit(shuffled).scores_,
            atol=1e-5,
        )


class TestCrowdBT:
    def test_spammers_get_low_reliability(self, noisy_pool: Synthetic) -> None:
        """Workers answering at random get eta near 0.5; honest ones near 1."""
        model = CrowdBT().fit(noisy_pool.comparisons)
        spam = np.isin(np.arange(model.skills_.size), noisy_pool.spammers)
        assert np.all(np.abs(model.skills_[spam] - 0.5) < 0.15)
        assert np.all(model.skills_[~spam] > 0.85)

    def test_beats_plain_bt_with_spammers(self, noisy_pool: Synthetic) -> None:
        """With 40% random workers Crowd-BT ranks at least as well as plain BT."""
        truth = noisy_pool.true_scores
        plain = spearmanr(BradleyTerry().fit(noisy_pool.comparisons).scores_, truth).statistic
        crowd = spearmanr(CrowdBT().fit(noisy_pool.comparisons).scores_, truth).statistic
        assert crowd >= plain
        assert crowd > 0.9

    def test_adversary_is_read_reversed(self) -> None:
        """A worker who always reports the loser gets eta below 0.5."""
        rng = np.random.default_rng(3)
        first = rng.integers(0, 10, 2000)
        second = (first + rng.integers(1, 10, 2000)) % 10
        workers = rng.integers(0, 5, 2000)
        truthful = first > second
        reported = np.where(workers == 0, ~truthful, truthful)
        comparisons = Comparisons.from_arrays(
            first, second, np.where(reported, "A", "B"), workers=workers
        )
        model = CrowdBT().fit(comparisons)
        assert model.skills_[0] < 0.2
        assert np.all(model.skills_[1:] > 0.8)
        assert model.ranking().tolist() == list(range(9, -1, -1))

    def test_bad_reliability_prior_is_refused(self) -> None:
        """A reliability prior that is not two positive numbers is refused."""
        comparisons = Comparisons.from_arrays(["x"], ["y"], ["A"])
        with pytest.raises(QualityInputError, match=r"^reliability_prior\[1\]: "):
            CrowdBT(reliability_prior=(1.0, 0.0)).fit(comparisons)
        with pytest.raises(QualityInputError, match=r"^reliability_prior: expected two numbers"):
            CrowdBT(reliability_prior="ab").fit(comparisons)  # type: ignore[arg-type]  # a wrong type on purpose
