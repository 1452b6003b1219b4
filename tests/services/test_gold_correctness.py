"""Whether a gold answer is right, per schema kind: exact where a label is a choice,
close enough where it is structured."""

from __future__ import annotations

import random
from typing import Any, ClassVar

import pytest
from sqlalchemy.orm import Session

from labelshare.schema import parse_schema
from labelshare.services.epochs import close_epoch
from labelshare.services.funding import fund_project
from labelshare.services.gold_correctness import gold_is_correct
from labelshare.services.gold_screening import gold_standing
from labelshare.store.models import Item
from tests.services.kind_world import SPANS_SCHEMA, make_kind_world, spans_item
from tests.services.settlement_world import label_round

RESPONSES = {"prompt": "q", "responses": ["one", "two", "three"]}
TEXT = {"text": "Ada met Bob in Rome"}
IMAGE = {"width": 100, "height": 100}


def _judge(schema: dict[str, Any], answer: Any, gold: Any, payload: Any = None) -> bool:
    parsed = parse_schema(schema)
    return gold_is_correct(
        parsed, parsed.validate(answer, payload=payload), parsed.validate(gold, payload=payload)
    )


class TestExactKinds:
    def test_multilabel_needs_the_same_set(self) -> None:
        """A multilabel answer is right with the same classes in any order."""
        schema = {"kind": "multilabel", "classes": ["a", "b", "c"]}
        assert _judge(schema, ["b", "a"], ["a", "b"])

    def test_multilabel_with_one_class_missing_is_wrong(self) -> None:
        """A multilabel answer missing one gold class is wrong."""
        schema = {"kind": "multilabel", "classes": ["a", "b", "c"]}
        assert not _judge(schema, ["a"], ["a", "b"])

    def test_rating_needs_the_same_rating(self) -> None:
        """A rating is right only when equal to the gold rating."""
        schema = {"kind": "rating", "max_rating": 5}
        assert _judge(schema, 4, 4)
        assert not _judge(schema, 3, 4)

    def test_rubric_one_point_off_on_some_criteria_is_right(self) -> None:
        """Rubric scores half a point off on average (or less) count as right."""
        schema = {"kind": "rubric", "criteria": ["a", "b", "c", "d"]}
        gold = {"a": 4, "b": 2, "c": 5, "d": 1}
        assert _judge(schema, gold, gold)
        assert _judge(schema, {**gold, "a": 3}, gold)
        assert _judge(schema, {**gold, "a": 3, "b": 3}, gold)
        assert not _judge(schema, {**gold, "a": 3, "b": 3, "c": 4}, gold)
        assert not _judge(schema, {**gold, "a": 1}, gold)

    def test_rubric_always_off_or_random_is_wrong(self) -> None:
        """A scorer always one point off fails; a random one passes rarely."""
        schema = {"kind": "rubric", "criteria": ["a", "b", "c", "d"]}
        rng = random.Random(5)
        golds = [{c: rng.randint(1, 5) for c in "abcd"} for _ in range(400)]
        off = [{c: g[c] + 1 if g[c] < 5 else 4 for c in "abcd"} for g in golds]
        assert not any(_judge(schema, a, g) for a, g in zip(off, golds, strict=True))
        random_answers = [{c: rng.randint(1, 5) for c in "abcd"} for _ in golds]
        right = sum(_judge(schema, a, g) for a, g in zip(random_answers, golds, strict=True))
        assert right < 0.05 * len(golds)

    def test_pairwise_judges_the_choice_only(self) -> None:
        """A pairwise answer is right with the gold choice, whatever its strength or order."""
        schema = {"kind": "pairwise", "allow_ties": True}
        pair = {"prompt": "q", "responses": ["x", "y"]}
        answer = {"choice": "B", "strength": 2, "shown_first": "A"}
        assert _judge(schema, answer, {"choice": "B"}, pair)

    def test_pairwise_other_choice_is_wrong(self) -> None:
        """A tie or the other response is wrong against a decided gold choice."""
        schema = {"kind": "pairwise", "allow_ties": True}
        pair = {"prompt": "q", "responses": ["x", "y"]}
        assert not _judge(schema, {"choice": "A"}, {"choice": "B"}, pair)
        assert not _judge(schema, {"choice": "tie"}, {"choice": "B"}, pair)

    def test_ranking_judges_the_order_only(self) -> None:
        """A ranking is right with the gold order, whatever order it was shown in."""
        schema = {"kind": "ranking"}
        answer = {"order": [2, 0, 1], "shown_order": [1, 2, 0]}
        assert _judge(schema, answer, [2, 0, 1], RESPONSES)

    def test_ranking_with_two_swapped_is_wrong(self) -> None:
        """A ranking differing from the gold order in one swap is wrong."""
        assert not _judge({"kind": "ranking"}, [0, 2, 1], [2, 0, 1], RESPONSES)


