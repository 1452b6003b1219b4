"""RubricAggregator: an ordinal model per criterion, weights chance-corrected by kappa."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from labelshare.quality import QualityInputError
from labelshare.quality.structured import (
    RubricAggregator,
    linear_agreement,
    make_aggregator,
    structured_quality,
)
from labelshare.schema import parse_schema

CRITERIA = ("helpfulness", "honesty")
SCHEMA = {"kind": "rubric", "criteria": list(CRITERIA), "min_score": 1, "max_score": 5}
Row = tuple[str, str, dict[str, int]]


def _rubric_rows(
    seed: int, *, n_items: int = 60, off_by: int = 1, scale: tuple[int, int] = (1, 5)
) -> tuple[list[Row], dict[str, dict[str, int]]]:
    """Three honest scorers (right 80%, else ``off_by`` away), a random and a constant one."""
    rng = np.random.default_rng(seed)
    low, high = scale
    truth = {
        f"i{n:03d}": {c: int(rng.integers(low, high + 1)) for c in CRITERIA} for n in range(n_items)
    }
    rows: list[Row] = []
    for item, scores in truth.items():
        for worker in ("h1", "h2", "h3"):
            given = {}
            for criterion, score in scores.items():
                shift = 0 if rng.random() < 0.8 else int(rng.choice((-off_by, off_by)))
                given[criterion] = int(np.clip(score + shift, low, high))
            rows.append((item, worker, given))
        rows.append((item, "random", {c: int(rng.integers(low, high + 1)) for c in CRITERIA}))
        rows.append((item, "constant", dict.fromkeys(CRITERIA, high - 1)))
    return rows, truth


def _mean_weight(weights: np.ndarray, rows: list[Row], worker: str) -> float:
    return float(np.mean([w for w, row in zip(weights, rows, strict=True) if row[1] == worker]))


class TestLinearAgreement:
    def test_known_weights(self) -> None:
        """On three steps the credit is 1 on the diagonal, 1/2 one step off, 0 at the ends."""
        expected = [[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]]
        np.testing.assert_allclose(linear_agreement(3), expected)


class TestRubricAggregator:
    def test_aggregates_every_criterion_to_the_truth(self) -> None:
        """With three 80%-right scorers the aggregate matches most true scores."""
        rows, truth = _rubric_rows(1)
        agg = RubricAggregator(criteria=CRITERIA).fit(rows)
        labels = dict(zip(agg.item_ids_.tolist(), agg.labels_, strict=True))
        right = sum(labels[i][c] == truth[i][c] for i in truth for c in CRITERIA)
        assert right >= 0.9 * len(truth) * len(CRITERIA)
        assert all(set(label) == set(CRITERIA) for label in agg.labels_)

    def test_uninformed_scorers_weigh_about_nothing(self) -> None:
        """Random and constant scorers get under a tenth of the honest weight."""
        rows, _ = _rubric_rows(2)
        agg = RubricAggregator(criteria=CRITERIA).fit(rows)
        honest = min(_mean_weight(agg.quality_weights_, rows, w) for w in ("h1", "h2", "h3"))
        assert honest > 0.5
        for worker in ("random", "constant"):
            assert _mean_weight(agg.quality_weights_, rows, worker) < 0.1 * honest
        skills = dict(zip(agg.worker_ids_.tolist(), agg.skills_, strict=True))
        assert skills["random"] < 0.15 and skills["constant"] < 0.15
        assert min(skills["h1"], skills["h2"], skills["h3"]) > 0.5

    def test_near_misses_weigh_more_than_far_ones(self) -> None:
        """Scorers whose errors are one step off out-weigh those whose errors are three off."""
        near_rows, _ = _rubric_rows(3, off_by=1)
        far_rows, _ = _rubric_rows(3, off_by=3)
        near = RubricAggregator(criteria=CRITERIA).fit(near_rows).quality_weights_
        far = RubricAggregator(criteria=CRITERIA).fit(far_rows).quality_weights_
        assert _mean_weight(near, near_rows, "h1") > _mean_weight(far, far_rows, "h1")

    def test_scores_stay_on_the_schema_scale(self) -> None:
        """A scale of -2..2 is aggregated and reported in its own scores."""
        rows, truth = _rubric_rows(4, scale=(-2, 2))
        agg = RubricAggregator(criteria=CRITERIA, min_score=-2, max_score=2).fit(rows)
        scores = {s for label in agg.labels_ for s in label.values()}
        assert scores <= set(range(-2, 3))
        first = agg.item_ids_.tolist().index("i000")
        assert agg.labels_[first] == truth["i000"]

    def test_confidence_is_the_product_over_criteria(self) -> None:
        """An item's confidence is the product of its criteria's confidences."""
        rows, _ = _rubric_rows(5, n_items=10)
        agg = RubricAggregator(criteria=CRITERIA).fit(rows)
        assert agg.criterion_confidences_.shape == (10, len(CRITERIA))
        np.testing.assert_allclose(agg.confidence_, agg.criterion_confidences_.prod(axis=1))

    def test_a_newcomer_with_one_label_is_not_a_constant_scorer(self) -> None:
        """One right label earns weight: the smoothing keeps its kappa above zero."""
        rows, truth = _rubric_rows(6, n_items=20)
        rows.append(("i000", "newcomer", dict(truth["i000"])))
        agg = RubricAggregator(criteria=CRITERIA).fit(rows)
        assert agg.quality_weights_[-1] > 0.3
        without_smoothing = RubricAggregator(criteria=CRITERIA, smoothing=0.0).fit(rows)
        assert without_smoothing.quality_weights_[-1] == 0.0

    def test_row_order_does_not_matter(self) -> None:
        """Shuffled rows give the same labels and the weights permuted with the rows."""
        rows, _ = _rubric_rows(7, n_items=15)
        order = np.random.default_rng(0).permutation(len(rows))
        first = RubricAggregator(criteria=CRITERIA).fit(rows)
        shuffled = RubricAggregator(criteria=CRITERIA).fit([rows[k] for k in order])
        assert shuffled.labels_ == first.labels_
        np.testing.assert_allclose(shuffled.quality_weights_, first.quality_weights_[order])

    @pytest.mark.parametrize(
        ("value", "message"),
        [
            ({"helpfulness": 3}, r"value.honesty: expected an integer score, got None"),
            ({"helpfulness": 3, "honesty": 9}, r"value.honesty: score 9 is outside 1..5"),
            ({"helpfulness": True, "honesty": 2}, r"value.helpfulness: expected an integer"),
            ([3, 2], r"value: a rubric value is an object"),
        ],
    )
    def test_bad_value_raises(self, value: Any, message: str) -> None:
        """A value lacking a criterion, off the scale or not an object names the field."""
        with pytest.raises(QualityInputError, match=message):
            RubricAggregator(criteria=CRITERIA).fit([("x", "a", value)])

    def test_bad_params_raise(self) -> None:
        """An empty criteria list, an inverted scale or negative smoothing are refused."""
        row = [("x", "a", {"helpfulness": 1, "honesty": 1})]
        with pytest.raises(QualityInputError, match="criteria: expected at least one name"):
            RubricAggregator(criteria=[]).fit(row)
        with pytest.raises(QualityInputError, match="max_score: 1 must be above min_score 1"):
            RubricAggregator(criteria=CRITERIA, max_score=1).fit(row)
        with pytest.raises(QualityInputError, match="smoothing"):
            RubricAggregator(criteria=CRITERIA, smoothing=-1.0).fit(row)


class TestRubricThroughStructuredQuality:
    def test_schema_configures_the_aggregator(self) -> None:
        """make_aggregator reads the criteria and the scale from the schema."""
        agg = make_aggregator({**SCHEMA, "min_score": 0, "max_score": 3})
        assert isinstance(agg, RubricAggregator)
        assert agg.get_params()["criteria"] == list(CRITERIA)
        assert (agg.get_params()["min_score"], agg.get_params()["max_score"]) == (0, 3)

    def test_labels_are_schema_valid_with_a_confidence_per_criterion(self) -> None:
        """Every aggregated rubric passes the schema; part confidences follow the criteria."""
        rows, _ = _rubric_rows(8, n_items=12)
        result = structured_quality(SCHEMA, rows)
        schema = parse_schema(SCHEMA)
        assert result.kind == "rubric"
        for label in result.labels:
            assert schema.validate(label, payload={}) == label
        assert result.part_confidences is not None
        assert all(len(parts) == len(CRITERIA) for parts in result.part_confidences)
        assert result.label_weights.shape == (len(rows),)
