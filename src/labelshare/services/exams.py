"""Qualification exams: gold items of a domain decide whether an annotator gains it.

An annotator asks a project that requires a domain for its exam; they get
``exam_size`` gold items drawn at random from every project of that domain, answer
them, and hold the domain once their share of right answers reaches the project's
``exam_pass_rate``. Answers are never revealed, only the score, and attempts are
limited so that the gold set cannot be learnt by retrying.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labelshare.core.statuses import Role
from labelshare.errors import (
    Conflict,
    InvalidInput,
    InvalidTransition,
    MissingRole,
    NoWorkAvailable,
    UnknownExam,
)
from labelshare.schema import InvalidLabel, canonical_json
from labelshare.services.accounts import grant_domain, has_role
from labelshare.services.projects import project_schema
from labelshare.store.models import Account, ExamAttempt, Item, Project
from labelshare.store.repositories import AccountRepository
from labelshare.store.types import utcnow

MAX_ATTEMPTS_PER_DAY = 3


def start_exam(
    session: Session,
    project: Project,
    account: Account,
    *,
    rng: random.Random | None = None,
    now: datetime | None = None,
) -> tuple[ExamAttempt, Sequence[Item]]:
    """Draw an exam of ``project``'s domain for ``account``.

    Returns:
        The attempt and its items (show their payloads only, never their gold).

    Raises:
        InvalidTransition: the project requires no domain.
        MissingRole: ``account`` is not an annotator.
        Conflict: ``account`` holds the domain already, or used up today's attempts.
        NoWorkAvailable: the domain has fewer gold items than the exam needs.
    """
    now = now or utcnow()
    if project.domain is None:
        raise InvalidTransition(f"project: {project.name!r} requires no domain, so has no exam")
    if not has_role(account, Role.ANNOTATOR):
        raise MissingRole(f"role: {account.address} is not an annotator")
    domain = project.domain
    if AccountRepository(session).has_domain(account.id, domain):
        raise Conflict(f"domain: you hold {domain!r} already")
    recent = session.scalar(
        select(func.count())
        .select_from(ExamAttempt)
        .where(
            ExamAttempt.account_id == account.id,
            ExamAttempt.domain == domain,
            ExamAttempt.created_at > now - timedelta(days=1),
        )
    )
    if (recent or 0) >= MAX_ATTEMPTS_PER_DAY:
        raise Conflict(f"domain: {MAX_ATTEMPTS_PER_DAY} exams of {domain!r} a day at most")
    pool = session.scalars(
        select(Item.id)
        .join(Project, Project.id == Item.project_id)
        .where(Project.domain == domain, Item.is_gold)
        .order_by(Item.id)
    ).all()
    if len(pool) < project.exam_size:
        raise NoWorkAvailable(
            f"exam: the {domain!r} domain has {len(pool)} gold items, the exam needs "
            f"{project.exam_size}"
        )
    chosen = sorted((rng or random.Random()).sample(list(pool), project.exam_size))
    attempt = ExamAttempt(
        account_id=account.id,
        project_id=project.id,
        domain=domain,
        item_ids=chosen,
        pass_rate=project.exam_pass_rate,
        created_at=now,
    )
    session.add(attempt)
    session.flush()
    items = session.scalars(select(Item).where(Item.id.in_(chosen)).order_by(Item.id)).all()
    return attempt, items


def grade_exam(
    session: Session, account: Account, exam_id: int, answers: Mapping[int, Any]
) -> ExamAttempt:
    """Score the answers to an exam; grant the domain if the score reaches the bar.

    Args:
        answers: item id to value; items left out count as wrong.

    Raises:
        UnknownExam: no such exam of ``account``.
        InvalidTransition: the exam was graded already.
        InvalidInput: an answer names an item not in the exam, or a value its schema
            rejects (field ``answers[<item id>]...``).
    """
    attempt = session.get(ExamAttempt, exam_id)
    if attempt is None or attempt.account_id != account.id:
        raise UnknownExam(f"exam_id: no exam {exam_id} of yours")
    if attempt.finished_at is not None:
        raise InvalidTransition(f"exam_id: exam {exam_id} was graded already")
    item_ids = set(attempt.item_ids)
    stray = sorted(set(answers) - item_ids)
    if stray:
        raise InvalidInput(f"answers: item {stray[0]} is not in this exam", field="answers")
    rows = session.execute(
        select(Item, Project)
        .join(Project, Project.id == Item.project_id)
        .where(Item.id.in_(item_ids))
    ).all()
    right = 0
    for item, project in rows:
        if item.id not in answers:
            continue
        try:
            value = project_schema(project).validate(answers[item.id], payload=item.payload)
        except InvalidLabel as exc:
            field = f"answers[{item.id}]{exc.field.removeprefix('value')}"
            raise InvalidInput(f"{field}: {exc.reason}", field=field) from exc
        right += canonical_json(value) == canonical_json(item.gold)
    attempt.score = right / len(item_ids)
    attempt.passed = attempt.score >= attempt.pass_rate
    attempt.finished_at = utcnow()
    if attempt.passed:
        grant_domain(session, account, attempt.domain, source="exam")
    session.flush()
    return attempt
