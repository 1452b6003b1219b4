"""Scores against gold: span P/R/F1, box IoU and P/R, rating MAE."""

from __future__ import annotations

import numpy as np
import pytest

from labelshare.quality import QualityInputError
from labelshare.quality.structured import box_iou, box_scores, mean_absolute_error, span_scores


def span(start: int, end: int, tag: str = "PER") -> dict[str, object]:
    return {"start": start, "end": end, "tag": tag}


class TestSpanScores:
    def test_exact_and_partial(self) -> None:
        """A shifted span counts for partial but not exact match; a wrong tag for neither."""
        gold = {"d": [span(0, 5), span(10, 15), span(20, 25, "LOC")]}
        pred = {"d": [span(0, 5), span(11, 15), span(20, 25, "ORG")]}
        exact, partial = span_scores(pred, gold)
        assert exact.precision == pytest.approx(1 / 3)
        assert exact.recall == pytest.approx(1 / 3)
        assert partial.precision == pytest.approx(2 / 3)
        assert partial.f1 == pytest.approx(2 / 3)

    def test_nothing_predicted_nothing_true(self) -> None:
        """No spans on either side is perfect; predictions with no gold have precision 0."""
        assert span_scores({"d": []}, {"d": []})[0].f1 == 1.0
        exact, _ = span_scores({"d": [span(0, 1)]}, {"d": []})
        assert exact.precision == 0.0
        assert exact.f1 == 0.0

    def test_missing_prediction_raises(self) -> None:
        """A gold item without a prediction is an error, not a silent miss."""
        with pytest.raises(QualityInputError, match="no label for gold item 'd'"):
            span_scores({}, {"d": []})


class TestBoxScores:
    def test_iou_known_values(self) -> None:
        """Identical boxes have IoU 1, half-overlapping ones 1/3, disjoint ones 0."""
        a = np.array([[0.0, 0.0, 10.0, 10.0]])
        b = np.array([[0.0, 0.0, 10.0, 10.0], [5.0, 0.0, 10.0, 10.0], [50.0, 50.0, 1.0, 1.0]])
        np.testing.assert_allclose(box_iou(a, b), [[1.0, 1 / 3, 0.0]])

    def test_matching_per_class_at_threshold(self) -> None:
        """A box of the wrong class or below the IoU threshold is not a hit."""
        gold = {
            "i": [
                {"x": 0, "y": 0, "w": 10, "h": 10, "class": "car"},
                {"x": 50, "y": 50, "w": 10, "h": 10, "class": "car"},
            ]
        }
        pred = {
            "i": [
                {"x": 1, "y": 0, "w": 10, "h": 10, "class": "car"},
                {"x": 50, "y": 50, "w": 10, "h": 10, "class": "bus"},
            ]
        }
        scores = box_scores(pred, gold)
        assert scores.at_threshold.precision == 0.5
        assert scores.at_threshold.recall == 0.5
        assert scores.mean_iou == pytest.approx(90 / 110)

    def test_missing_prediction_raises(self) -> None:
        """A gold image without a prediction is an error."""
        with pytest.raises(QualityInputError, match="no label for gold item 'i'"):
            box_scores({}, {"i": []})


class TestMeanAbsoluteError:
    def test_known_value(self) -> None:
        """MAE averages absolute differences over the gold items."""
        assert mean_absolute_error({"a": 3, "b": 5, "c": 1}, {"a": 4, "b": 5}) == 0.5

    def test_empty_gold_raises(self) -> None:
        """No gold items cannot be scored."""
        with pytest.raises(QualityInputError, match="no items to score"):
            mean_absolute_error({"a": 1}, {})
