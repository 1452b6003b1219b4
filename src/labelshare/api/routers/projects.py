"""``/api/v1/projects``: the public list of projects."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from labelshare.api.deps import SessionDep
from labelshare.services.projects import list_projects
from labelshare.services.stats import project_progress

router = APIRouter(tags=["projects"])


class ProjectSummary(BaseModel):
    """A project as listed."""

    id: int
    name: str
    status: str
    label_schema: dict[str, Any]
    items: int
    labels: int
    fraction_done: float


@router.get("/projects")
def projects(session: SessionDep) -> list[ProjectSummary]:
    """Every public or active project with its progress."""
    out = []
    for project in list_projects(session):
        progress = project_progress(session, project)
        out.append(
            ProjectSummary(
                id=project.id,
                name=project.name,
                status=project.status,
                label_schema=project.label_schema,
                items=progress.items,
                labels=progress.labels,
                fraction_done=progress.fraction_done,
            )
        )
    return out
