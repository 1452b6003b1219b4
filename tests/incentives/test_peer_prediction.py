"""Tests for labelshare.incentives.peer_prediction."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from numpy.typing import NDArray

from labelshare.errors import InvalidSettlementInput
from labelshare.incentives.peer_prediction import (
    correlated_agreement,
    delta_matrix,
    epoch_seed,
    score_matrix,
)

Labels = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]


def simulate(strategies: list[str], *, n_items: int, per_annotator: int, seed: int) -> Labels:
    """Labels of annotators following ``strategies`` over 3 classes with uneven priors."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(3, size=n_items, p=[0.5, 0.3, 0.2])
    items, annotators, values = [], [], []
    for index, strategy in enumerate(strategies):
        chosen = rng.choice(n_items, size=per_annotator, replace=False)
        if strategy == "informed":
            noise = rng.integers(0, 3, per_annotator)
            answer = np.where(rng.random(per_annotator) < 0.8, truth[chosen], noise)
        elif strategy == "random":
            answer = rng.integers(0, 3, per_annotator)
        else:
            answer = np.zeros(per_annotator, dtype=np.int64)
        items.append(chosen)
        annotators.append(np.full(per_annotator, index))
        values.append(answer)
    return (
        np.concatenate(items).astype(np.int64),
        np.concatenate(annotators).astype(np.int64),
        np.concatenate(values).astype(np.int64),
    )


POPULATION = ["informed"] * 12 + ["random"] * 2 + ["constant"] * 2


class TestScoreMatrix:
    def test_agreeing_labels_give_identity(self) -> None:
        """When annotators agree item by item, S is the identity."""
        item = np.array([0, 0, 1, 1, 2, 2])
        value = np.array([0, 0, 1, 1, 0, 0])
        assert score_matrix(item, value, 2).tolist() == [[1, 0], [0, 1]]

    def test_anti_correlated_labels_give_off_diagonal(self) -> None:
        """When two annotators always disagree, S rewards disagreement."""
        item = np.array([0, 0, 1, 1])
        value = np.array([0, 1, 1, 0])
        assert score_matrix(item, value, 2).tolist() == [[0, 1], [1, 0]]

    def test_delta_rows_sum_to_zero(self) -> None:
        """Each row of Delta sums to zero (a joint minus its marginals' product)."""
        item, _, value = simulate(POPULATION, n_items=300, per_annotator=60, seed=1)
        delta = delta_matrix(item, value, 3)
        np.testing.assert_allclose(delta.sum(axis=1), 0.0, atol=1e-12)
        assert (np.diag(delta) > 0).all()

    def test_no_pairs_gives_zero_delta(self) -> None:
        """Items with one label each carry no correlation."""
        assert not delta_matrix(np.array([0, 1]), np.array([0, 1]), 2).any()
        assert not score_matrix(np.array([0, 1]), np.array([0, 1]), 2).any()


