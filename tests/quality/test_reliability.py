"""Gold accuracy with a Beta prior, and adaptive redundancy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import beta

from labelshare.quality import (
    LabelMatrix,
    QualityInputError,
    gold_accuracy,
    item_posterior,
    needs_more,
)


class TestGoldAccuracy:
    def test_beta_posterior(self, flipped: LabelMatrix) -> None:
        """a answered gold t1..t4 right (Beta(5, 1)), c wrong on all (Beta(1, 5))."""
        gold = {0: 0, 1: 0, 2: 1, 3: 1}
        result = gold_accuracy(flipped, gold, prior=(1.0, 1.0), credibility=0.9)
        assert result.n_answered.tolist() == [4, 4, 4]
        assert result.n_correct.tolist() == [4, 4, 0]
        assert result.mean.tolist() == pytest.approx([5 / 6, 5 / 6, 1 / 6])
        assert result.upper[2] == pytest.approx(beta.ppf(0.95, 1, 5))
        assert result.lower[0] == pytest.approx(beta.ppf(0.05, 5, 1))

    def test_worker_without_gold_gets_the_prior(self, flipped: LabelMatrix) -> None:
        """With no gold answered the mean is the prior mean a / (a + b)."""
        result = gold_accuracy(flipped, {}, prior=(3.0, 1.0))
        assert result.mean.tolist() == [0.75, 0.75, 0.75]

    def test_bad_credibility_raises(self, flipped: LabelMatrix) -> None:
        """Credibility must lie strictly between 0 and 1."""
        with pytest.raises(QualityInputError, match="credibility: must be in"):
            gold_accuracy(flipped, {}, credibility=1.0)

    def test_bad_prior_raises(self, flipped: LabelMatrix) -> None:
        """Beta pseudo-counts must be positive."""
        with pytest.raises(QualityInputError, match=r"prior\[1\]: must be finite and > 0"):
            gold_accuracy(flipped, {}, prior=(1.0, 0.0))


class TestItemPosterior:
    def test_two_agreeing_accurate_workers(self) -> None:
        """Two 0.9-accurate agreeing labels on a fair coin: 0.81 / (0.81 + 0.01)."""
        conf = np.array([[[0.9, 0.1], [0.1, 0.9]]] * 2)
        post = item_posterior([1, 1], [0, 1], confusions=conf, priors=[0.5, 0.5])
        assert post[1] == pytest.approx(0.81 / 0.82)

    def test_shape_mismatch_raises(self) -> None:
        """Labels and workers of different lengths are refused."""
        conf = np.array([[[0.9, 0.1], [0.1, 0.9]]])
        with pytest.raises(QualityInputError, match="lengths differ"):
            item_posterior([1, 1], [0], confusions=conf, priors=[0.5, 0.5])


class TestNeedsMore:
    @pytest.mark.parametrize(
        ("posterior", "n_labels", "expected"),
        [
            ([0.99, 0.01], 1, True),  # below the minimum: always ask
            ([0.99, 0.01], 2, False),  # confident: stop
            ([0.6, 0.4], 2, True),  # contested: ask
            ([0.6, 0.4], 5, False),  # at the maximum: stop
        ],
    )
    def test_rule(self, posterior: list[float], n_labels: int, expected: bool) -> None:
        """Ask below min, never at max, otherwise while the top class is below confidence."""
        got = needs_more(posterior, n_labels, min_redundancy=2, max_redundancy=5, confidence=0.95)
        assert bool(got) is expected

    def test_vectorised(self) -> None:
        """Many items at once give one decision each."""
        got = needs_more([[0.99, 0.01], [0.5, 0.5]], [3, 3], min_redundancy=1, max_redundancy=4)
        assert got.tolist() == [False, True]

    def test_max_below_min_raises(self) -> None:
        """max_redundancy below min_redundancy is refused."""
        with pytest.raises(QualityInputError, match="max_redundancy: must be >= min_redundancy"):
            needs_more([0.5, 0.5], 1, min_redundancy=3, max_redundancy=2)
