"""Row coding and the estimator conventions shared by every structured aggregator."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from labelshare.quality import NotFittedError, QualityInputError
from labelshare.quality.structured import (
    BoxAggregator,
    MultilabelAggregator,
    OrdinalAggregator,
    RubricAggregator,
    SpanAggregator,
    StructuredAggregator,
    StructuredRow,
    TextAggregator,
)
from labelshare.quality.structured._base import encode_rows


class TestEncodeRows:
    def test_canonical_order_and_input_order(self) -> None:
        """Rows are sorted by (item, annotator) and per-row arrays map back to input order."""
        rows = [("y", "b", 2), ("x", "b", 1), ("x", "a", 3)]
        encoded = encode_rows(rows)
        assert encoded.values == [3, 1, 2]
        assert encoded.to_input_order(np.array([30.0, 10.0, 20.0])).tolist() == [20, 10, 30]

    def test_first_payload_per_item_is_kept(self) -> None:
        """An item's payload is the first one given for it."""
        rows = [StructuredRow("x", "a", 1, {"text": "t"}), StructuredRow("x", "b", 1, None)]
        assert encode_rows(rows, needs_payload=True).payloads == [{"text": "t"}]

    def test_missing_payload_raises(self) -> None:
        """A kind that needs the payload refuses an item without one."""
        with pytest.raises(QualityInputError, match="item 'x' has no payload"):
            encode_rows([("x", "a", [])], needs_payload=True)

    def test_repeated_pair_raises(self) -> None:
        """Two annotations of one item by one annotator are refused."""
        with pytest.raises(QualityInputError, match="labelled item .x. more than once"):
            encode_rows([("x", "a", 1), ("x", "a", 2)])

    def test_empty_and_malformed_rows_raise(self) -> None:
        """No rows, a non-sequence or a short row are refused with the field named."""
        with pytest.raises(QualityInputError, match="rows: no annotations"):
            encode_rows([])
        with pytest.raises(QualityInputError, match="rows: expected a sequence"):
            encode_rows("abc")
        with pytest.raises(QualityInputError, match=r"rows\[0\]: expected"):
            encode_rows([("x", "a")])


AGGREGATORS: list[Callable[[], StructuredAggregator]] = [
    lambda: MultilabelAggregator(classes=["a", "b"]),
    lambda: OrdinalAggregator(max_rating=5),
    lambda: SpanAggregator(tags=["PER"]),
    lambda: BoxAggregator(classes=["car"]),
    lambda: TextAggregator(),
    lambda: RubricAggregator(criteria=["helpfulness"]),
]


@pytest.mark.parametrize(
    "factory", AGGREGATORS, ids=["ml", "rating", "spans", "bbox", "text", "rubric"]
)
class TestConventions:
    def test_unfitted_attribute_raises(self, factory: Callable[[], StructuredAggregator]) -> None:
        """Reading a learned attribute before fit raises NotFittedError."""
        with pytest.raises(NotFittedError, match="call fit"):
            _ = factory().labels_

    def test_unknown_private_attribute_is_attribute_error(
        self, factory: Callable[[], StructuredAggregator]
    ) -> None:
        """A missing non-learned attribute is a plain AttributeError."""
        with pytest.raises(AttributeError, match="nothing"):
            _ = factory().nothing

    def test_params_are_stored_unchanged(self, factory: Callable[[], StructuredAggregator]) -> None:
        """get_params returns the constructor's keywords and repr shows them."""
        est = factory()
        params = est.get_params()
        assert params
        assert type(est).__name__ in repr(est)
        for name, value in params.items():
            assert getattr(est, name) is value
