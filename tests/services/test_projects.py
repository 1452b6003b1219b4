"""Tests of project creation and changes."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from labelshare.errors import (
    DuplicateProject,
    InvalidInput,
    InvalidTransition,
    MissingRole,
    UnknownProject,
)
from labelshare.services.projects import (
    create_project,
    get_project,
    set_project_status,
    update_project,
)
from tests.factories import SENTIMENT, make_account, make_project


class TestCreateProject:
    def test_requester_creates_a_draft(self, session: Session) -> None:
        """A requester's new project starts as a draft with the given terms."""
        owner = make_account(session, "requester")
        project = create_project(
            session, owner, {"name": "reviews", "schema": SENTIMENT, "budget": "2.5"}
        )
        assert project.status == "draft"
        assert project.budget == 25 * 10**17
        assert get_project(session, "reviews").id == project.id
        assert get_project(session, str(project.id)).id == project.id

    def test_annotator_cannot_create(self, session: Session) -> None:
        """Only requesters create projects."""
        with pytest.raises(MissingRole, match="is not a requester"):
            create_project(session, make_account(session), {"name": "x", "schema": SENTIMENT})

    def test_duplicate_name(self, session: Session) -> None:
        """Names are unique."""
        project = make_project(session)
        with pytest.raises(DuplicateProject, match="exists already"):
            make_project(session, name=project.name)

    def test_unknown_project(self, session: Session) -> None:
        """Looking up a missing project names it."""
        with pytest.raises(UnknownProject, match="no project 'ghost'"):
            get_project(session, "ghost")


class TestChanges:
    def test_update_only_given_fields(self, session: Session) -> None:
        """An update changes the fields it names and nothing else."""
        project = make_project(session, redundancy_min=2, redundancy_max=4)
        update_project(session, project, {"redundancy_max": 6, "instructions": "Be careful."})
        assert (project.redundancy_min, project.redundancy_max) == (2, 6)
        assert project.instructions == "Be careful."

    def test_update_refuses_inverted_redundancy(self, session: Session) -> None:
        """The combined result is checked, not just each field."""
        project = make_project(session, redundancy_min=2, redundancy_max=4)
        with pytest.raises(InvalidInput, match="^redundancy_min: 5 exceeds"):
            update_project(session, project, {"redundancy_min": 5})

    def test_schema_cannot_change(self, session: Session) -> None:
        """Labels already given depend on the schema, so it is not updatable."""
        project = make_project(session)
        with pytest.raises(InvalidInput, match="^schema: "):
            update_project(session, project, {"schema": {"kind": "text"}})

    def test_status_life_cycle(self, session: Session) -> None:
        """Pause and resume work; a closed project stays closed."""
        project = make_project(session)
        set_project_status(session, project, "paused")
        set_project_status(session, project, "active")
        set_project_status(session, project, "closed")
        with pytest.raises(InvalidTransition, match="a closed project cannot become active"):
            set_project_status(session, project, "active")

    def test_unknown_status(self, session: Session) -> None:
        """A status that does not exist is named in the error."""
        with pytest.raises(InvalidInput, match="^status: 'done' is not a project status"):
            set_project_status(session, make_project(session), "done")
