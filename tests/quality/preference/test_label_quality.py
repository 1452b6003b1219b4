"""preference_quality: label weights, annotator reliability and position bias."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from labelshare.quality import QualityInputError
from labelshare.quality.preference import (
    comparisons_from_values,
    informedness,
    preference_quality,
)


def _market(seed: int, n_items: int = 150) -> tuple[list[int], list[str], list[dict[str, Any]]]:
    """Four honest annotators (85% right), one always-A and one always-left annotator."""
    rng = np.random.default_rng(seed)
    truth = rng.choice(["A", "B"], size=n_items)
    items: list[int] = []
    annotators: list[str] = []
    values: list[dict[str, Any]] = []
    for item in range(n_items):
        right = str(truth[item])
        wrong = "B" if right == "A" else "A"
        for who in ("h1", "h2", "h3", "h4", "always_a", "always_left"):
            shown = str(rng.choice(["A", "B"]))
            if who == "always_a":
                choice = "A"
            elif who == "always_left":
                choice = shown
            else:
                choice = right if rng.random() < 0.85 else wrong
            items.append(item)
            annotators.append(who)
            values.append({"choice": choice, "shown_first": shown})
    return items, annotators, values


class TestPreferenceQuality:
    def test_uninformed_strategies_earn_nothing(self) -> None:
        """Always-A and always-left annotators get weight ~0; honest ones get most."""
        items, annotators, values = _market(0)
        quality = preference_quality(items, annotators, values)
        who = np.asarray(annotators)
        mean = {w: quality.label_weights[who == w].mean() for w in set(annotators)}
        assert mean["always_a"] < 0.05
        assert mean["always_left"] < 0.05
        assert min(mean[h] for h in ("h1", "h2", "h3", "h4")) > 0.4
        reliability = dict(zip(quality.worker_ids.tolist(), quality.reliability, strict=True))
        assert reliability["h1"] > 0.5
        assert reliability["always_left"] < 0.1

    def test_position_bias_is_reported(self) -> None:
        """The always-left annotator is flagged as position-biased; honest ones are not."""
        items, annotators, values = _market(1)
        quality = preference_quality(items, annotators, values)
        bias = dict(
            zip(
                quality.position_bias.worker_ids.tolist(),
                quality.position_bias.is_biased,
                strict=True,
            )
        )
        assert bias["always_left"]
        assert not bias["h1"]
        assert quality.classes == ("A", "B")

    def test_weights_are_in_input_order_and_deterministic(self) -> None:
        """Reversing the label order reverses the weights and changes nothing else."""
        items, annotators, values = _market(2, n_items=40)
        forward = preference_quality(items, annotators, values).label_weights
        backward = preference_quality(items[::-1], annotators[::-1], values[::-1]).label_weights
        np.testing.assert_allclose(forward, backward[::-1], atol=1e-9)

    @settings(max_examples=15, deadline=None)
    @given(st.integers(0, 2**31 - 1))
    def test_renaming_annotators_changes_nothing(self, seed: int) -> None:
        """Giving the annotators other names leaves every label weight unchanged."""
        items, annotators, values = _market(seed % 1000, n_items=25)
        rename = {name: f"z{len(name)}{name[::-1]}" for name in set(annotators)}
        forward = preference_quality(items, annotators, values).label_weights
        renamed = preference_quality(items, [rename[a] for a in annotators], values)
        np.testing.assert_allclose(forward, renamed.label_weights, atol=1e-9)

    def test_rankings_split_into_pairs(self) -> None:
        """A ranking of three answers three sub-tasks; agreeing rankings score alike."""
        values: list[Any] = [
            {"order": [2, 0, 1], "shown_order": [0, 1, 2]},
            {"order": [2, 0, 1]},
            [2, 1, 0],
        ]
        quality = preference_quality(["q", "q", "q"], ["a", "b", "c"], values)
        assert quality.tasks == (("q", 0, 1), ("q", 0, 2), ("q", 1, 2))
        assert quality.label_weights[0] == pytest.approx(quality.label_weights[1])
        assert quality.position_bias.n_judged.tolist() == [3, 0, 0]

    def test_ties_add_a_class(self) -> None:
        """A tie among the labels adds the tie outcome to the classes."""
        quality = preference_quality([1, 1], ["a", "b"], [{"choice": "tie"}, {"choice": "A"}])
        assert quality.classes == ("A", "B", "tie")
        assert quality.task_probas.shape == (1, 3)

    @pytest.mark.parametrize(
        ("values", "message"),
        [
            ([{"choice": "C"}], r"^values\[0\]\.choice: 'C' is not"),
            ([{"choice": "A", "shown_first": "L"}], r"^values\[0\]\.shown_first: 'L' is not"),
            (["A"], r"^values\[0\]: expected a pairwise value with a choice or a ranking"),
            ([{"order": [0, 2]}], r"^values\[0\]\.order: \[0, 2\] is not a permutation"),
            ([{"order": [0, 1], "shown_order": [0, 0]}], r"^values\[0\]\.shown_order: is not"),
        ],
    )
    def test_bad_values_are_refused(self, values: list[Any], message: str) -> None:
        """Values that are neither pairwise nor rankings are refused by position."""
        with pytest.raises(QualityInputError, match=message):
            preference_quality(["i"], ["a"], values)

    def test_mismatched_lengths_are_refused(self) -> None:
        """Parallel sequences of different lengths are refused."""
        with pytest.raises(QualityInputError, match=r"^items/annotators/values: lengths differ"):
            preference_quality(["i"], ["a", "b"], [{"choice": "A"}])
        with pytest.raises(QualityInputError, match=r"^values: no labels given"):
            preference_quality([], [], [])


class TestInformedness:
    def test_known_answers(self) -> None:
        """Perfect, constant and random confusions give 1, 0 and 0; 85% right gives 0.7."""
        priors = np.array([0.5, 0.5])
        confusions = np.array(
            [
                [[1.0, 0.0], [0.0, 1.0]],
                [[1.0, 0.0], [1.0, 0.0]],
                [[0.5, 0.5], [0.5, 0.5]],
                [[0.85, 0.15], [0.15, 0.85]],
                [[0.0, 1.0], [1.0, 0.0]],
            ]
        )
        np.testing.assert_allclose(informedness(confusions, priors), [1.0, 0.0, 0.0, 0.7, 0.0])


class TestComparisonsFromValues:
    def test_models_are_the_objects(self) -> None:
        """With response_objects the judgements compare the models behind the responses."""
        comparisons = comparisons_from_values(
            ["q1", "q2"],
            ["a", "a"],
            [{"choice": "B", "shown_first": "A"}, {"order": [1, 0]}],
            response_objects={"q1": ["m1", "m2"], "q2": ["m2", "m1"]},
        )
        assert comparisons.object_ids.tolist() == ["m1", "m2"]
        assert comparisons.outcomes.tolist() == [1, 1]
        assert comparisons.shown_first.tolist() == [0, -1]

    def test_default_objects_are_item_responses(self) -> None:
        """Without response_objects each response is its own object."""
        comparisons = comparisons_from_values(["q"], ["a"], [{"choice": "A"}])
        assert comparisons.object_ids.tolist() == ["q#0", "q#1"]

    def test_missing_item_is_refused(self) -> None:
        """An item absent from response_objects is refused, naming it."""
        with pytest.raises(QualityInputError, match=r"^response_objects: item 'q' lacks"):
            comparisons_from_values(["q"], ["a"], [{"choice": "A"}], response_objects={})
