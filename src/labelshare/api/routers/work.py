"""Annotators' work: the next item, skipping it, submitting labels, one's own record."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, Response

from labelshare.api.deps import AccountDep, AccountIdDep, SessionDep
from labelshare.api.routers.projects import ERRORS, ProjectId
from labelshare.api.schemas.annotations import AnnotationIn, AnnotationOut, SkipOut, TaskOut
from labelshare.api.schemas.common import MAX_ID
from labelshare.api.schemas.projects import MyStatsOut
from labelshare.services.access import visible_project
from labelshare.services.annotations import Submission
from labelshare.services.assignment import next_item, skip_item
from labelshare.services.ingest import GroupCommitWriter
from labelshare.services.reports import annotator_stats

router = APIRouter(tags=["work"])
ItemId = Annotated[int, Path(ge=1, le=MAX_ID)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        description="Makes retries safe: a repeat with the same key returns the stored label",
    ),
]


@router.get("/projects/{project_id}/next", responses=ERRORS)
def get_next(
    project_id: ProjectId, request: Request, session: SessionDep, account: AccountDep
) -> TaskOut:
    """Lease the next item to label (or the one the caller holds already)."""
    project = visible_project(session, account, project_id)
    lease = next_item(session, project, account, lease_ttl_s=request.app.state.settings.lease_ttl_s)
    return TaskOut(
        project_id=project.id,
        item_id=lease.item.id,
        payload=lease.item.payload,
        expires_at=lease.assignment.expires_at,
        instructions=project.instructions,
        label_schema=project.label_schema,
    )


@router.post("/projects/{project_id}/items/{item_id}/skip", responses=ERRORS)
def post_skip(
    project_id: ProjectId, item_id: ItemId, session: SessionDep, account: AccountDep
) -> SkipOut:
    """Give a leased item back; it will not be offered to the caller again."""
    project = visible_project(session, account, project_id)
    assignment = skip_item(session, project, account, item_id)
    return SkipOut(item_id=assignment.item_id, status=assignment.status)


@router.post("/annotations", status_code=201, responses=ERRORS)
async def post_annotation(
    body: AnnotationIn,
    request: Request,
    response: Response,
    account_id: AccountIdDep,
    idempotency_key: IdempotencyKey = None,
) -> AnnotationOut:
    """Submit a label of a leased item (or a correction naming ``supersedes_id``).

    The answer comes after the label is committed. With an ``Idempotency-Key`` header,
    a retry returns the stored label with 200 instead of failing or storing it twice,
    even when both copies race.
    """
    writer: GroupCommitWriter = request.app.state.writer
    stored = await asyncio.wrap_future(
        writer.submit(
            Submission(
                annotator_id=account_id,
                project_id=body.project_id,
                item_id=body.item_id,
                value=body.value,
                lead_time_ms=body.lead_time_ms,
                idempotency_key=idempotency_key,
                signature=body.signature,
                nonce=body.nonce,
                supersedes_id=body.supersedes_id,
            )
        )
    )
    if stored.replayed:
        response.status_code = 200
    return AnnotationOut(
        id=stored.id,
        project_id=stored.project_id,
        item_id=stored.item_id,
        value=stored.value,
        value_sha256=stored.value_sha256,
        supersedes_id=stored.supersedes_id,
        created_at=stored.created_at,
    )


@router.get("/me/stats", responses=ERRORS)
def get_my_stats(session: SessionDep, account: AccountDep) -> MyStatsOut:
    """The caller's labels, gold accuracy so far and domains."""
    stats = annotator_stats(session, account)
    return MyStatsOut(
        labels=stats.labels,
        projects=stats.projects,
        gold_answered=stats.gold_answered,
        gold_correct=stats.gold_correct,
        accuracy=stats.accuracy,
        domains=stats.domains,
    )
