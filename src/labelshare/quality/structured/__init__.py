"""Quality for structured labels: multilabel, rating, spans, boxes, free text, rubrics.

One entry point for settlement, dashboards and exports, for every schema kind
(classification included)::

    result = structured_quality(schema_json, rows)        # -> StructuredQuality
    result.labels, result.confidence                      # per item
    result.annotator_ids, result.reliability              # per annotator
    result.label_weights                                  # per row, leave-one-out

Rows are ``(item, annotator, value[, payload])`` with values as validated by
``labelshare.schema``. The aggregators behind it follow the estimator rules of
:mod:`labelshare.quality` (``fit`` giving ``labels_``, ``confidence_``, ``skills_``,
``quality_weights_``, ``n_iter_``):

* :class:`MultilabelAggregator` — per-class two-coin inference, workers shared;
* :class:`OrdinalAggregator` — ratings with per-annotator bias and spread;
* :class:`SpanAggregator` — token-level BIO inference, then span reconstruction;
* :class:`BoxAggregator` — IoU + Hungarian matching, existence EM, weighted fusion;
* :class:`TextAggregator` — review votes, and similarity to the medoid answer;
* :class:`RubricAggregator` — one ordinal model per criterion, weights corrected for
  chance with Cohen's weighted kappa (:func:`linear_agreement`).

Scores against gold: :func:`span_scores`, :func:`box_scores`,
:func:`mean_absolute_error`. Synthetic annotators with known answers:
:func:`synthetic_multilabel`, :func:`synthetic_ratings`, :func:`synthetic_spans`,
:func:`synthetic_boxes`, :func:`synthetic_texts`.
"""

from labelshare.quality.structured._base import StructuredAggregator, StructuredRow
from labelshare.quality.structured.boxes import BoxAggregator
from labelshare.quality.structured.evaluation import (
    BoxScores,
    PrecisionRecall,
    box_iou,
    box_scores,
    mean_absolute_error,
    span_scores,
)
from labelshare.quality.structured.free_text import TextAggregator, text_similarity
from labelshare.quality.structured.kinds import (
    KINDS,
    StructuredQuality,
    make_aggregator,
    structured_quality,
)
from labelshare.quality.structured.multilabel import MultilabelAggregator
from labelshare.quality.structured.ordinal import OrdinalAggregator, rating_probabilities
from labelshare.quality.structured.rubric import RubricAggregator, linear_agreement
from labelshare.quality.structured.spans import SpanAggregator, tokenize
from labelshare.quality.structured.synthetic import (
    SyntheticSet,
    synthetic_boxes,
    synthetic_multilabel,
    synthetic_ratings,
    synthetic_spans,
    synthetic_texts,
)

__all__ = [
    "KINDS",
    "BoxAggregator",
    "BoxScores",
    "MultilabelAggregator",
    "OrdinalAggregator",
    "PrecisionRecall",
    "RubricAggregator",
    "SpanAggregator",
    "StructuredAggregator",
    "StructuredQuality",
    "StructuredRow",
    "SyntheticSet",
    "TextAggregator",
    "box_iou",
    "box_scores",
    "linear_agreement",
    "make_aggregator",
    "mean_absolute_error",
    "rating_probabilities",
    "span_scores",
    "structured_quality",
    "synthetic_boxes",
    "synthetic_multilabel",
    "synthetic_ratings",
    "synthetic_spans",
    "synthetic_texts",
    "text_similarity",
    "tokenize",
]
