"""SpanAggregator: token-level BIO inference with worker confusions, then span decoding."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from labelshare.quality import QualityInputError
from labelshare.quality.structured import (
    SpanAggregator,
    span_scores,
    synthetic_spans,
    tokenize,
)

TEXT = "Ada Lovelace met Charles Babbage in London."
ADA = {"start": 0, "end": 12, "tag": "PER"}
BABBAGE = {"start": 17, "end": 32, "tag": "PER"}
LONDON = {"start": 36, "end": 42, "tag": "LOC"}


def _rows(answers: dict[str, list[dict[str, Any]]]) -> list[tuple[Any, ...]]:
    return [("d1", w, spans, {"text": TEXT}) for w, spans in answers.items()]


class TestTokenize:
    def test_words_and_symbols(self) -> None:
        """Word runs are tokens and punctuation stands alone."""
        starts, ends = tokenize("U.S. gains, 3%")
        pieces = [("U.S. gains, 3%")[s:e] for s, e in zip(starts, ends, strict=True)]
        assert pieces == ["U", ".", "S", ".", "gains", ",", "3", "%"]

    def test_blank_text_has_no_tokens(self) -> None:
        """Whitespace only gives no tokens."""
        assert tokenize("  \n ")[0].shape == (0,)


class TestSpanAggregator:
    def test_majority_of_spans(self) -> None:
        """Spans two of three annotators agree on survive; a lone wrong span does not."""
        rows = _rows(
            {
                "a": [ADA, BABBAGE, LONDON],
                "b": [ADA, BABBAGE, LONDON],
                "c": [{"start": 0, "end": 3, "tag": "LOC"}, LONDON],
            }
        )
        agg = SpanAggregator(tags=["PER", "LOC"], method="mv").fit(rows)
        assert agg.labels_ == [[ADA, BABBAGE, LONDON]]
        assert len(agg.span_confidences_[0]) == 3
        weights = agg.quality_weights_
        assert weights[2] < weights[0]

    def test_adjacent_spans_of_one_tag_stay_apart(self) -> None:
        """A B- tag right after a span of the same tag starts a new span."""
        text = "Ada Bob"
        rows = [
            (
                "d",
                w,
                [{"start": 0, "end": 3, "tag": "PER"}, {"start": 4, "end": 7, "tag": "PER"}],
                {"text": text},
            )
            for w in ("a", "b")
        ]
        agg = SpanAggregator(tags=["PER"], method="mv").fit(rows)
        assert agg.labels_ == [
            [{"start": 0, "end": 3, "tag": "PER"}, {"start": 4, "end": 7, "tag": "PER"}]
        ]

    def test_offsets_snap_to_tokens(self) -> None:
        """A span ending inside a word covers the whole word."""
        rows = [("d", w, [{"start": 0, "end": 2, "tag": "PER"}], {"text": TEXT}) for w in "ab"]
        agg = SpanAggregator(tags=["PER"], method="mv").fit(rows)
        assert agg.labels_ == [[{"start": 0, "end": 3, "tag": "PER"}]]

    def test_nested_spans_are_flattened(self) -> None:
        """A token inside two spans of one annotation keeps the first span's tag."""
        nested = [ADA, {"start": 4, "end": 12, "tag": "LOC"}]
        rows = [("d", w, nested, {"text": TEXT}) for w in "ab"]
        agg = SpanAggregator(tags=["PER", "LOC"], method="mv").fit(rows)
        assert agg.labels_ == [[ADA]]

    def test_item_without_tokens(self) -> None:
        """An item whose text has no tokens gets no spans and full confidence."""
        rows = [("d", "a", [], {"text": "   "}), ("e", "a", [ADA], {"text": TEXT})]
        agg = SpanAggregator(tags=["PER"], method="mv").fit(rows)
        assert agg.labels_[0] == []
        assert agg.confidence_[0] == 1.0

    def test_synthetic_ds_beats_token_majority(self) -> None:
        """On synthetic annotators token-level DS has a higher exact-span F1 than voting."""
        data = synthetic_spans(150, 5, random_state=7)
        f1 = {}
        for method in ("mv", "ds"):
            agg = SpanAggregator(tags=data.schema["tags"], method=method).fit(data.rows)
            pred = dict(zip(agg.item_ids_.tolist(), agg.labels_, strict=True))
            f1[method] = span_scores(pred, data.gold)[0].f1
        assert f1["ds"] > f1["mv"]
        drawn = np.array([data.skill[w] for w in agg.worker_ids_.tolist()])
        assert np.corrcoef(drawn, agg.skills_)[0, 1] > 0.8

    def test_unknown_tag_raises(self) -> None:
        """A span with a tag outside the schema is refused."""
        with pytest.raises(QualityInputError, match="tag 'ORG' is not one of"):
            SpanAggregator(tags=["PER"]).fit(_rows({"a": [{"start": 0, "end": 3, "tag": "ORG"}]}))

    def test_bad_span_and_payload_raise(self) -> None:
        """Malformed spans and payloads without text are refused, naming the field."""
        with pytest.raises(QualityInputError, match="bad span"):
            SpanAggregator(tags=["PER"]).fit(_rows({"a": [{"start": 0}]}))
        with pytest.raises(QualityInputError, match="empty or negative"):
            SpanAggregator(tags=["PER"]).fit(_rows({"a": [{"start": 3, "end": 3, "tag": "PER"}]}))
        with pytest.raises(QualityInputError, match="payload.text: missing"):
            SpanAggregator(tags=["PER"]).fit([("d", "a", [], {"body": TEXT})])