class TestCorrelatedAgreement:
    def test_informed_score_positive_uninformed_near_zero(self) -> None:
        """Informed annotators score well above 0; random and constant ones near 0."""
        item, annotator, value = simulate(POPULATION, n_items=1500, per_annotator=400, seed=2)
        scores = correlated_agreement(
            item, annotator, value, n_annotators=len(POPULATION), n_classes=3, seed=9
        )
        assert (scores.score[:12] > 0.2).all()
        assert (np.abs(scores.score[12:]) < 0.12).all()
        assert (scores.n_tasks > 350).all()

    def test_uninformed_strategies_score_zero_in_expectation(self) -> None:
        """Averaged over independent epochs, random and constant strategies score about 0."""
        random_scores, constant_scores, informed_scores = [], [], []
        for replication in range(12):
            item, annotator, value = simulate(
                POPULATION, n_items=600, per_annotator=150, seed=100 + replication
            )
            scores = correlated_agreement(
                item, annotator, value, n_annotators=len(POPULATION), n_classes=3, seed=replication
            ).score
            informed_scores.append(scores[:12].mean())
            random_scores.append(scores[12:14].mean())
            constant_scores.append(scores[14:].mean())
        # 24 annotator-epochs of 150 tasks: standard error about 0.01.
        assert abs(np.mean(random_scores)) < 0.04
        assert abs(np.mean(constant_scores)) < 0.04
        assert np.mean(informed_scores) > 0.25

    def test_row_order_does_not_matter(self) -> None:
        """Shuffling the label rows gives exactly the same scores."""
        item, annotator, value = simulate(POPULATION, n_items=200, per_annotator=50, seed=3)
        permutation = np.random.default_rng(0).permutation(item.size)
        kwargs = {"n_annotators": len(POPULATION), "n_classes": 3, "seed": 5}
        first = correlated_agreement(item, annotator, value, **kwargs)
        second = correlated_agreement(
            item[permutation], annotator[permutation], value[permutation], **kwargs
        )
        np.testing.assert_array_equal(first.score, second.score)
        np.testing.assert_array_equal(first.n_tasks, second.n_tasks)

    def test_seed_changes_choices(self) -> None:
        """Another epoch seed draws other peers and penalty tasks."""
        item, annotator, value = simulate(POPULATION, n_items=200, per_annotator=50, seed=3)
        kwargs = {"n_annotators": len(POPULATION), "n_classes": 3}
        first = correlated_agreement(item, annotator, value, seed=1, **kwargs)
        second = correlated_agreement(item, annotator, value, seed=2, **kwargs)
        assert not np.array_equal(first.score, second.score)

    def test_lonely_labels_are_unscored(self) -> None:
        """An annotator with one label, or on items nobody else labelled, gets NaN."""
        item = np.array([0, 0, 1, 1, 2, 3])
        annotator = np.array([0, 1, 0, 1, 2, 2])
        value = np.array([0, 0, 1, 1, 0, 1])
        scores = correlated_agreement(item, annotator, value, n_annotators=4, n_classes=2, seed=0)
        assert np.isnan(scores.score[2]) and np.isnan(scores.score[3])
        assert scores.n_tasks[2:].tolist() == [0, 0]

    def test_empty_epoch(self) -> None:
        """No labels give NaN scores and no tasks."""
        empty = np.array([], dtype=np.int64)
        scores = correlated_agreement(empty, empty, empty, n_annotators=2, n_classes=2, seed=0)
        assert np.isnan(scores.score).all()
        assert scores.n_tasks.tolist() == [0, 0]

    def test_repeated_label_is_refused(self) -> None:
        """Two labels by one annotator on one item are refused, naming both."""
        with pytest.raises(
            InvalidSettlementInput, match="annotator 1 labelled item 0 more than once"
        ):
            correlated_agreement(
                np.array([0, 0, 0]),
                np.array([0, 1, 1]),
                np.array([0, 1, 1]),
                n_annotators=2,
                n_classes=2,
                seed=0,
            )

    def test_value_out_of_range_is_refused(self) -> None:
        """A class outside 0..K-1 is refused."""
        with pytest.raises(InvalidSettlementInput, match=r"labels.value: values must lie in 0..1"):
            correlated_agreement(
                np.array([0]), np.array([0]), np.array([2]), n_annotators=1, n_classes=2, seed=0
            )

    def test_shape_mismatch_is_refused(self) -> None:
        """Arrays of different lengths are refused."""
        with pytest.raises(InvalidSettlementInput, match="1-d of one length"):
            correlated_agreement(
                np.array([0, 1]), np.array([0]), np.array([0]), n_annotators=1, n_classes=2, seed=0
            )


class TestEpochSeed:
    def test_known_answer(self) -> None:
        """The seed is the first 8 bytes of sha256("project:epoch"), big-endian."""
        expected = int.from_bytes(hashlib.sha256(b"proj-1:7").digest()[:8], "big")
        assert epoch_seed("proj-1", 7) == expected

    def test_epochs_differ(self) -> None:
        """Different epochs of one project get different seeds."""
        assert epoch_seed("proj-1", 1) != epoch_seed("proj-1", 2)
