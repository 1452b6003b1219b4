"""Tests for labelshare.incentives.allocation."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from labelshare.errors import InvalidSettlementInput
from labelshare.incentives.allocation import (
    exact_integer_weights,
    largest_remainder,
    scale_to_budget,
)

amounts = st.integers(min_value=0, max_value=10**30)
int_weights = st.lists(st.integers(min_value=0, max_value=10**20), min_size=1, max_size=30)
float_weights = st.lists(
    st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=30,
)


class TestLargestRemainder:
    def test_known_split(self) -> None:
        """Ten split 1:1:1 gives the spare unit to the lowest index among equal remainders."""
        assert largest_remainder(10, [1, 1, 1]) == [4, 3, 3]

    def test_largest_remainder_wins(self) -> None:
        """The leftover unit goes to the part with the largest remainder, not the first."""
        # quotas 100 * (1, 2, 4) / 7 = 14.29, 28.57, 57.14
        assert largest_remainder(100, [1, 2, 4]) == [14, 29, 57]

    def test_float_weights_use_exact_values(self) -> None:
        """Float weights split like the integers in the same proportion."""
        assert largest_remainder(7, [0.25, 0.75]) == largest_remainder(7, [1, 3]) == [2, 5]

    @given(amounts, st.one_of(int_weights, float_weights))
    def test_sum_is_exact_and_parts_non_negative(self, amount: int, weights: list[float]) -> None:
        """Parts are non-negative and add up to the amount exactly."""
        if sum(weights) == 0:
            weights = [*weights[:-1], 1]
        parts = largest_remainder(amount, weights)
        assert sum(parts) == amount
        assert min(parts) >= 0

    @given(amounts, int_weights)
    def test_each_part_is_floor_or_ceiling_of_quota(self, amount: int, weights: list[int]) -> None:
        """Every part is within one unit below or at its exact quota's ceiling."""
        if sum(weights) == 0:
            weights = [*weights[:-1], 1]
        total = sum(weights)
        for part, weight in zip(largest_remainder(amount, weights), weights, strict=True):
            floor = amount * weight // total
            assert floor <= part <= floor + 1
            if weight == 0:
                assert part == 0

    @given(
        amounts,
        st.lists(st.integers(min_value=0, max_value=10**20), min_size=1, max_size=30),
        st.data(),
    )
    def test_order_invariant_up_to_ties(
        self, amount: int, weights: list[int], data: st.DataObject
    ) -> None:
        """Permuting the weights permutes the parts; only tied remainders may move a unit."""
        if sum(weights) == 0:
            weights = [*weights, 1]
        permutation = data.draw(st.permutations(range(len(weights))))
        parts = largest_remainder(amount, weights)
        permuted_parts = largest_remainder(amount, [weights[i] for i in permutation])
        expected = [parts[i] for i in permutation]
        total = sum(weights)
        remainders = [amount * w % total for w in weights]
        if len(set(remainders)) == len(remainders):
            assert permuted_parts == expected
        assert all(abs(a - b) <= 1 for a, b in zip(permuted_parts, expected, strict=True))

    def test_numpy_weights(self) -> None:
        """Numpy int and float arrays are accepted like lists."""
        assert largest_remainder(5, np.array([1, 1], dtype=np.int64)) == [3, 2]
        assert largest_remainder(5, np.array([0.5, 0.5])) == [3, 2]

    def test_zero_amount_with_zero_weights(self) -> None:
        """Nothing to split over zero weights gives all zeros."""
        assert largest_remainder(0, [0, 0]) == [0, 0]

    def test_positive_amount_with_zero_weights_is_refused(self) -> None:
        """A positive amount cannot be split when every weight is zero."""
        with pytest.raises(InvalidSettlementInput, match="every weight is zero"):
            largest_remainder(5, [0, 0])

    def test_negative_weight_is_refused(self) -> None:
        """A negative weight is named in the error."""
        with pytest.raises(InvalidSettlementInput, match="weight 1 is -1, below zero"):
            largest_remainder(5, [1, -1])

    def test_nan_weight_is_refused(self) -> None:
        """A NaN weight is refused as not finite."""
        with pytest.raises(InvalidSettlementInput, match="not finite"):
            largest_remainder(5, [1.0, float("nan")])

    def test_negative_amount_is_refused(self) -> None:
        """A negative amount is refused with the field name."""
        with pytest.raises(InvalidSettlementInput, match=r"payout: amount -1 must be an int >= 0"):
            largest_remainder(-1, [1], field="payout")


class TestExactIntegerWeights:
    def test_floats_become_proportional_integers(self) -> None:
        """Floats are scaled by a power of two into integers with the same ratios."""
        assert exact_integer_weights([0.5, 0.25, 1.0]) == [2, 1, 4]

    def test_bool_is_refused(self) -> None:
        """A bool is not a weight."""
        with pytest.raises(InvalidSettlementInput, match="not a number"):
            exact_integer_weights([True])


class TestScaleToBudget:
    def test_full_payment_when_budget_suffices(self) -> None:
        """Demands within the budget are paid exactly."""
        assert scale_to_budget([3, 4], 10) == [3, 4]

    def test_pro_rata_when_short(self) -> None:
        """A short budget is spent completely, pro rata."""
        assert scale_to_budget([30, 10], 20) == [15, 5]

    @given(st.lists(st.integers(min_value=0, max_value=10**24), max_size=30), amounts)
    def test_never_exceeds_budget_or_demand(self, demands: list[int], budget: int) -> None:
        """No part exceeds its demand and the total is min(sum of demands, budget)."""
        paid = scale_to_budget(demands, budget)
        assert sum(paid) == min(sum(demands), budget)
        assert all(0 <= p <= d for p, d in zip(paid, demands, strict=True))

    def test_negative_demand_is_refused(self) -> None:
        """A negative demand is named in the error."""
        with pytest.raises(InvalidSettlementInput, match="demand 0 is -3"):
            scale_to_budget([-3], 10)

    def test_negative_budget_is_refused(self) -> None:
        """A negative budget is refused."""
        with pytest.raises(InvalidSettlementInput, match="budget -1"):
            scale_to_budget([3], -1)
