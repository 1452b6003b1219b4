"""Roles and the life cycles of projects, assignments and epochs."""

from __future__ import annotations

from enum import StrEnum

from labelshare.errors import InvalidTransition


class Role(StrEnum):
    """What an account may do; an account may hold several."""

    ADMIN = "admin"
    REQUESTER = "requester"
    ANNOTATOR = "annotator"
    REVIEWER = "reviewer"


class ProjectStatus(StrEnum):
    """A project is drafted, then active (labelled), possibly paused, and finally closed."""

    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


class AssignmentStatus(StrEnum):
    """An assignment is a lease on one item for one annotator."""

    LEASED = "leased"
    SUBMITTED = "submitted"
    SKIPPED = "skipped"
    EXPIRED = "expired"


class EpochStatus(StrEnum):
    """An epoch collects annotations until it is closed and settled."""

    OPEN = "open"
    CLOSED = "closed"


_PROJECT_TRANSITIONS: dict[ProjectStatus, frozenset[ProjectStatus]] = {
    ProjectStatus.DRAFT: frozenset({ProjectStatus.ACTIVE, ProjectStatus.CLOSED}),
    ProjectStatus.ACTIVE: frozenset({ProjectStatus.PAUSED, ProjectStatus.CLOSED}),
    ProjectStatus.PAUSED: frozenset({ProjectStatus.ACTIVE, ProjectStatus.CLOSED}),
    # Closed is final: settled datasets keep their shareholders and licence terms.
    ProjectStatus.CLOSED: frozenset(),
}


def check_project_transition(current: ProjectStatus, target: ProjectStatus) -> None:
    """Raise unless a project in ``current`` may move to ``target``.

    Raises:
        InvalidTransition: naming both statuses.
    """
    if target not in _PROJECT_TRANSITIONS[current]:
        raise InvalidTransition(f"status: a {current} project cannot become {target}")
