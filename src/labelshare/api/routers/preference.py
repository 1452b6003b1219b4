"""Training exports of preference projects: DPO pairs, rankings and rubric scores."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from labelshare.api.deps import AccountDep, SessionDep
from labelshare.api.routers.projects import ERRORS, ProjectId
from labelshare.io.preference import write_jsonl_rows
from labelshare.services.access import managed_project
from labelshare.services.preference import export_kinds, load_preference_labels, preference_rows

router = APIRouter(tags=["preference"])
PreferenceExport = Literal["dpo", "ranking", "rubric"]
_CHUNK_ROWS = 500


def _chunks(text: str) -> Iterator[bytes]:
    """The JSONL body in chunks of whole lines."""
    lines = text.splitlines(keepends=True)
    for start in range(0, len(lines), _CHUNK_ROWS):
        yield "".join(lines[start : start + _CHUNK_ROWS]).encode()


@router.get(
    "/projects/{project_id}/export/preferences",
    responses={**ERRORS, 200: {"content": {"application/x-ndjson": {}}}},
    response_class=StreamingResponse,
)
def get_preference_export(
    project_id: ProjectId,
    session: SessionDep,
    account: AccountDep,
    what: PreferenceExport = "dpo",
    min_confidence: Annotated[float, Query(ge=0.0, le=1.0)] = 0.5,
    with_metadata: bool = False,
) -> StreamingResponse:
    """Stream a preference project's training rows as JSONL (owner or admin).

    ``dpo`` gives ``{"prompt", "chosen", "rejected"}`` pairs whose aggregated preference
    is at least ``min_confidence`` likely (with ``rationales``, the agreeing labels'
    reasons, when any label gave one), ``ranking`` each item's responses in order,
    ``rubric`` the scores per criterion: the rows ``labelshare preference export`` writes.
    """
    project = managed_project(session, account, project_id)
    labels = load_preference_labels(session, project, kinds=export_kinds(what))
    # The rows come from a fit over every label, so they are built before the first
    # byte goes out: an error is still a clean error response, not a cut-off body.
    body = io.StringIO()
    write_jsonl_rows(
        preference_rows(labels, what, min_confidence=min_confidence, with_metadata=with_metadata),
        body,
    )
    return StreamingResponse(
        _chunks(body.getvalue()),
        media_type="application/x-ndjson",
        headers={
            "Content-Disposition": f'attachment; filename="project-{project.id}-{what}.jsonl"'
        },
    )
