"""Tests for labelshare.incentives.slashing."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import beta

from labelshare.errors import InvalidSettlementInput
from labelshare.incentives.slashing import (
    SlashTerms,
    accuracy_upper_bound,
    is_slashed,
    slash_amounts,
)


class TestUpperBound:
    def test_matches_beta_quantile(self) -> None:
        """The bound is the confidence quantile of Beta(1 + right, 1 + wrong)."""
        bound = accuracy_upper_bound(np.array([3]), np.array([10]), confidence=0.9)
        assert bound[0] == pytest.approx(beta.ppf(0.9, 4, 8))

    def test_more_evidence_tightens_the_bound(self) -> None:
        """The same accuracy over more answers gives a lower upper bound."""
        bound = accuracy_upper_bound(np.array([3, 30]), np.array([10, 100]), confidence=0.95)
        assert bound[1] < bound[0]

    def test_correct_above_total_is_refused(self) -> None:
        """More right answers than answers is refused."""
        with pytest.raises(InvalidSettlementInput, match="0 <= correct <= total"):
            accuracy_upper_bound(np.array([5]), np.array([4]), confidence=0.95)


class TestIsSlashed:
    def test_confidently_bad_annotator_is_slashed(self) -> None:
        """Chance-level accuracy over many gold items is slashed under a 0.7 bar."""
        flags = is_slashed(np.array([50]), np.array([100]), SlashTerms(slash_bar=0.7))
        assert flags.tolist() == [True]

    def test_newcomer_is_not_slashed(self) -> None:
        """One wrong answer is not confident evidence."""
        flags = is_slashed(np.array([0, 0]), np.array([1, 0]), SlashTerms(slash_bar=0.7))
        assert flags.tolist() == [False, False]

    @given(st.integers(0, 200), st.integers(0, 200))
    def test_accurate_annotator_never_slashed(self, right: int, extra: int) -> None:
        """An annotator whose observed accuracy reaches the bar is never slashed."""
        total = right + min(extra, right // 4)  # accuracy >= 0.8
        flags = is_slashed(np.array([right]), np.array([total]), SlashTerms(slash_bar=0.8))
        assert not flags[0]


class TestSlashAmounts:
    def test_amount_is_part_of_stake(self) -> None:
        """A slashed stake loses slash_bps of itself, floored; others lose nothing."""
        amounts = slash_amounts([10**18, 7], np.array([True, True]), slash_bps=5_000)
        assert amounts == [5 * 10**17, 3]
        assert slash_amounts([10], np.array([False]), slash_bps=10_000) == [0]

    @given(st.lists(st.integers(0, 10**30), max_size=20), st.integers(0, 10_000))
    def test_never_more_than_stake(self, stakes: list[int], bps: int) -> None:
        """No slash exceeds its stake."""
        amounts = slash_amounts(stakes, np.ones(len(stakes), dtype=bool), slash_bps=bps)
        assert all(0 <= a <= s for a, s in zip(amounts, stakes, strict=True))

    def test_negative_stake_is_refused(self) -> None:
        """A negative stake is named."""
        with pytest.raises(InvalidSettlementInput, match="stake 0 is -1"):
            slash_amounts([-1], np.array([True]), slash_bps=1)

    def test_length_mismatch_is_refused(self) -> None:
        """Stakes and flags must align."""
        with pytest.raises(InvalidSettlementInput, match="2 stakes for 1 annotators"):
            slash_amounts([1, 2], np.array([True]), slash_bps=1)


class TestSlashTerms:
    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"slash_bar": 1.5}, "slash_bar: 1.5"),
            ({"slash_bar": 0.5, "confidence": 1.0}, "confidence: 1.0"),
            ({"slash_bar": 0.5, "slash_bps": 10_001}, "slash_bps: 10001"),
            ({"slash_bar": 0.5, "prior_alpha": 0.0}, "prior_alpha: 0.0"),
        ],
    )
    def test_bad_terms_are_refused(self, kwargs: dict[str, float], message: str) -> None:
        """Each out-of-range term is refused with its name."""
        with pytest.raises(InvalidSettlementInput, match=message):
            SlashTerms(**kwargs)  # type: ignore[arg-type]  # floats stand in for each field

    def test_default_terms(self) -> None:
        """Defaults are a 95% bound, half the stake and a uniform prior."""
        terms = SlashTerms(slash_bar=0.6)
        assert (terms.confidence, terms.slash_bps, terms.prior_alpha) == (0.95, 5_000, 1.0)


class TestAgreesWithQualityEngine:
    def test_bound_equals_gold_accuracy_upper(self) -> None:
        """The one-sided 95% bound equals the quality engine's equal-tailed 90% upper end."""
        from labelshare.quality import LabelMatrix, gold_accuracy

        # worker w0 answers 4 gold tasks right of 6, w1 answers 1 of 6.
        tasks = list(range(6)) * 2
        workers = ["w0"] * 6 + ["w1"] * 6
        labels = [*[0, 0, 0, 0, 1, 1], *[0, 1, 1, 1, 1, 1]]
        matrix = LabelMatrix.from_arrays(tasks, workers, labels)
        gold = gold_accuracy(matrix, dict.fromkeys(range(6), 0), credibility=0.90)
        bound = accuracy_upper_bound(gold.n_correct, gold.n_answered, confidence=0.95)
        assert gold.n_correct.tolist() == [4, 1]
        np.testing.assert_allclose(bound, gold.upper, rtol=1e-12)
