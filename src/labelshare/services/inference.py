"""Inferring each item's label from its annotations, and storing it for exports.

Every schema kind goes through ``labelshare.quality.structured.structured_quality``:
truth inference for classification (the method the caller names, ``auto`` by default),
and the kind's own aggregator for multilabel, ratings, spans, boxes, free text and
rubrics (a score per criterion). The inferred label and its confidence are stored on
the item (``inferred``, ``inferred_confidence``), where exports and the dashboard read
them. Closing an epoch stores them too (:func:`store_epoch_inference`), so a settled
project always shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session, aliased

from labelshare.errors import InvalidInput
from labelshare.quality import QualityInputError
from labelshare.quality.structured import KINDS, structured_quality
from labelshare.services.epoch_labels import EpochLabels
from labelshare.services.projects import project_schema
from labelshare.store.models import Annotation, Item, Project

ITEMS = cast(Table, Item.__table__)


@dataclass(frozen=True)
class InferenceSummary:
    """What ``infer_project_labels`` stored.

    Attributes:
        kind: the project's schema kind.
        items: items given an inferred label.
        labels: current labels the inference read.
        mean_confidence: average confidence of the inferred labels (0 when none).
    """

    kind: str
    items: int
    labels: int
    mean_confidence: float


def infer_project_labels(
    session: Session, project: Project, *, method: str = "auto"
) -> InferenceSummary:
    """Infer and store the label of every labelled item of ``project``.

    Args:
        method: truth-inference method for classification projects (``auto``, ``mv``,
            ``wv``, ``ds``, ``ods``, ``glad``, ``mace``, ``bcc``); other kinds use their
            own aggregator.

    Raises:
        InvalidInput: the project's kind has no aggregator, or the method is unknown.
    """
    kind = str(project.label_schema["kind"])
    if kind not in KINDS:
        raise InvalidInput(
            f"label_schema: no label inference for {kind!r} projects "
            f"(supported: {', '.join(sorted(KINDS))})",
            field="label_schema",
        )
    later = aliased(Annotation)
    rows = [
        (item_id, annotator_id, value, payload)
        for item_id, annotator_id, value, payload in session.execute(
            select(Annotation.item_id, Annotation.annotator_id, Annotation.value, Item.payload)
            .join(Item, Item.id == Annotation.item_id)
            .outerjoin(later, later.supersedes_id == Annotation.id)
            .where(Annotation.project_id == project.id, later.id.is_(None))
            .order_by(Annotation.item_id, Annotation.annotator_id)
        )
    ]
    if not rows:
        return InferenceSummary(kind=kind, items=0, labels=0, mean_confidence=0.0)
    params = {"method": method} if kind == "classification" else {}
    try:
        result = structured_quality(project.label_schema, rows, **params)
    except QualityInputError as exc:
        raise InvalidInput(str(exc), field="method") from exc
    updates = [
        {"item_id": int(item_id), "inferred": label, "confidence": float(confidence)}
        for item_id, label, confidence in zip(
            result.item_ids, result.labels, result.confidence, strict=True
        )
    ]
    _write(session, updates)
    return InferenceSummary(
        kind=kind,
        items=len(updates),
        labels=len(rows),
        mean_confidence=sum(u["confidence"] for u in updates) / len(updates),
    )


def store_epoch_inference(session: Session, project: Project, labels: EpochLabels) -> int:
    """Keep on the items the labels that an epoch's settlement inferred.

    Categorical and pairwise kinds reuse settlement's own posterior (no second fit). The
    structured kinds' aggregators hand settlement weights only, so their labels are
    inferred afresh here with :func:`infer_project_labels`.

    Returns:
        How many items got an inferred label.
    """
    schema = project_schema(project)
    categories = schema.categories
    known = labels.inferred >= 0
    if categories and known.any():
        updates = [
            {
                "item_id": int(item_id),
                "inferred": schema.value_from_text(categories[int(index)]),
                "confidence": float(confidence),
            }
            for item_id, index, confidence in zip(
                labels.item_ids[known],
                labels.inferred[known],
                labels.confidence[known],
                strict=True,
            )
        ]
        _write(session, updates)
        return len(updates)
    if str(project.label_schema["kind"]) in KINDS and labels.item_ids.size:
        return infer_project_labels(session, project).items
    return 0


def _write(session: Session, updates: list[dict[str, Any]]) -> None:
    session.execute(
        update(ITEMS)
        .where(ITEMS.c.id == bindparam("item_id"))
        .values(inferred=bindparam("inferred"), inferred_confidence=bindparam("confidence")),
        updates,
    )
