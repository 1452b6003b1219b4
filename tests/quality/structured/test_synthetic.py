"""Synthetic annotators: deterministic, valid under labelshare.schema, known answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from labelshare.quality import QualityInputError
from labelshare.quality.structured import (
    SyntheticSet,
    synthetic_boxes,
    synthetic_multilabel,
    synthetic_ratings,
    synthetic_spans,
    synthetic_texts,
)
from labelshare.schema import parse_schema

GENERATORS = [
    synthetic_multilabel,
    synthetic_ratings,
    synthetic_spans,
    synthetic_boxes,
    synthetic_texts,
]
IDS = ["multilabel", "rating", "spans", "bbox", "text"]


@pytest.mark.parametrize("generate", GENERATORS, ids=IDS)
class TestSynthetic:
    def test_values_pass_schema_validation(self, generate: Callable[..., SyntheticSet]) -> None:
        """Every generated value and gold answer is already in the schema's canonical form."""
        data = generate(40, 3, random_state=1)
        schema = parse_schema(data.schema)
        for row in data.rows:
            assert schema.validate(row.value, payload=row.payload) == row.value
        payloads = {row.item: row.payload for row in data.rows}
        for item, value in data.gold.items():
            assert schema.validate(value, payload=payloads[item]) == value
        assert len(data.rows) == 40 * 3

    def test_same_seed_same_set(self, generate: Callable[..., SyntheticSet]) -> None:
        """The same seed gives the same rows; another seed gives other rows."""
        first, again = generate(20, 3, random_state=4), generate(20, 3, random_state=4)
        other = generate(20, 3, random_state=5)
        assert first.rows == again.rows
        assert first.rows != other.rows

    def test_too_few_workers_raises(self, generate: Callable[..., SyntheticSet]) -> None:
        """More labels per item than annotators is refused."""
        with pytest.raises(QualityInputError, match="labels_per_item: 5 exceeds n_workers 3"):
            generate(2, 5, n_workers=3)

    def test_bad_count_raises(self, generate: Callable[..., SyntheticSet]) -> None:
        """Counts must be positive integers."""
        with pytest.raises(QualityInputError, match="n_items: must be an integer >= 1"):
            generate(0, 3)


class TestReviews:
    def test_every_answer_is_reviewed_by_others(self) -> None:
        """Each text answer gets n_reviewers votes, never from its author."""
        data = synthetic_texts(10, 3, n_reviewers=2, random_state=0)
        assert len(data.reviews) == 10 * 3 * 2
        assert all(author != reviewer for _, author, reviewer, _ in data.reviews)
