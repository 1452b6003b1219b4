"""Bodies of work: the next item, annotations, skips and qualification exams."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TaskOut(BaseModel):
    """An item leased to the caller: what to label and until when."""

    project_id: int
    item_id: int
    payload: dict[str, Any]
    expires_at: datetime
    instructions: str
    label_schema: dict[str, Any] = Field(serialization_alias="schema")


class AnnotationIn(BaseModel):
    """One label; ``signature`` and ``nonce`` are the EIP-712 proof when required."""

    model_config = ConfigDict(extra="forbid")

    project_id: int = Field(ge=1, le=2**62)
    item_id: int = Field(ge=1, le=2**62)
    value: Any
    lead_time_ms: int | None = Field(default=None, ge=0)
    signature: str | None = Field(default=None, max_length=200)
    nonce: str | None = Field(default=None, max_length=100)
    supersedes_id: int | None = Field(default=None, ge=1, le=2**62)


class AnnotationOut(BaseModel):
    """A stored label."""

    id: int
    project_id: int
    item_id: int
    value: Any
    value_sha256: str
    supersedes_id: int | None
    created_at: datetime


class SkipOut(BaseModel):
    """The item given back."""

    item_id: int
    status: str


class ExamItemOut(BaseModel):
    """An exam question: an item to label, never its answer."""

    item_id: int
    payload: dict[str, Any]


class ExamOut(BaseModel):
    """A new exam: answer every item, then post the answers."""

    exam_id: int
    domain: str
    pass_rate: float
    items: list[ExamItemOut]
    label_schema: dict[str, Any] = Field(serialization_alias="schema")


class ExamAnswers(BaseModel):
    """Answers by item id (as strings, JSON object keys)."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[int, Any] = Field(max_length=1_000)


class ExamResult(BaseModel):
    """The score of an exam and whether the domain was granted."""

    exam_id: int
    domain: str
    score: float
    passed: bool