class TestStructuredKinds:
    SPANS: ClassVar[dict[str, Any]] = {"kind": "spans", "tags": ["PER", "LOC"], "allow_empty": True}
    BOXES: ClassVar[dict[str, Any]] = {"kind": "bbox", "classes": ["car", "cat"]}

    def test_spans_half_found_is_right(self) -> None:
        """Spans with exact-span F1 of 0.5 or more against gold are right."""
        gold = [{"start": 0, "end": 3, "tag": "PER"}, {"start": 8, "end": 11, "tag": "PER"}]
        assert _judge(self.SPANS, gold[:1], gold, TEXT)

    def test_spans_below_half_are_wrong(self) -> None:
        """Spans with a wrong tag on one of two gold spans and an extra span are wrong."""
        gold = [{"start": 0, "end": 3, "tag": "PER"}, {"start": 8, "end": 11, "tag": "PER"}]
        answer = [
            {"start": 0, "end": 3, "tag": "LOC"},
            {"start": 8, "end": 11, "tag": "PER"},
            {"start": 15, "end": 19, "tag": "PER"},
        ]
        assert not _judge(self.SPANS, answer, gold, TEXT)

    def test_boxes_overlapping_enough_are_right(self) -> None:
        """A box at IoU >= 0.5 with the gold box of its class is right."""
        gold = [{"x": 10, "y": 10, "w": 40, "h": 40, "class": "car"}]
        answer = [{"x": 14, "y": 12, "w": 40, "h": 40, "class": "car"}]
        assert _judge(self.BOXES, answer, gold, IMAGE)

    def test_boxes_of_another_class_or_far_away_are_wrong(self) -> None:
        """A box of the wrong class, or one barely overlapping, is wrong."""
        gold = [{"x": 10, "y": 10, "w": 40, "h": 40, "class": "car"}]
        assert not _judge(self.BOXES, [{**gold[0], "class": "cat"}], gold, IMAGE)
        far = [{"x": 40, "y": 40, "w": 40, "h": 40, "class": "car"}]
        assert not _judge(self.BOXES, far, gold, IMAGE)

    def test_text_nearly_equal_is_right(self) -> None:
        """Text differing in case, spacing or one letter of many is right."""
        schema = {"kind": "text"}
        assert _judge(schema, "The  cat sat on the mat.", "the cat sat on the mat")

    def test_text_different_is_wrong(self) -> None:
        """Text with a different meaning and wording is wrong."""
        assert not _judge({"kind": "text"}, "a dog ran off", "the cat sat on the mat")


def _drop_one_span(item: Item, rng: random.Random) -> Any:
    # Two or three gold spans less one: F1 at least 2/3, though never the gold value.
    return item.payload["truth"][1:]


def _swap_tags(item: Item, rng: random.Random) -> Any:
    swapped = {"PER": "LOC", "LOC": "PER"}
    return [{**span, "tag": swapped[span["tag"]]} for span in item.payload["truth"]]


class TestScreeningAgrees:
    @pytest.mark.parametrize(("answer", "right"), [(_drop_one_span, True), (_swap_tags, False)])
    def test_screening_counts_spans_as_settlement_does(
        self, session: Session, answer: Any, right: bool
    ) -> None:
        """Screening scores spans gold by F1 as settlement does, not by identical values."""
        rng = random.Random(5)
        world = make_kind_world(
            session,
            tag=f"screen-{right}",
            schema=SPANS_SCHEMA,
            payloads=[spans_item(rng) for _ in range(12)],
            answers=[answer],
            n_gold=6,
            redundancy=1,
        )
        label_round(session, world, per_annotator=12)
        standing = gold_standing(session, world.project, world.annotators[0])
        assert standing.total >= 2
        assert standing.correct == (standing.total if right else 0)
        fund_project(session, world.project, amount=10**18)
        labels = close_epoch(session, world.project).labels
        assert labels is not None
        assert (int(labels.gold_correct[0]), int(labels.gold_total[0])) == (
            standing.correct,
            standing.total,
        )
