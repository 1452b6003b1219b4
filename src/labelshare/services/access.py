"""Who may see and change which project.

- Admins see and manage everything.
- A requester sees and manages the projects they own, and sees public ones.
- Annotators see active and paused projects (to find work and qualification exams);
  items reach them only through assignment, which checks the project's domain.
- Reviewers see every project past its draft and may read its items and statistics,
  never gold answers.
- An annotator who labelled a project keeps reading their earnings, proofs and claims
  there after it closes (:func:`earnings_project`): the money outlasts the work. It
  gives no other right: a closed project still hands out no items and takes no labels.

A project the caller may not see is reported as unknown (404), so its existence does
not leak; one they see but may not change gives ``MissingRole`` (403).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from labelshare.core.statuses import ProjectStatus, Role
from labelshare.errors import MissingRole, NotFound, UnknownProject
from labelshare.services.accounts import has_role
from labelshare.store.models import Account, Annotation, Item, Media, Project
from labelshare.store.repositories import ProjectRepository

_OPEN = (ProjectStatus.ACTIVE.value, ProjectStatus.PAUSED.value)


def is_admin(account: Account) -> bool:
    """Whether ``account`` holds the admin role."""
    return Role.ADMIN.value in account.roles


def can_see(account: Account, project: Project) -> bool:
    """Whether ``account`` may see ``project`` at all."""
    if is_admin(account) or project.owner_id == account.id:
        return True
    if project.status == ProjectStatus.DRAFT:
        return False
    if project.is_public:
        return True
    if Role.REVIEWER.value in account.roles:
        return True
    return Role.ANNOTATOR.value in account.roles and project.status in _OPEN


def can_manage(account: Account, project: Project) -> bool:
    """Whether ``account`` may change ``project``, upload to it and read its gold."""
    return is_admin(account) or project.owner_id == account.id


def visible_project(session: Session, account: Account, ref: str | int) -> Project:
    """The project ``ref`` if ``account`` may see it.

    Raises:
        UnknownProject: if there is none or it is hidden from ``account``.
    """
    project = ProjectRepository(session).get_by_ref(ref)
    if project is None or not can_see(account, project):
        raise UnknownProject(f"project: no project {ref!r}")
    return project


def managed_project(session: Session, account: Account, ref: str | int) -> Project:
    """The project ``ref`` if ``account`` may manage it.

    Raises:
        UnknownProject: if it is hidden from ``account``.
        MissingRole: if ``account`` sees it but neither owns it nor is an admin.
    """
    project = visible_project(session, account, ref)
    if not can_manage(account, project):
        raise MissingRole(f"role: only the owner of {project.name!r} or an admin may do this")
    return project


def reviewable_project(session: Session, account: Account, ref: str | int) -> Project:
    """The project ``ref`` if ``account`` manages it or reviews (its items, its stats).

    Raises:
        UnknownProject: if it is hidden from ``account``.
        MissingRole: if ``account`` is neither its manager nor a reviewer.
    """
    project = visible_project(session, account, ref)
    if not (can_manage(account, project) or has_role(account, Role.REVIEWER)):
        raise MissingRole(f"role: only the owner, an admin or a reviewer may read {project.name!r}")
    return project


def has_labelled(session: Session, account: Account, project: Project) -> bool:
    """Whether ``account`` stored at least one annotation in ``project``."""
    found = session.scalar(
        select(Annotation.id)
        .where(Annotation.project_id == project.id, Annotation.annotator_id == account.id)
        .limit(1)
    )
    return found is not None


def earnings_project(session: Session, account: Account, ref: str | int) -> Project:
    """The project ``ref`` if ``account`` may see it or ever labelled it.

    Earnings, proofs and claims stay readable to the people who earned them once the
    project closes, although a closed project is hidden from annotators otherwise.

    Raises:
        UnknownProject: if there is none, or it is hidden from ``account`` and they
            never labelled it.
    """
    project = ProjectRepository(session).get_by_ref(ref)
    if project is None or not (
        can_see(account, project) or has_labelled(session, account, project)
    ):
        raise UnknownProject(f"project: no project {ref!r}")
    return project


def earnings_reader_project(
    session: Session, account: Account, ref: str | int, address: str
) -> Project:
    """The project ``ref`` if ``account`` may read the detailed earnings of ``address``.

    The address itself may (see :func:`earnings_project`), and so may the project's
    owner and admins.

    Args:
        session: an open session.
        account: the caller.
        ref: the project's id or name.
        address: a checksum address whose earnings are asked for.

    Raises:
        UnknownProject: as :func:`earnings_project`.
        MissingRole: if ``address`` is not the caller's and the caller does not manage
            the project.
    """
    project = earnings_project(session, account, ref)
    if address.lower() != account.address.lower() and not can_manage(account, project):
        raise MissingRole(
            f"address: only {address}, the owner of {project.name!r} or an admin may read "
            "these earnings"
        )
    return project


def visible_media(session: Session, account: Account, sha256: str) -> Media:
    """The media file ``sha256`` if ``account`` may see a project with an item using it.

    Raises:
        NotFound: if no such file is stored or every project using it is hidden from
            ``account`` (alike, so that the existence of a file does not leak).
    """
    media = session.get(Media, sha256)
    if media is not None:
        users = select(Item.project_id).where(Item.media_sha256 == sha256).distinct()
        for project in session.scalars(select(Project).where(Project.id.in_(users))):
            if can_see(account, project):
                return media
    raise NotFound(f"sha256: no media {sha256!r}")


def visible_projects(
    session: Session, account: Account, *, after_id: int = 0, limit: int = 50
) -> Sequence[Project]:
    """The projects ``account`` may see, by id, after ``after_id`` (keyset pages)."""
    query = select(Project).where(Project.id > after_id)
    if not is_admin(account):
        rules = [Project.owner_id == account.id]
        seen_past_draft = Project.status != ProjectStatus.DRAFT.value
        rules.append(Project.is_public & seen_past_draft)
        if Role.REVIEWER.value in account.roles:
            rules.append(seen_past_draft)
        if Role.ANNOTATOR.value in account.roles:
            rules.append(Project.status.in_(_OPEN))
        query = query.where(or_(*rules))
    return session.scalars(query.order_by(Project.id).limit(limit)).all()
