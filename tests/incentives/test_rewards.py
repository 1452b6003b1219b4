"""Tests for labelshare.incentives.rewards."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from labelshare.errors import InvalidSettlementInput
from labelshare.incentives.rewards import (
    QUALITY_SCALE,
    RewardTerms,
    annotator_factors,
    earned_units,
    gold_factor,
    label_multiplier,
    pay_rewards,
    peer_factor,
    reward_demands,
    to_fixed_point,
)

unit_floats = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


class TestLabelMultiplier:
    def test_zero_at_and_below_chance_one_at_certainty(self) -> None:
        """Chance-level and worse labels earn nothing; certain ones earn the full rate."""
        m = label_multiplier(np.array([0.0, 0.25, 0.5, 0.75, 1.0]), chance_level=0.5)
        np.testing.assert_allclose(m, [0.0, 0.0, 0.0, 0.5, 1.0])

    def test_exponent_favours_certainty(self) -> None:
        """An exponent of 2 squares the linear multiplier."""
        m = label_multiplier(np.array([0.75]), chance_level=0.5, exponent=2.0)
        np.testing.assert_allclose(m, [0.25])

    @given(hnp.arrays(np.float64, st.integers(0, 50), elements=unit_floats), unit_floats)
    def test_monotone_and_bounded(self, weights: np.ndarray, chance: float) -> None:
        """The multiplier lies in [0, 1] and never decreases with quality."""
        chance = min(chance, 0.99)
        ordered = np.sort(weights)
        m = label_multiplier(ordered, chance_level=chance)
        assert ((m >= 0) & (m <= 1)).all()
        assert (np.diff(m) >= 0).all()


class TestFixedPoint:
    def test_rounds_half_to_even(self) -> None:
        """Half a unit rounds to the even neighbour, one rule on every platform."""
        values = np.array([0.5, 1.5, 2.5]) / QUALITY_SCALE
        assert to_fixed_point(values).tolist() == [0, 2, 2]

    def test_full_quality_is_scale(self) -> None:
        """1.0 becomes exactly QUALITY_SCALE units."""
        assert to_fixed_point(np.array([1.0, 0.0])).tolist() == [QUALITY_SCALE, 0]


class TestFactors:
    def test_gold_factor_rewards_accuracy(self) -> None:
        """Perfect gold gives a higher factor than chance-level gold, which gives zero."""
        f = gold_factor(
            np.array([100, 50]), np.array([100, 100]), chance_level=0.5, prior_alpha=1, prior_beta=1
        )
        assert f[0] > 0.95
        assert f[1] == pytest.approx(0.0)

    def test_gold_factor_without_answers_is_prior(self) -> None:
        """Without gold answers the factor follows the prior mean, not zero."""
        f = gold_factor(np.array([0]), np.array([0]), chance_level=0.5, prior_alpha=4, prior_beta=1)
        assert f[0] == pytest.approx((0.8 - 0.5) / 0.5)

    def test_peer_factor_zero_for_uninformed_over_many_tasks(self) -> None:
        """A score of 0 over many tasks drives the factor near 0, a high score to 1."""
        f = peer_factor(
            np.array([0.0, 0.5]), np.array([1000, 1000]), full_credit_score=0.2, prior_tasks=5
        )
        assert f[0] < 0.01
        assert f[1] == 1.0

    def test_peer_factor_without_score_is_neutral(self) -> None:
        """NaN or zero tasks mean no evidence: the factor is 1."""
        f = peer_factor(
            np.array([np.nan, 0.3]), np.array([0, 0]), full_credit_score=0.2, prior_tasks=5
        )
        assert f.tolist() == [1.0, 1.0]

    def test_annotator_factor_is_product_in_units(self) -> None:
        """The combined factor is gold × peer in fixed-point units."""
        terms = RewardTerms(
            reward_per_label=1, chance_level=0.5, gold_prior_alpha=1, gold_prior_beta=1
        )
        units = annotator_factors(
            terms,
            gold_correct=np.array([3]),
            gold_total=np.array([4]),
            peer_score=np.array([0.1]),
            peer_tasks=np.array([5]),
        )
        # gold mean 4/6 -> (2/3 - 1/2) / (1/2) = 1/3; peer (0.5 + 1.0) / 10 / 0.2 = 0.75
        assert units.tolist() == [round(QUALITY_SCALE * (1 / 3) * 0.75)]


class TestDemands:
    def test_known_demand(self) -> None:
        """Two full-quality labels at full factor earn twice the rate."""
        earned = earned_units(
            np.array([0, 0, 1]),
            np.array([QUALITY_SCALE, QUALITY_SCALE, QUALITY_SCALE // 2]),
            np.array([QUALITY_SCALE, QUALITY_SCALE // 2]),
        )
        assert reward_demands(earned, reward_per_label=10**18) == [2 * 10**18, 10**18 // 4]

    def test_demands_exceed_int64_exactly(self) -> None:
        """Amounts beyond int64 stay exact because they are Python ints."""
        earned = earned_units(np.array([0]), np.array([QUALITY_SCALE]), np.array([QUALITY_SCALE]))
        assert reward_demands(earned, reward_per_label=10**30) == [10**30]

    def test_short_escrow_pays_pro_rata(self) -> None:
        """When the escrow is short, it is spent completely and split pro rata."""
        assert pay_rewards([300, 100], 200) == [150, 50]

    def test_negative_escrow_is_refused(self) -> None:
        """A negative escrow is refused, naming the escrow."""
        with pytest.raises(InvalidSettlementInput, match="escrow_balance"):
            pay_rewards([1], -1)


class TestRewardTerms:
    def test_valid_terms(self) -> None:
        """Sound terms construct."""
        assert RewardTerms(reward_per_label=5, chance_level=0.25).exponent == 1.0

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"reward_per_label": -1, "chance_level": 0.5}, "reward_per_label: -1"),
            ({"reward_per_label": 1, "chance_level": 1.0}, "chance_level: 1.0 is outside"),
            ({"reward_per_label": 1, "chance_level": 0.5, "exponent": 0.0}, "exponent: 0.0"),
            (
                {"reward_per_label": 1, "chance_level": 0.5, "peer_prior_tasks": -1.0},
                "peer_prior_tasks",
            ),
        ],
    )
    def test_bad_terms_are_refused(self, kwargs: dict[str, float], message: str) -> None:
        """Each out-of-range term is refused with its name."""
        with pytest.raises(InvalidSettlementInput, match=message):
            RewardTerms(**kwargs)  # type: ignore[arg-type]  # floats stand in for each field
