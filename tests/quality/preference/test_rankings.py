"""Rank breaking."""

from __future__ import annotations

import pytest

from labelshare.quality import QualityInputError
from labelshare.quality.preference import BradleyTerry, comparisons_from_rankings


class TestComparisonsFromRankings:
    def test_a_ranking_gives_every_ordered_pair(self) -> None:
        """A ranking of three gives its three pairs, the upper one first and winning."""
        comparisons = comparisons_from_rankings(
            [["c", "a", "b"]], workers=["w"], shown_orders=[["a", "b", "c"]]
        )
        ids = comparisons.object_ids
        pairs = [
            (ids[f], ids[s]) for f, s in zip(comparisons.first, comparisons.second, strict=True)
        ]
        assert pairs == [("c", "a"), ("c", "b"), ("a", "b")]
        assert comparisons.outcomes.tolist() == [0, 0, 0]
        # a and b were shown before c; a was shown before b.
        assert comparisons.shown_first.tolist() == [1, 1, 0]

    def test_bt_on_consistent_rankings_recovers_the_order(self) -> None:
        """Two identical rankings make Bradley–Terry order the objects the same way."""
        comparisons = comparisons_from_rankings([[3, 1, 2, 0], [3, 1, 2, 0]])
        assert BradleyTerry().fit(comparisons).ranking().tolist() == [3, 1, 2, 0]

    @pytest.mark.parametrize(
        ("rankings", "kwargs", "message"),
        [
            ([["a"]], {}, r"^rankings\[0\]: must list at least two distinct"),
            ([["a", "a"]], {}, r"^rankings\[0\]: must list at least two distinct"),
            ([["a", "b"]], {"workers": []}, r"^workers: expected 1 entries"),
            ([["a", "b"]], {"shown_orders": [["a", "c"]]}, r"^shown_orders\[0\]: must be a perm"),
        ],
    )
    def test_bad_rankings_are_refused(
        self, rankings: list[list[str]], kwargs: dict[str, object], message: str
    ) -> None:
        """Short or repeating rankings and mismatched companions are refused."""
        with pytest.raises(QualityInputError, match=message):
            comparisons_from_rankings(rankings, **kwargs)  # type: ignore[arg-type]  # kwargs vary
