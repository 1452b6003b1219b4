"""Hidden gold as a gate: an annotator confidently below the project's bar stops getting work.

The same test as slashing (:func:`labelshare.incentives.is_slashed`), with right answers
counted by the same :func:`labelshare.services.gold_correctness.gold_is_correct`: the
upper end of the one-sided credible interval of the annotator's gold accuracy, Beta(1, 1)
prior, lies below ``project.slash_bar``. Checked before handing out work, it stops a spammer after a
handful of gold answers instead of at the next epoch close, so they stop consuming the
redundancy honest annotators would otherwise provide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from labelshare.errors import Forbidden
from labelshare.incentives import accuracy_upper_bound
from labelshare.services.gold_correctness import gold_is_correct
from labelshare.services.projects import project_schema
from labelshare.store.models import Account, Annotation, Item, Project

__all__ = ["GOLD_CONFIDENCE", "GoldStanding", "check_gold_standing", "gold_standing"]

GOLD_CONFIDENCE = 0.95
"""Quantile of the accuracy posterior that must lie below the bar to stop an annotator."""


@dataclass(frozen=True)
class GoldStanding:
    """An annotator's record on a project's hidden gold.

    Attributes:
        correct: gold answers right (corrections applied).
        total: gold answers given.
        upper_bound: the GOLD_CONFIDENCE quantile of the accuracy posterior.
        is_blocked: whether that bound lies below the project's bar.
    """

    correct: int
    total: int
    upper_bound: float
    is_blocked: bool


def gold_standing(session: Session, project: Project, annotator: Account) -> GoldStanding:
    """The annotator's current gold record in ``project``."""
    later = aliased(Annotation)
    rows = session.execute(
        select(Annotation.value, Item.gold, Item.payload)
        .join(Item, Item.id == Annotation.item_id)
        .outerjoin(later, later.supersedes_id == Annotation.id)
        .where(
            Annotation.project_id == project.id,
            Annotation.annotator_id == annotator.id,
            Item.is_gold.is_(True),
            later.id.is_(None),
        )
    ).all()
    schema = project_schema(project)
    correct = sum(
        1
        for value, gold, payload in rows
        if gold_is_correct(schema, value, schema.validate(gold, payload=payload))
    )
    upper = float(
        accuracy_upper_bound(
            np.array([correct]), np.array([len(rows)]), confidence=GOLD_CONFIDENCE
        )[0]
    )
    return GoldStanding(
        correct=correct, total=len(rows), upper_bound=upper, is_blocked=upper < project.slash_bar
    )


def check_gold_standing(session: Session, project: Project, annotator: Account) -> None:
    """Raise if the annotator's gold accuracy is confidently below the project's bar.

    Raises:
        Forbidden: naming the record and the bar.
    """
    standing = gold_standing(session, project, annotator)
    if standing.is_blocked:
        raise Forbidden(
            f"gold: {standing.correct} of {standing.total} hidden gold answers right; "
            f"accuracy is confidently below the bar of {project.slash_bar} for {project.name!r}"
        )
