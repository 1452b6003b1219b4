"""Bodies of projects, items, gold and statistics."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ProjectOut(BaseModel):
    """A project's terms and status; amounts are decimal strings of base units."""

    id: int
    name: str
    status: str
    owner: str
    label_schema: dict[str, Any] = Field(serialization_alias="schema")
    instructions: str
    domain: str | None
    redundancy_min: int
    redundancy_max: int
    gold_rate: float
    reward_per_label: str
    budget: str
    royalty_share_bps: int
    slash_bar: float
    exam_size: int
    exam_pass_rate: float
    requires_signature: bool
    is_public: bool
    created_at: datetime


class StatusChange(BaseModel):
    """The status to move a project to."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["active", "paused", "closed"]


class ItemOut(BaseModel):
    """An item as its project's owner or a reviewer sees it (gold for owners only)."""

    id: int
    external_id: str
    payload: dict[str, Any]
    is_gold: bool | None = None
    gold: Any | None = None
    n_labels: int
    label_target: int
    inferred: Any | None = None


class ImportOut(BaseModel):
    """What an upload stored."""

    items: int
    annotations: int
    accounts_created: int


class GoldUpload(BaseModel):
    """Gold answers by the items' external ids."""

    model_config = ConfigDict(extra="forbid")

    gold: dict[str, Any] = Field(min_length=1, max_length=10_000)


class GoldOut(BaseModel):
    """How many items became gold."""

    items: int


class ProjectStatsOut(BaseModel):
    """Progress, labels per item and agreement of a project."""

    items: int
    gold_items: int
    labels: int
    items_done: int
    fraction_done: float
    labels_per_item: dict[str, int]
    agreement_alpha: float | None = Field(
        description="Krippendorff's alpha (nominal) over items with two or more labels"
    )
    annotators: int


class MyStatsOut(BaseModel):
    """An annotator's record; ``earnings`` stays null until settlement pays out."""

    labels: int
    projects: int
    gold_answered: int
    gold_correct: int
    accuracy: float | None
    domains: list[str]
    earnings: str | None = None
