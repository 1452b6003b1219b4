"""structured_quality: one path for every schema kind, giving labels, weights, reliability."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelshare.quality import QualityInputError
from labelshare.quality.structured import (
    KINDS,
    BoxAggregator,
    OrdinalAggregator,
    StructuredQuality,
    SyntheticSet,
    make_aggregator,
    structured_quality,
    synthetic_boxes,
    synthetic_multilabel,
    synthetic_ratings,
    synthetic_spans,
    synthetic_texts,
)
from labelshare.schema import parse_schema

GENERATORS: dict[str, Callable[..., SyntheticSet]] = {
    "multilabel": synthetic_multilabel,
    "rating": synthetic_ratings,
    "spans": synthetic_spans,
    "bbox": synthetic_boxes,
    "text": synthetic_texts,
}
SETS = {kind: generate(30, 3, random_state=3) for kind, generate in GENERATORS.items()}

CLASSIFICATION = {"kind": "classification", "classes": ["pos", "neg"]}
CLASSIFICATION_ROWS = [
    ("t1", "a", "pos"), ("t1", "b", "pos"), ("t1", "c", "neg"),
    ("t2", "a", "neg"), ("t2", "b", "neg"), ("t2", "c", "pos"),
    ("t3", "a", "pos"), ("t3", "b", "pos"), ("t3", "c", "neg"),
]  # fmt: skip


def _check_result(result: StructuredQuality, n_rows: int) -> None:
    assert len(result.labels) == result.item_ids.shape[0] == result.confidence.shape[0]
    assert result.reliability.shape == result.annotator_ids.shape
    assert result.label_weights.shape == (n_rows,)
    for values in (result.confidence, result.reliability, result.label_weights):
        assert np.all((values >= 0) & (values <= 1))


class TestStructuredQuality:
    @pytest.mark.parametrize("kind", list(GENERATORS))
    def test_every_kind_gives_valid_labels(self, kind: str) -> None:
        """Every kind returns one schema-valid label per item and weights in [0, 1]."""
        data = SETS[kind]
        schema = parse_schema(data.schema)
        result = structured_quality(schema, data.rows)  # a LabelSchema works as well as JSON
        assert result.kind == kind
        _check_result(result, len(data.rows))
        payloads = {row.item: row.payload for row in data.rows}
        for item, label in zip(result.item_ids.tolist(), result.labels, strict=True):
            assert schema.validate(label, payload=payloads[item]) == label
        assert result.label_of(result.item_ids[0]) == result.labels[0]
        if kind in ("multilabel", "spans", "bbox"):
            assert result.part_confidences is not None
            assert [len(p) for p in result.part_confidences] == [len(v) for v in result.labels]
            assert all(0 <= c <= 1 for parts in result.part_confidences for c in parts)
        else:
            assert result.part_confidences is None

    def test_classification_goes_through_the_categorical_engine(self) -> None:
        """Classification rows give majority labels and the flipper gets the lowest weights."""
        result = structured_quality(CLASSIFICATION, CLASSIFICATION_ROWS, method="mv")
        assert result.labels == ["pos", "neg", "pos"]
        _check_result(result, len(CLASSIFICATION_ROWS))
        c_rows = [k for k, row in enumerate(CLASSIFICATION_ROWS) if row[1] == "c"]
        assert result.label_weights[c_rows].tolist() == [0.0, 0.0, 0.0]
        reliability = dict(zip(result.annotator_ids.tolist(), result.reliability, strict=True))
        assert reliability["c"] < reliability["a"]

    def test_text_reviews_are_used(self) -> None:
        """Reviews given for text change the weights to acceptance posteriors."""
        data = SETS["text"]
        plain = structured_quality(data.schema, data.rows)
        reviewed = structured_quality(data.schema, data.rows, reviews=data.reviews)
        assert not np.allclose(plain.label_weights, reviewed.label_weights)

    @settings(max_examples=15, deadline=None)
    @given(kind=st.sampled_from(list(GENERATORS)), seed=st.integers(0, 2**32 - 1))
    def test_row_order_does_not_matter(self, kind: str, seed: int) -> None:
        """Shuffling the rows permutes the weights with them and changes nothing else."""
        data = SETS[kind]
        order = np.random.default_rng(seed).permutation(len(data.rows))
        first = structured_quality(data.schema, data.rows)
        shuffled = structured_quality(data.schema, [data.rows[k] for k in order])
        assert shuffled.labels == first.labels
        np.testing.assert_allclose(shuffled.label_weights, first.label_weights[order])
        np.testing.assert_allclose(shuffled.reliability, first.reliability)

    def test_unknown_item_raises(self) -> None:
        """label_of an item that was not aggregated is refused."""
        result = structured_quality(CLASSIFICATION, CLASSIFICATION_ROWS, method="mv")
        with pytest.raises(QualityInputError, match="item: unknown id 'nope'"):
            result.label_of("nope")

    def test_deterministic(self) -> None:
        """Two runs on the same rows agree bit for bit."""
        data = SETS["bbox"]
        a = structured_quality(data.schema, data.rows)
        b = structured_quality(data.schema, data.rows)
        assert a.labels == b.labels
        assert a.label_weights.tobytes() == b.label_weights.tobytes()

    def test_reviews_for_other_kinds_raise(self) -> None:
        """Reviews are only accepted for text."""
        with pytest.raises(QualityInputError, match="reviews: only text answers"):
            structured_quality(SETS["rating"].schema, SETS["rating"].rows, reviews=[("a",) * 4])  # type: ignore[list-item]

    def test_bad_schema_raises(self) -> None:
        """Unknown kinds, bad JSON and missing options are refused, naming the field."""
        with pytest.raises(QualityInputError, match="schema.kind: 'video'"):
            structured_quality({"kind": "video"}, [("x", "a", 1)])
        with pytest.raises(QualityInputError, match="schema: not valid JSON"):
            structured_quality("{", [("x", "a", 1)])
        with pytest.raises(QualityInputError, match="schema.max_rating: missing"):
            structured_quality({"kind": "rating"}, [("x", "a", 1)])
        with pytest.raises(QualityInputError, match="schema: expected a JSON object"):
            structured_quality([1], [("x", "a", 1)])


class TestMakeAggregator:
    def test_options_come_from_the_schema(self) -> None:
        """The aggregator is configured from the schema plus the given parameters."""
        agg = make_aggregator({"kind": "rating", "max_rating": 7}, tolerance=1)
        assert isinstance(agg, OrdinalAggregator)
        assert agg.get_params()["max_rating"] == 7
        assert isinstance(make_aggregator(SETS["bbox"].schema), BoxAggregator)

    def test_unknown_param_raises(self) -> None:
        """A parameter the kind's aggregator does not take is refused."""
        with pytest.raises(QualityInputError, match="params:"):
            make_aggregator({"kind": "text"}, n_iter=3)

    def test_kinds_are_schema_kinds(self) -> None:
        """Every kind handled here is a kind labelshare.schema defines."""
        from labelshare.schema import SCHEMA_KINDS

        assert set(KINDS) <= set(SCHEMA_KINDS)

    def test_kind_without_aggregator_raises(self) -> None:
        """A schema kind with no aggregator here is refused rather than guessed at."""
        with pytest.raises(QualityInputError, match="schema.kind: 'ranking' has no"):
            structured_quality({"kind": "ranking"}, [("x", "a", ["b", "c"])])

    def test_classification_has_no_structured_aggregator(self) -> None:
        """Classification is served by the categorical estimators, not make_aggregator."""
        with pytest.raises(QualityInputError, match="has no structured aggregator"):
            make_aggregator(CLASSIFICATION)
