"""Tests of inferring and storing items' labels."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.errors import InvalidInput
from labelshare.services.annotations import submit_annotation
from labelshare.services.assignment import next_item
from labelshare.services.epochs import close_epoch
from labelshare.services.exports import export_project
from labelshare.services.inference import infer_project_labels
from labelshare.store.models import Item
from tests.factories import add_items, make_account, make_project


def _label_all(session: Session, project, answers: list[list[object]]) -> list[Item]:  # type: ignore[no-untyped-def]
    """Annotator k gives answers[k][n] to item n."""
    items = add_items(session, project, len(answers[0]))
    by_id = {item.id: n for n, item in enumerate(items)}
    for row in answers:
        annotator = make_account(session)
        for _ in items:
            lease = next_item(session, project, annotator)
            value = row[by_id[lease.item.id]]
            submit_annotation(session, project, annotator, item_id=lease.item.id, value=value)
    return items


class TestInferProjectLabels:
    def test_majority_of_three_is_stored_and_exported(self, session: Session) -> None:
        """Two of three annotators agreeing decide the stored label, which exports carry."""
        project = make_project(session, redundancy_min=3, redundancy_max=3)
        items = _label_all(session, project, [["pos", "neg"], ["pos", "neg"], ["neg", "neg"]])
        summary = infer_project_labels(session, project, method="mv")
        assert (summary.items, summary.labels) == (2, 6)
        session.expire_all()
        stored = session.scalars(select(Item).where(Item.project_id == project.id)).all()
        assert {i.external_id: i.inferred for i in stored} == {
            items[0].external_id: "pos",
            items[1].external_id: "neg",
        }
        assert all(0.5 < (i.inferred_confidence or 0) <= 1 for i in stored)
        out = io.StringIO()
        export_project(session, project, out, format="jsonl")
        exported = [json.loads(line) for line in out.getvalue().splitlines()]
        assert sorted(row["inferred"] for row in exported) == ["neg", "pos"]

    def test_ratings_use_their_own_model(self, session: Session) -> None:
        """A rating project gets an integer rating inferred."""
        project = make_project(
            session, schema={"kind": "rating", "max_rating": 5}, redundancy_min=3, redundancy_max=3
        )
        _label_all(session, project, [[4], [5], [4]])
        infer_project_labels(session, project)
        session.expire_all()
        (item,) = session.scalars(select(Item).where(Item.project_id == project.id)).all()
        assert item.inferred in (4, 5)

    def test_unknown_method(self, session: Session) -> None:
        """A method that does not exist names the field."""
        project = make_project(session, redundancy_min=1, redundancy_max=1)
        _label_all(session, project, [["pos"]])
        with pytest.raises(InvalidInput, match="method"):
            infer_project_labels(session, project, method="magic")

    def test_nothing_to_infer(self, session: Session) -> None:
        """A project without labels infers nothing and says so."""
        project = make_project(session)
        assert infer_project_labels(session, project).items == 0


class TestStoredAtEpochClose:
    def test_classification_keeps_settlements_posterior(self, session: Session) -> None:
        """Closing an epoch stores each judged item's label and confidence."""
        project = make_project(session, redundancy_min=3, redundancy_max=3)
        _label_all(session, project, [["pos", "neg"], ["pos", "neg"], ["pos", "neu"]])
        close_epoch(session, project)
        session.expire_all()
        stored = session.scalars(
            select(Item).where(Item.project_id == project.id).order_by(Item.id)
        ).all()
        assert [item.inferred for item in stored] == ["pos", "neg"]
        assert all(0.5 < (item.inferred_confidence or 0) <= 1 for item in stored)

    def test_structured_kinds_are_inferred_too(self, session: Session) -> None:
        """A text project's items get their aggregated answer when an epoch closes."""
        project = make_project(
            session, schema={"kind": "text", "max_length": 50}, redundancy_min=3, redundancy_max=3
        )
        _label_all(session, project, [["a red car"], ["a red car"], ["a blue bike"]])
        close_epoch(session, project)
        session.expire_all()
        (item,) = session.scalars(select(Item).where(Item.project_id == project.id)).all()
        assert item.inferred == "a red car"
