"""TextAggregator: reviews aggregated as binary labels, and similarity to the medoid."""

from __future__ import annotations

import numpy as np
import pytest

from labelshare.quality import QualityInputError
from labelshare.quality.structured import TextAggregator, synthetic_texts, text_similarity


class TestTextSimilarity:
    def test_case_and_spaces_are_ignored(self) -> None:
        """Answers differing only in case and whitespace are identical."""
        assert text_similarity("Hello  World", "hello world") == 1.0

    def test_symmetric_and_bounded(self) -> None:
        """Similarity is symmetric and lower for unrelated texts."""
        assert text_similarity("kitten", "sitting") == text_similarity("sitting", "kitten")
        assert text_similarity("abc", "xyz") < text_similarity("abc", "abd")


class TestTextAggregator:
    def test_medoid_wins_without_reviews(self) -> None:
        """The answer closest to the others is chosen; the outlier's weight is lowest."""
        rows = [
            ("q", "a", "the cat sat on a mat"),
            ("q", "b", "The cat sat on the mat"),
            ("q", "c", "completely different"),
            ("q", "d", "the cat  sat on the mat"),
        ]
        agg = TextAggregator().fit(rows)
        assert agg.labels_ == ["The cat sat on the mat"]
        assert agg.quality_weights_[2] < min(agg.quality_weights_[[0, 1, 3]])
        assert np.isnan(agg.acceptance_).all()

    def test_lone_answer_is_uninformed(self) -> None:
        """A single unreviewed answer gets confidence and weight 0.5."""
        agg = TextAggregator().fit([("q", "a", "hello")])
        assert agg.confidence_.tolist() == [0.5]
        assert agg.quality_weights_.tolist() == [0.5]

    def test_reviews_override_agreement(self) -> None:
        """An answer reviewers accept beats two similar answers they reject."""
        rows = [("q", "a", "wrong answer one"), ("q", "b", "wrong answer two"), ("q", "c", "right")]
        reviews = [
            ("q", author, reviewer, author == "c") for author in "abc" for reviewer in ("r1", "r2")
        ]
        agg = TextAggregator(method="mv").fit(rows, reviews=reviews)
        assert agg.labels_ == ["right"]
        assert agg.quality_weights_.tolist() == [0.0, 0.0, 1.0]
        assert agg.acceptance_.tolist() == [0.0, 0.0, 1.0]

    def test_synthetic_reviews_and_medoid(self) -> None:
        """On synthetic answers the aggregate is close to gold and skills track drawn ones."""
        data = synthetic_texts(150, 5, random_state=2)
        agg = TextAggregator().fit(data.rows, reviews=data.reviews)
        right = [
            text_similarity(agg.labels_[k], data.gold[i]) >= 0.9
            for k, i in enumerate(agg.item_ids_.tolist())
        ]
        assert np.mean(right) > 0.9
        drawn = np.array([data.skill[w] for w in agg.worker_ids_.tolist()])
        assert np.corrcoef(drawn, agg.skills_)[0, 1] > 0.7
        assert agg.reviewer_skills_.shape == agg.reviewer_ids_.shape

    def test_review_of_unknown_answer_raises(self) -> None:
        """A review of an answer not among the rows is refused."""
        with pytest.raises(QualityInputError, match=r"reviews\[0\]: no answer of 'z'"):
            TextAggregator().fit([("q", "a", "x")], reviews=[("q", "z", "r", True)])

    def test_self_review_raises(self) -> None:
        """An author may not review their own answer."""
        with pytest.raises(QualityInputError, match="'a' reviews their own answer on 'q'"):
            TextAggregator().fit([("q", "a", "x")], reviews=[("q", "a", "a", True)])

    def test_repeated_review_raises(self) -> None:
        """A reviewer votes at most once on an answer."""
        with pytest.raises(
            QualityInputError, match=r"reviews\[1\]: .r. reviewed .* more than once"
        ):
            TextAggregator().fit(
                [("q", "a", "x")], reviews=[("q", "a", "r", True), ("q", "a", "r", False)]
            )

    def test_bad_reviews_and_values_raise(self) -> None:
        """Non-bool votes, malformed reviews and non-string values are refused."""
        rows = [("q", "a", "x")]
        with pytest.raises(QualityInputError, match=r"reviews\[0\]\.accepted: expected a bool"):
            TextAggregator().fit(rows, reviews=[("q", "a", "r", 1)])  # type: ignore[list-item]  # the bad vote is the point
        with pytest.raises(QualityInputError, match=r"reviews\[0\]: expected"):
            TextAggregator().fit(rows, reviews=[("q", "a")])  # type: ignore[list-item]
        with pytest.raises(QualityInputError, match="value: expected a string"):
            TextAggregator().fit([("q", "a", 3)])
