"""Comparisons: coding of judgements, outcomes and display orders."""

from __future__ import annotations

import numpy as np
import pytest

from labelshare.quality import QualityInputError
from labelshare.quality.preference import Comparisons


class TestComparisons:
    def test_ids_are_coded_in_sorted_order(self) -> None:
        """Objects and workers get indices in sorted id order; outcomes get codes 0/1/2."""
        comparisons = Comparisons.from_arrays(
            ["b", "a"], ["c", "b"], ["A", "tie"], workers=["w2", "w1"], shown_first=["B", None]
        )
        assert comparisons.object_ids.tolist() == ["a", "b", "c"]
        assert comparisons.first.tolist() == [1, 0]
        assert comparisons.second.tolist() == [2, 1]
        assert comparisons.outcomes.tolist() == [0, 2]
        assert comparisons.workers.tolist() == [1, 0]
        assert comparisons.shown_first.tolist() == [1, -1]
        assert comparisons.n_objects == 3
        assert comparisons.n_workers == 2

    def test_integer_outcome_codes_are_accepted(self) -> None:
        """Outcomes may be given as the codes 0, 1 and 2."""
        comparisons = Comparisons.from_arrays([0, 1], [1, 2], np.array([1, 2]))
        assert comparisons.outcomes.tolist() == [1, 2]

    def test_take_keeps_the_id_maps(self) -> None:
        """Taking rows (with repeats) keeps every object and worker."""
        comparisons = Comparisons.from_arrays(["a", "b"], ["b", "c"], ["A", "B"])
        taken = comparisons.take(np.array([1, 1]))
        assert taken.n_comparisons == 2
        assert taken.object_ids.tolist() == ["a", "b", "c"]

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"first": [], "second": [], "outcomes": []}, r"^first: must be a non-empty"),
            ({"first": ["a"], "second": ["b", "c"], "outcomes": ["A"]}, r"^second: expected 1"),
            ({"first": ["a"], "second": ["a"], "outcomes": ["A"]}, r"compares 'a' with itself"),
            ({"first": ["a"], "second": ["b"], "outcomes": ["left"]}, r"'left' is not one of"),
            ({"first": ["a"], "second": ["b"], "outcomes": [3]}, r"codes must be 0 \(A\)"),
        ],
    )
    def test_bad_input_is_refused(self, kwargs: dict[str, list[object]], message: str) -> None:
        """Empty, mismatched, self-comparisons and unknown outcomes are refused."""
        with pytest.raises(QualityInputError, match=message):
            Comparisons.from_arrays(kwargs["first"], kwargs["second"], kwargs["outcomes"])

    def test_bad_display_order_is_refused(self) -> None:
        """A display order other than A, B or None names the row."""
        with pytest.raises(QualityInputError, match=r"^shown_first\[0\]: 'left' is not"):
            Comparisons.from_arrays(["a"], ["b"], ["A"], shown_first=["left"])
        with pytest.raises(QualityInputError, match=r"^shown_first\[1\]: 2 is not 0, 1 or -1"):
            Comparisons.from_arrays(["a", "b"], ["b", "c"], ["A", "B"], shown_first=[0, 2])
        with pytest.raises(QualityInputError, match=r"^shown_first: expected 1 entries"):
            Comparisons.from_arrays(["a"], ["b"], ["A"], shown_first=["A", "B"])

    def test_integer_display_codes_are_accepted(self) -> None:
        """Display orders may be given as the codes 0, 1 and -1."""
        comparisons = Comparisons.from_arrays(
            ["a", "b"], ["b", "c"], ["A", "B"], shown_first=np.array([1, -1])
        )
        assert comparisons.shown_first.tolist() == [1, -1]
