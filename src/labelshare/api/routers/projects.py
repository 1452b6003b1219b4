"""``/projects``: create, list, show, change and move projects through their life cycle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from labelshare.api.deps import AccountDep, SessionDep
from labelshare.api.schemas.common import (
    DEFAULT_PAGE_SIZE,
    MAX_ID,
    MAX_PAGE_SIZE,
    ErrorBody,
    Page,
)
from labelshare.api.schemas.projects import ProjectOut, StatusChange
from labelshare.core.project import ProjectSpec, ProjectUpdate
from labelshare.services.access import managed_project, visible_project, visible_projects
from labelshare.services.projects import create_project, set_project_status, update_project
from labelshare.store.models import Account, Project

router = APIRouter(tags=["projects"])
ERRORS: dict[int | str, dict[str, object]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 409, 413, 422, 429)
}
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)]
After = Annotated[int, Query(ge=0, le=MAX_ID, description="Id after which the page starts")]
ProjectId = Annotated[int, Path(ge=1, le=MAX_ID)]


def project_out(session: Session, project: Project) -> ProjectOut:
    """The response body of ``project``."""
    owner = session.scalar(select(Account.address).where(Account.id == project.owner_id))
    return ProjectOut(
        id=project.id,
        name=project.name,
        status=project.status,
        owner=owner or "",
        label_schema=project.label_schema,
        instructions=project.instructions,
        domain=project.domain,
        redundancy_min=project.redundancy_min,
        redundancy_max=project.redundancy_max,
        gold_rate=project.gold_rate,
        reward_per_label=str(project.reward_per_label),
        budget=str(project.budget),
        royalty_share_bps=project.royalty_share_bps,
        slash_bar=project.slash_bar,
        exam_size=project.exam_size,
        exam_pass_rate=project.exam_pass_rate,
        requires_signature=project.requires_signature,
        is_public=project.is_public,
        created_at=project.created_at,
    )


@router.get("/projects", responses=ERRORS, response_model_by_alias=True)
def list_projects(
    session: SessionDep,
    account: AccountDep,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    after: After = 0,
) -> Page[ProjectOut]:
    """The projects the caller may see, by id, one page at a time."""
    rows = visible_projects(session, account, after_id=after, limit=limit)
    return Page[ProjectOut](
        items=[project_out(session, p) for p in rows],
        next_after=rows[-1].id if len(rows) == limit else None,
    )


@router.post("/projects", status_code=201, responses=ERRORS)
def post_project(body: ProjectSpec, session: SessionDep, account: AccountDep) -> ProjectOut:
    """Create a project in draft (requesters and admins)."""
    return project_out(session, create_project(session, account, body))


@router.get("/projects/{project_id}", responses=ERRORS)
def get_project(project_id: ProjectId, session: SessionDep, account: AccountDep) -> ProjectOut:
    """One project the caller may see."""
    return project_out(session, visible_project(session, account, project_id))


@router.patch("/projects/{project_id}", responses=ERRORS)
def patch_project(
    project_id: ProjectId, body: ProjectUpdate, session: SessionDep, account: AccountDep
) -> ProjectOut:
    """Change the terms that may change (owner or admin)."""
    project = managed_project(session, account, project_id)
    return project_out(session, update_project(session, project, body))


@router.post("/projects/{project_id}/status", responses=ERRORS)
def post_status(
    project_id: ProjectId, body: StatusChange, session: SessionDep, account: AccountDep
) -> ProjectOut:
    """Activate, pause or close a project (owner or admin)."""
    project = managed_project(session, account, project_id)
    return project_out(session, set_project_status(session, project, body.status))
