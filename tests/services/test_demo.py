"""Tests of the demo seed: one project per label kind, labelled, and one settled epoch."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelshare.schema import parse_schema
from labelshare.services.claims import earnings
from labelshare.services.demo import DEMO_PROJECT, DEMO_PROJECTS, seed_demo
from labelshare.services.epochs import list_epochs
from labelshare.services.projects import get_project
from labelshare.store.models import Annotation, Item


class TestSeedDemo:
    """``seed_demo`` gives every page data the moment it opens."""

    def test_one_project_per_kind_with_valid_labels(self, session: Session) -> None:
        """Each demo project holds items and labels its schema accepts, with work left."""
        seed_demo(session)
        kinds = {get_project(session, name).label_schema["kind"] for name in DEMO_PROJECTS}
        assert kinds == {"classification", "rating", "spans", "bbox"}
        for name in DEMO_PROJECTS:
            project = get_project(session, name)
            schema = parse_schema(project.label_schema)
            items = {
                item.id: item
                for item in session.scalars(select(Item).where(Item.project_id == project.id))
            }
            labels = session.scalars(
                select(Annotation).where(Annotation.project_id == project.id)
            ).all()
            assert labels, name
            for label in labels:
                assert (
                    schema.validate(label.value, payload=items[label.item_id].payload)
                    == label.value
                )
            unfinished = [item for item in items.values() if item.n_labels < item.label_target]
            assert unfinished, f"{name} leaves no work for a new annotator"

    def test_sentiment_has_a_settled_epoch_with_earnings(self, session: Session) -> None:
        """The sentiment project's first epoch has a root, and annotators earned from it."""
        accounts = seed_demo(session)
        project = get_project(session, DEMO_PROJECT)
        (epoch,) = list_epochs(session, project)
        assert epoch.merkle_root is not None and epoch.merkle_root.startswith("0x")
        earned = [
            earnings(session, project, a.address).cumulative
            for a in accounts
            if a.role == "annotator"
        ]
        assert sum(earned) > 0

    def test_seeding_twice_adds_nothing(self, session: Session) -> None:
        """A second seed creates no projects, labels or epochs, only fresh tokens."""
        first = seed_demo(session)
        count = session.scalar(select(func.count()).select_from(Annotation))
        second = seed_demo(session)
        assert session.scalar(select(func.count()).select_from(Annotation)) == count
        assert [a.address for a in first] == [a.address for a in second]
        assert {a.token for a in first}.isdisjoint(a.token for a in second)
        (epoch,) = list_epochs(session, get_project(session, DEMO_PROJECT))
        assert epoch.number == 1
