"""MultilabelAggregator: per-class two-coin inference with workers shared across classes."""

from __future__ import annotations

import numpy as np
import pytest

from labelshare.quality import QualityInputError
from labelshare.quality.structured import MultilabelAggregator, synthetic_multilabel

CLASSES = ["news", "sport", "tech"]
TRUTH = {
    "t1": ["news"],
    "t2": ["news", "sport"],
    "t3": [],
    "t4": ["tech"],
    "t5": ["sport", "tech"],
    "t6": ["news", "tech"],
}


def _flip(value: list[str]) -> list[str]:
    return [c for c in CLASSES if c not in value]


@pytest.fixture
def toy_rows() -> list[tuple[str, str, list[str]]]:
    """a and b always give the true set; c always gives its complement."""
    rows = []
    for item, value in TRUTH.items():
        rows += [(item, "a", value), (item, "b", value), (item, "c", _flip(value))]
    return rows


class TestMultilabelAggregator:
    def test_known_answer(self, toy_rows: list[tuple[str, str, list[str]]]) -> None:
        """Two agreeing annotators outvote one who always answers the complement."""
        agg = MultilabelAggregator(classes=CLASSES).fit(toy_rows)
        assert dict(zip(agg.item_ids_.tolist(), agg.labels_, strict=True)) == TRUTH
        assert agg.class_probas_.shape == (6, 3)
        assert np.all((agg.confidence_ > 0.5) & (agg.confidence_ <= 1.0))

    def test_flipper_has_low_skill_and_weight(
        self, toy_rows: list[tuple[str, str, list[str]]]
    ) -> None:
        """The complement-giver's reliability and quality weights are below the others'."""
        agg = MultilabelAggregator(classes=CLASSES).fit(toy_rows)
        skills = dict(zip(agg.worker_ids_.tolist(), agg.skills_, strict=True))
        assert skills["c"] < 0.5 < min(skills["a"], skills["b"])
        weights = agg.quality_weights_.reshape(-1, 3)  # input order: a, b, c per item
        assert np.all(weights[:, 2] < weights[:, 0])
        assert np.all((agg.quality_weights_ >= 0) & (agg.quality_weights_ <= 1))

    def test_allow_empty_false_picks_most_probable(self) -> None:
        """With allow_empty false an item nobody tagged still gets its most probable class."""
        rows = [("x", "a", []), ("x", "b", ["sport"]), ("x", "c", [])]
        empty = MultilabelAggregator(classes=CLASSES, method="mv").fit(rows)
        forced = MultilabelAggregator(classes=CLASSES, method="mv", allow_empty=False).fit(rows)
        assert empty.labels_ == [[]]
        assert forced.labels_ == [["sport"]]

    def test_synthetic_beats_majority(self) -> None:
        """On synthetic annotators with spammers, two-coin DS is at least as accurate as
        per-class majority and its reliabilities track the drawn skills."""
        data = synthetic_multilabel(300, 3, random_state=5)
        accuracy = {}
        for method in ("mv", "ds"):
            agg = MultilabelAggregator(classes=data.schema["classes"], method=method).fit(data.rows)
            accuracy[method] = np.mean(
                [agg.labels_[k] == data.gold[i] for k, i in enumerate(agg.item_ids_.tolist())]
            )
            if method == "ds":
                drawn = np.array([data.skill[w] for w in agg.worker_ids_.tolist()])
                assert np.corrcoef(drawn, agg.skills_)[0, 1] > 0.8
        assert accuracy["ds"] >= accuracy["mv"]
        assert accuracy["ds"] > 0.7

    def test_unknown_class_raises(self) -> None:
        """A value naming a class outside the schema is refused."""
        with pytest.raises(QualityInputError, match="'art' is not one of the classes"):
            MultilabelAggregator(classes=CLASSES).fit([("x", "a", ["art"])])

    def test_bad_value_and_classes_raise(self) -> None:
        """A value that is not a list, or bad classes, are refused with the field named."""
        with pytest.raises(QualityInputError, match="value: expected a list"):
            MultilabelAggregator(classes=CLASSES).fit([("x", "a", "news")])
        with pytest.raises(QualityInputError, match="classes: names must be distinct"):
            MultilabelAggregator(classes=["a", "a"]).fit([("x", "a", ["a"])])

    def test_unknown_method_raises(self) -> None:
        """An unknown estimator name is refused by the estimator factory."""
        with pytest.raises(QualityInputError, match="method: unknown 'em'"):
            MultilabelAggregator(classes=CLASSES, method="em").fit([("x", "a", ["news"])])
