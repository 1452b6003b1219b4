"""BoxAggregator: IoU matching, existence EM and reliability-weighted box fusion."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from labelshare.quality import ConvergenceWarning, QualityInputError
from labelshare.quality.structured import BoxAggregator, box_scores, synthetic_boxes

SIZE = {"width": 100, "height": 100}


def box(x: float, y: float, w: float, h: float, name: str = "car") -> dict[str, Any]:
    return {"x": x, "y": y, "w": w, "h": h, "class": name}


class TestBoxAggregator:
    def test_majority_fuses_matching_boxes(self) -> None:
        """Three annotators' boxes of one object are fused into their mean; a box only one
        of them drew is dropped."""
        rows = [
            ("img", "a", [box(10, 10, 20, 20)], SIZE),
            ("img", "b", [box(12, 10, 20, 20), box(70, 70, 10, 10)], SIZE),
            ("img", "c", [box(14, 10, 20, 20)], SIZE),
        ]
        agg = BoxAggregator(classes=["car"], method="majority").fit(rows)
        assert agg.labels_ == [[box(12, 10, 20, 20)]]
        assert agg.n_iter_ == 0
        weights = agg.quality_weights_
        assert weights[1] < weights[0]

    def test_classes_never_match(self) -> None:
        """Overlapping boxes of different classes stay separate objects."""
        rows = [
            ("img", w, [box(10, 10, 20, 20, "car"), box(10, 10, 20, 20, "person")], SIZE)
            for w in "ab"
        ]
        agg = BoxAggregator(classes=["car", "person"], method="majority").fit(rows)
        assert sorted(b["class"] for b in agg.labels_[0]) == ["car", "person"]

    def test_empty_images(self) -> None:
        """An image nobody boxed aggregates to no boxes with full confidence and weight."""
        rows: list[tuple[str, str, list[Any], dict[str, int]]] = [
            ("img", w, [], SIZE) for w in "abc"
        ]
        agg = BoxAggregator(classes=["car"]).fit(rows)
        assert agg.labels_ == [[]]
        assert agg.confidence_.tolist() == [1.0]
        assert agg.quality_weights_.tolist() == [1.0, 1.0, 1.0]

    def test_em_recovers_boxes_and_rates_annotators(self) -> None:
        """On synthetic images the EM's F1 at IoU 0.5 is high and its reliabilities track
        the drawn skills; miss and false-positive rates are rates."""
        data = synthetic_boxes(200, 5, random_state=11)
        agg = BoxAggregator(classes=data.schema["classes"]).fit(data.rows)
        pred = dict(zip(agg.item_ids_.tolist(), agg.labels_, strict=True))
        scores = box_scores(pred, data.gold)
        assert scores.at_threshold.f1 > 0.9
        assert scores.mean_iou > 0.85
        drawn = np.array([data.skill[w] for w in agg.worker_ids_.tolist()])
        assert np.corrcoef(drawn, agg.skills_)[0, 1] > 0.8
        for rate in (agg.miss_rate_, agg.false_positive_rate_, agg.localisation_):
            assert np.all((rate >= 0) & (rate <= 1))

    def test_cap_warns(self) -> None:
        """Stopping at n_iter before the tolerance warns with ConvergenceWarning."""
        data = synthetic_boxes(30, 3, random_state=1)
        with pytest.warns(ConvergenceWarning, match="n_iter=1"):
            BoxAggregator(classes=data.schema["classes"], n_iter=1, tol=0.0).fit(data.rows)

    def test_bad_boxes_raise(self) -> None:
        """Unknown classes and degenerate boxes are refused."""
        with pytest.raises(QualityInputError, match="class 'bus' is not one of"):
            BoxAggregator(classes=["car"]).fit([("i", "a", [box(1, 1, 2, 2, "bus")], SIZE)])
        with pytest.raises(QualityInputError, match="non-positive size"):
            BoxAggregator(classes=["car"]).fit([("i", "a", [box(1, 1, 0, 2)], SIZE)])
        with pytest.raises(QualityInputError, match="bad box"):
            BoxAggregator(classes=["car"]).fit([("i", "a", [{"x": 1}], SIZE)])

    def test_bad_params_raise(self) -> None:
        """Unknown method and out-of-range match_iou are refused."""
        rows: list[tuple[str, str, list[Any], dict[str, int]]] = [("i", "a", [], SIZE)]
        with pytest.raises(QualityInputError, match="method: unknown 'nms'"):
            BoxAggregator(classes=["car"], method="nms").fit(rows)
        with pytest.raises(QualityInputError, match=r"match_iou: must be in \(0, 1\]"):
            BoxAggregator(classes=["car"], match_iou=1.5).fit(rows)
