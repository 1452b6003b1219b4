"""Whether an answer to a gold item is correct, per schema kind.

Screening (:mod:`labelshare.services.gold_screening`) and slashing at settlement
(:mod:`labelshare.services.epoch_labels`) both count an annotator's right gold answers
with :func:`gold_is_correct`, so that the annotator stopped by screening is the one
settlement would slash. Exact answers are expected where a label is one choice;
structured answers are right when close enough to the gold answer:

* classification, rating, multilabel: the canonical values are equal;
* rubric: the scores are off by at most :data:`RUBRIC_MEAN_ERROR_BAR` points on
  average over the criteria (an annotator right on each criterion four times in five,
  and one point off otherwise, would fail most gold items if every score had to match);
* pairwise: the same choice (strength, rationale and display order are not judged);
* ranking: the same order (the display order is not judged);
* spans: exact-span F1 at least :data:`SPAN_F1_BAR`
  (:func:`labelshare.quality.structured.span_scores`);
* bbox: F1 of boxes matched at IoU 0.5 at least :data:`BOX_F1_BAR`
  (:func:`labelshare.quality.structured.box_scores`);
* text: similarity at least :data:`TEXT_SIMILARITY_BAR`
  (:func:`labelshare.quality.structured.text_similarity`, rapidfuzz's normalised
  Indel similarity ignoring case and runs of whitespace).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from labelshare.quality.structured import box_scores, span_scores, text_similarity
from labelshare.schema import LabelSchema, canonical_json

__all__ = [
    "BOX_F1_BAR",
    "BOX_IOU",
    "RUBRIC_MEAN_ERROR_BAR",
    "SPAN_F1_BAR",
    "TEXT_SIMILARITY_BAR",
    "gold_is_correct",
]

SPAN_F1_BAR = 0.5
"""Exact-span F1 against the gold spans at or above which a spans answer is right."""

BOX_IOU = 0.5
"""IoU at or above which a drawn box matches a gold box (the PASCAL VOC criterion)."""

BOX_F1_BAR = 0.5
"""F1 of matched boxes at or above which a bbox answer is right."""

RUBRIC_MEAN_ERROR_BAR = 0.5
"""Mean absolute score error over the criteria at or below which a rubric answer is right.

A scorer who draws every score at random on a 1..5 scale is off by 1.6 points on
average, one who is always one point off by 1.0; both fail.
"""

TEXT_SIMILARITY_BAR = 0.9
"""Similarity to the gold text at or above which a text answer is right."""

Judge = Callable[[Any, Any], bool]


def _same_value(answer: Any, gold: Any) -> bool:
    return canonical_json(answer) == canonical_json(gold)


def _same_choice(answer: Any, gold: Any) -> bool:
    return bool(answer["choice"] == gold["choice"])


def _same_order(answer: Any, gold: Any) -> bool:
    return list(answer["order"]) == list(gold["order"])


def _scores_close(answer: Any, gold: Any) -> bool:
    errors = [abs(answer[criterion] - score) for criterion, score in gold.items()]
    return sum(errors) <= RUBRIC_MEAN_ERROR_BAR * len(errors)


def _spans_match(answer: Any, gold: Any) -> bool:
    exact, _partial = span_scores({0: answer}, {0: gold})
    return exact.f1 >= SPAN_F1_BAR


def _boxes_match(answer: Any, gold: Any) -> bool:
    scores = box_scores({0: answer}, {0: gold}, threshold=BOX_IOU)
    return scores.at_threshold.f1 >= BOX_F1_BAR


def _texts_match(answer: Any, gold: Any) -> bool:
    return text_similarity(str(answer), str(gold)) >= TEXT_SIMILARITY_BAR


_JUDGES: dict[str, Judge] = {
    "pairwise": _same_choice,
    "ranking": _same_order,
    "rubric": _scores_close,
    "spans": _spans_match,
    "bbox": _boxes_match,
    "text": _texts_match,
}


def gold_is_correct(schema: LabelSchema, answer: Any, gold: Any) -> bool:
    """Whether ``answer`` counts as a right answer to a gold item whose answer is ``gold``.

    Args:
        schema: the project's schema (its kind picks the test).
        answer: the annotator's canonical value (as stored).
        gold: the gold item's canonical value (``schema.validate(item.gold, payload=...)``).

    Returns:
        True when the answer is right (see the module docstring for the test per kind).
    """
    return _JUDGES.get(schema.kind, _same_value)(answer, gold)
