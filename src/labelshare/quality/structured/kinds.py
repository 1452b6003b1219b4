"""One entry point for every label kind: ``structured_quality(schema, rows)``.

Settlement, the requester dashboard and exports call this for a project of any kind
and get the same record back: the aggregated label and its confidence per item, a
reliability per annotator, and per annotation a leave-one-out quality weight in
[0, 1] (what rewards and shares are paid on). ``classification`` goes through the
categorical estimators of :mod:`labelshare.quality`, the other kinds through the
aggregators of this package.

The schema is read as JSON (``LabelSchema.to_json()`` of ``labelshare.schema``):
this package imports nothing else of the project, so it reads only the keys it needs.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from labelshare.quality import LabelMatrix, loo_quality_weights, make_estimator
from labelshare.quality.exceptions import QualityInputError
from labelshare.quality.structured._base import StructuredAggregator, encode_rows
from labelshare.quality.structured.boxes import BoxAggregator
from labelshare.quality.structured.free_text import TextAggregator
from labelshare.quality.structured.multilabel import MultilabelAggregator
from labelshare.quality.structured.ordinal import OrdinalAggregator
from labelshare.quality.structured.rubric import RubricAggregator
from labelshare.quality.structured.spans import SpanAggregator

__all__ = ["KINDS", "StructuredQuality", "make_aggregator", "structured_quality"]

KINDS = ("classification", "multilabel", "rating", "spans", "bbox", "text", "rubric")
"""The schema kinds :func:`structured_quality` handles."""


@dataclass(frozen=True, eq=False)
class StructuredQuality:
    """Aggregated labels, reliabilities and quality weights of one set of annotations.

    Attributes:
        kind: the schema kind.
        item_ids: ``(n_items,)`` item ids, in canonical (sorted) order.
        labels: ``n_items`` aggregated values in the schema's value format, aligned
            with ``item_ids`` (a class name, a sorted class list, an int rating, a
            span list, a box list, a string or a ``{criterion: score}`` object).
        confidence: ``(n_items,)`` float64 in [0, 1], confidence in each label.
        annotator_ids: ``(n_annotators,)`` annotator ids, in canonical order.
        reliability: ``(n_annotators,)`` float64 in [0, 1].
        label_weights: ``(n_rows,)`` float64 in [0, 1], one per input row in input
            order: that annotation's quality judged without it (leave-one-out).
        part_confidences: per item, the confidence of each part of its label, in the
            label's order (multilabel: each chosen class's posterior; spans: each
            span's; bbox: each box's existence posterior, the ``score`` of a COCO
            export; rubric: each criterion's score's posterior, in the schema's
            criterion order); None for kinds whose labels have no parts.
    """

    kind: str
    item_ids: NDArray[Any]
    labels: list[Any]
    confidence: NDArray[np.float64]
    annotator_ids: NDArray[Any]
    reliability: NDArray[np.float64]
    label_weights: NDArray[np.float64]
    part_confidences: list[list[float]] | None = None

    def label_of(self, item: Any) -> Any:
        """The aggregated label of one item.

        Args:
            item: the item id.

        Returns:
            The label.

        Raises:
            QualityInputError: the item is unknown.
        """
        matches = np.flatnonzero(self.item_ids == item)
        if matches.size == 0:
            raise QualityInputError(f"item: unknown id {item!r}")
        return self.labels[int(matches[0])]


def _schema_json(schema: Mapping[str, Any] | str | bytes | Any) -> Mapping[str, Any]:
    if hasattr(schema, "to_json"):
        schema = schema.to_json()
    if isinstance(schema, str | bytes):
        try:
            schema = json.loads(schema)
        except json.JSONDecodeError as exc:
            raise QualityInputError(f"schema: not valid JSON ({exc.msg})") from exc
    if not isinstance(schema, Mapping):
        raise QualityInputError(f"schema: expected a JSON object, got {type(schema).__name__}")
    return schema


def _option(schema: Mapping[str, Any], key: str) -> Any:
    if key not in schema:
        raise QualityInputError(f"schema.{key}: missing for kind {schema.get('kind')!r}")
    return schema[key]


def make_aggregator(
    schema: Mapping[str, Any] | str | bytes | Any, **params: Any
) -> StructuredAggregator:
    """The aggregator of a non-categorical schema, configured from the schema.

    Args:
        schema: the schema JSON (mapping, text, or an object with ``to_json()``).
        **params: further hyperparameters of the kind's aggregator (e.g. ``method``).

    Returns:
        An unfitted :class:`MultilabelAggregator`, :class:`OrdinalAggregator`,
        :class:`SpanAggregator`, :class:`BoxAggregator`, :class:`TextAggregator` or
        :class:`RubricAggregator`.

    Raises:
        QualityInputError: the schema is malformed, its kind is not one of
            multilabel, rating, spans, bbox, text, rubric, or a parameter is unknown.
    """
    spec = _schema_json(schema)
    kind = spec.get("kind")
    try:
        if kind == "multilabel":
            return MultilabelAggregator(
                classes=_option(spec, "classes"),
                allow_empty=bool(spec.get("allow_empty", False)),
                **params,
            )
        if kind == "rating":
            return OrdinalAggregator(max_rating=_option(spec, "max_rating"), **params)
        if kind == "spans":
            return SpanAggregator(
                tags=_option(spec, "tags"), text_field=spec.get("text_field", "text"), **params
            )
        if kind == "bbox":
            return BoxAggregator(classes=_option(spec, "classes"), **params)
        if kind == "text":
            return TextAggregator(**params)
        if kind == "rubric":
            return RubricAggregator(
                criteria=_option(spec, "criteria"),
                min_score=spec.get("min_score", 1),
                max_score=spec.get("max_score", 5),
                **params,
            )
    except TypeError as exc:
        raise QualityInputError(f"params: {exc}") from exc
    raise QualityInputError(
        f"schema.kind: {kind!r} has no structured aggregator; expected one of {list(KINDS[1:])}"
    )


def structured_quality(
    schema: Mapping[str, Any] | str | bytes | Any,
    rows: Sequence[Any],
    *,
    reviews: Sequence[tuple[Any, Any, Any, bool]] = (),
    **params: Any,
) -> StructuredQuality:
    """Aggregate the annotations of one project of any kind and weigh each of them.

    Args:
        schema: the project's schema JSON (mapping, text, or an object with
            ``to_json()``).
        rows: ``(item, annotator, value[, payload])`` rows, values as validated by
            ``labelshare.schema``; spans rows need the payload with the text, others
            may omit it. One row per (item, annotator).
        reviews: for ``text`` only, ``(item, author, reviewer, accepted)`` votes.
        **params: hyperparameters of the kind's method (``method="mv"`` for a
            baseline, for example); for ``classification`` the estimator's name
            (``method``, default ``"auto"``) and its hyperparameters.

    Returns:
        The :class:`StructuredQuality`.

    Raises:
        QualityInputError: malformed schema, rows or parameters, or reviews given for
            a kind other than ``text``.
    """
    spec = _schema_json(schema)
    kind = str(spec.get("kind"))
    if reviews and kind != "text":
        raise QualityInputError(f"reviews: only text answers are reviewed, not {kind!r}")
    if kind == "classification":
        return _classification(spec, rows, **params)
    aggregator = make_aggregator(spec, **params)
    if isinstance(aggregator, TextAggregator):
        aggregator.fit(rows, reviews=reviews)
    else:
        aggregator.fit(rows)
    return StructuredQuality(
        kind=kind,
        item_ids=aggregator.item_ids_,
        labels=aggregator.labels_,
        confidence=aggregator.confidence_,
        annotator_ids=aggregator.worker_ids_,
        reliability=aggregator.skills_,
        label_weights=aggregator.quality_weights_,
        part_confidences=_part_confidences(aggregator),
    )


def _part_confidences(aggregator: StructuredAggregator) -> list[list[float]] | None:
    if isinstance(aggregator, BoxAggregator):
        return aggregator.box_confidences_
    if isinstance(aggregator, SpanAggregator):
        return aggregator.span_confidences_
    if isinstance(aggregator, RubricAggregator):
        return [[float(p) for p in row] for row in aggregator.criterion_confidences_]
    if isinstance(aggregator, MultilabelAggregator):
        classes = list(aggregator.classes)
        return [
            [float(probas[classes.index(name)]) for name in label]
            for probas, label in zip(aggregator.class_probas_, aggregator.labels_, strict=True)
        ]
    return None


def _classification(
    spec: Mapping[str, Any], rows: Sequence[Any], *, method: str = "auto", **params: Any
) -> StructuredQuality:
    """Categorical labels through :mod:`labelshare.quality`'s estimators; an annotator's
    reliability is the mean of its leave-one-out weights."""
    encoded = encode_rows(rows)
    index = encoded.index
    matrix = LabelMatrix.from_arrays(
        index.tasks, index.workers, np.asarray(encoded.values), classes=_option(spec, "classes")
    )
    estimator = make_estimator(method, **params)
    estimator.fit(matrix)
    # ``matrix`` is built from rows already in canonical order, so its source rows
    # are the identity and its weights are in canonical order.
    weights = loo_quality_weights(estimator, matrix)[np.argsort(matrix.source_rows)]
    totals = np.bincount(index.workers, weights=weights, minlength=index.n_workers)
    reliability = totals / np.bincount(index.workers, minlength=index.n_workers)
    probas = estimator.probas_
    return StructuredQuality(
        kind="classification",
        item_ids=index.task_ids,
        labels=[matrix.class_ids[k].item() for k in estimator.labels_],
        confidence=probas[np.arange(matrix.n_tasks), estimator.labels_],
        annotator_ids=index.worker_ids,
        reliability=reliability,
        label_weights=encoded.to_input_order(weights),
    )
