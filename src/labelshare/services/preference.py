"""Preference projects' labels and their training exports, shared by the CLI and the API.

A pairwise or ranking project's labels are aggregated by
``labelshare.quality.preference.preference_quality`` (a Dawid–Skene-style model over
the three outcomes of each pair); the DPO and ranking rows are built from its
posteriors, the rubric rows from the raw scores (``labelshare.io.preference``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from labelshare.errors import InvalidInput
from labelshare.services.exports import iter_export_items
from labelshare.services.projects import project_schema

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from labelshare.io.records import ExportItem
    from labelshare.schema import LabelSchema
    from labelshare.store.models import Project

PAIR_KINDS = ("pairwise", "ranking")
"""The kinds whose labels decompose into pairwise preferences."""

EXPORTS = ("dpo", "ranking", "rubric")
"""What ``preference_rows`` can export."""


@dataclass(frozen=True)
class PreferenceLabels:
    """A preference project's items and its labels as three parallel lists.

    Attributes:
        schema: the project's label schema.
        items: every item with its annotations.
        item_ids: the item (external id) of each label.
        annotators: the annotator of each label.
        values: each label's value.
    """

    schema: LabelSchema
    items: list[ExportItem]
    item_ids: list[str]
    annotators: list[str]
    values: list[Any]


@contextmanager
def quality_errors() -> Iterator[None]:
    """Report the quality engine's input errors as ``InvalidInput``.

    Raises:
        InvalidInput: in place of a ``QualityInputError`` raised inside the block.
    """
    from labelshare.quality import QualityInputError

    try:
        yield
    except QualityInputError as exc:
        raise InvalidInput(str(exc)) from exc


def load_preference_labels(
    session: Session, project: Project, *, kinds: tuple[str, ...]
) -> PreferenceLabels:
    """Read ``project``'s items and labels, checking that its kind is one of ``kinds``.

    Args:
        session: an open session.
        project: the project.
        kinds: the label kinds the caller can handle.

    Returns:
        The items and the labels as parallel lists.

    Raises:
        InvalidInput: (field ``project``) the project is of another kind, or a pairwise
            or ranking project has no labels yet.
    """
    schema = project_schema(project)
    if schema.kind not in kinds:
        raise InvalidInput(
            f"project {project.name!r} is a {schema.kind} project; this needs {' or '.join(kinds)}",
            field="project",
        )
    items = list(iter_export_items(session, project))
    item_ids: list[str] = []
    annotators: list[str] = []
    values: list[Any] = []
    for item in items:
        for annotation in item.annotations:
            item_ids.append(item.external_id)
            annotators.append(annotation.annotator)
            values.append(annotation.value)
    if not values and schema.kind in PAIR_KINDS:
        raise InvalidInput(f"project {project.name!r} has no labels yet", field="project")
    return PreferenceLabels(schema, items, item_ids, annotators, values)


def export_kinds(what: str) -> tuple[str, ...]:
    """The project kinds an export of ``what`` reads.

    Args:
        what: ``dpo``, ``ranking`` or ``rubric``.

    Returns:
        ``("rubric",)`` for rubric exports, else the pairwise kinds.

    Raises:
        InvalidInput: (field ``what``) ``what`` is not a known export.
    """
    if what not in EXPORTS:
        raise InvalidInput(
            f"unknown export {what!r}; expected dpo, ranking or rubric", field="what"
        )
    return ("rubric",) if what == "rubric" else PAIR_KINDS


def preference_rows(
    labels: PreferenceLabels,
    what: str,
    *,
    min_confidence: float = 0.5,
    with_metadata: bool = False,
) -> Iterator[dict[str, Any]]:
    """The training rows of one export.

    Args:
        labels: the project's labels (``load_preference_labels``).
        what: ``dpo`` (prompt, chosen, rejected; and ``rationales``, a list per row,
            when any label gave one), ``ranking`` or ``rubric``.
        min_confidence: the least posterior probability of an exported DPO preference.
        with_metadata: keep the item id and the confidence in DPO rows.

    Returns:
        The rows, as JSON objects.

    Raises:
        InvalidInput: ``what`` is unknown (field ``what``), does not fit the project's
            kind (field ``project``), or the quality engine refused the labels.
    """
    from labelshare.io.preference import (
        dpo_examples,
        dpo_rows,
        has_rationales,
        ranking_rows,
        rubric_rows,
    )
    from labelshare.quality.preference import preference_quality

    kinds = export_kinds(what)
    if labels.schema.kind not in kinds:
        raise InvalidInput(
            f"a {what} export needs a {' or '.join(kinds)} project, not {labels.schema.kind}",
            field="project",
        )
    if what == "rubric":
        criteria = list(labels.schema.to_json()["criteria"])
        return rubric_rows(labels.items, criteria=criteria)
    with quality_errors():
        quality = preference_quality(labels.item_ids, labels.annotators, labels.values)
    posteriors = {
        (str(item), i, j): probas.tolist()
        for (item, i, j), probas in zip(quality.tasks, quality.task_probas, strict=True)
    }
    if what == "dpo":
        examples = dpo_examples(labels.items, posteriors, min_confidence=min_confidence)
        return dpo_rows(
            examples, with_metadata=with_metadata, with_rationales=has_rationales(labels.values)
        )
    return ranking_rows(labels.items, posteriors)
