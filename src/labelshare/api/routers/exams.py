"""Qualification exams: take a domain's test, send the answers, gain the domain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from labelshare.api.deps import AccountDep, SessionDep
from labelshare.api.routers.projects import ERRORS, ProjectId
from labelshare.api.schemas.annotations import ExamAnswers, ExamItemOut, ExamOut, ExamResult
from labelshare.api.schemas.common import MAX_ID
from labelshare.services.access import visible_project
from labelshare.services.exams import grade_exam, start_exam

router = APIRouter(tags=["exams"])


@router.post("/projects/{project_id}/exam", status_code=201, responses=ERRORS)
def post_exam(project_id: ProjectId, session: SessionDep, account: AccountDep) -> ExamOut:
    """Start the qualification exam of the project's domain."""
    project = visible_project(session, account, project_id)
    attempt, items = start_exam(session, project, account)
    return ExamOut(
        exam_id=attempt.id,
        domain=attempt.domain,
        pass_rate=attempt.pass_rate,
        items=[ExamItemOut(item_id=item.id, payload=item.payload) for item in items],
        label_schema=project.label_schema,
    )


@router.post("/exams/{exam_id}/answers", responses=ERRORS)
def post_answers(
    exam_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    body: ExamAnswers,
    session: SessionDep,
    account: AccountDep,
) -> ExamResult:
    """Grade the answers; the domain is granted when the score reaches the bar."""
    attempt = grade_exam(session, account, exam_id, body.answers)
    return ExamResult(
        exam_id=attempt.id,
        domain=attempt.domain,
        score=attempt.score or 0.0,
        passed=bool(attempt.passed),
    )
