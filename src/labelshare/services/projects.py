"""Creating, reading and changing projects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from labelshare.core.project import ProjectSpec, ProjectUpdate
from labelshare.core.statuses import ProjectStatus, Role, check_project_transition
from labelshare.core.validation import validate_model
from labelshare.errors import DuplicateProject, InvalidInput, MissingRole, UnknownProject
from labelshare.schema import LabelSchema, parse_schema
from labelshare.services.accounts import has_role
from labelshare.store.models import Account, Project
from labelshare.store.repositories import ProjectRepository


def create_project(
    session: Session, owner: Account, spec: ProjectSpec | Mapping[str, Any]
) -> Project:
    """Create a project in ``draft`` owned by ``owner``.

    Raises:
        MissingRole: if ``owner`` is not a requester.
        InvalidInput: naming the first bad field of ``spec``.
        DuplicateProject: if the name is taken.
    """
    if not has_role(owner, Role.REQUESTER):
        raise MissingRole(f"role: {owner.address} is not a requester")
    if not isinstance(spec, ProjectSpec):
        spec = validate_model(ProjectSpec, spec)
    repo = ProjectRepository(session)
    if repo.get_by_name(spec.name) is not None:
        raise DuplicateProject(f"name: a project named {spec.name!r} exists already")
    project = Project(
        owner_id=owner.id,
        **spec.model_dump(),
        status=ProjectStatus.DRAFT.value,
    )
    session.add(project)
    session.flush()
    return project


def get_project(session: Session, ref: str | int) -> Project:
    """The project named ``ref`` (or with id ``ref``).

    Raises:
        UnknownProject: if there is none.
    """
    project = ProjectRepository(session).get_by_ref(ref)
    if project is None:
        raise UnknownProject(f"project: no project {ref!r}")
    return project


def list_projects(session: Session) -> Sequence[Project]:
    """Every project, oldest first."""
    return ProjectRepository(session).list_all()


def project_schema(project: Project) -> LabelSchema:
    """The parsed label schema of ``project``."""
    return parse_schema(project.label_schema)


def update_project(
    session: Session, project: Project, changes: ProjectUpdate | Mapping[str, Any]
) -> Project:
    """Apply ``changes`` (only the fields given) to ``project``.

    Raises:
        InvalidInput: naming the first bad field, or when the result's redundancy is
            inverted.
        InvalidTransition: if the project is closed.
    """
    if not isinstance(changes, ProjectUpdate):
        changes = validate_model(ProjectUpdate, changes)
    if project.status == ProjectStatus.CLOSED:
        check_project_transition(ProjectStatus.CLOSED, ProjectStatus.ACTIVE)
    given = changes.model_dump(exclude_unset=True)
    low = given.get("redundancy_min", project.redundancy_min)
    high = given.get("redundancy_max", project.redundancy_max)
    if low > high:
        raise InvalidInput(
            f"redundancy_min: {low} exceeds redundancy_max {high}", field="redundancy_min"
        )
    for name, value in given.items():
        setattr(project, name, value)
    session.flush()
    return project


def set_project_status(session: Session, project: Project, status: str) -> Project:
    """Move ``project`` to ``status`` (``active``, ``paused`` or ``closed``).

    Raises:
        InvalidInput: if ``status`` is not a project status.
        InvalidTransition: if the move is not allowed from the current status.
    """
    try:
        target = ProjectStatus(status)
    except ValueError:
        allowed = ", ".join(s.value for s in ProjectStatus)
        raise InvalidInput(
            f"status: {status!r} is not a project status ({allowed})", field="status"
        ) from None
    check_project_transition(ProjectStatus(project.status), target)
    project.status = target.value
    session.flush()
    return project
