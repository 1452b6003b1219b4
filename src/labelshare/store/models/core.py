"""Accounts, projects, items, assignments, annotations and epochs.

Classes hold columns and invariants only; queries live in ``repositories``, use cases
in ``labelshare.services``. Relationships are ``lazy="raise_on_sql"`` so that a query
that forgets to load what it needs fails loudly instead of issuing one query per row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from labelshare.core.statuses import AssignmentStatus, EpochStatus, ProjectStatus
from labelshare.store.models.base import Base
from labelshare.store.types import Amount, BigId, utcnow


class Account(Base):
    """A person or script, identified by an Ethereum address (EIP-55 checksum)."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(42), unique=True)
    roles: Mapped[list[str]] = mapped_column(default=list)
    display_name: Mapped[str | None] = mapped_column(String(100))
    # Workers imported from public crowdsourcing data have no wallet: their address is a
    # placeholder derived from their original id, kept here.
    is_imported: Mapped[bool] = mapped_column(Boolean, default=False)
    external_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    domains: Mapped[list[AccountDomain]] = relationship(
        lazy="raise_on_sql", cascade="all, delete-orphan", back_populates="account"
    )


class AccountDomain(Base):
    """An expertise domain an account holds (granted by an admin or won in an exam)."""

    __tablename__ = "account_domains"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    domain: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), default="admin")
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship(lazy="raise_on_sql", back_populates="domains")


class ApiToken(Base):
    """A bearer token for scripts; only its sha256 is stored, the token is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Media(Base):
    """A media file stored content-addressed by its sha256 in the media folder."""

    __tablename__ = "media"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Project(Base):
    """A labelling project and the terms its requester set (see ``core.ProjectSpec``)."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    instructions: Mapped[str] = mapped_column(Text, default="")
    label_schema: Mapped[dict[str, Any]]
    domain: Mapped[str | None] = mapped_column(String(64))
    redundancy_min: Mapped[int] = mapped_column(Integer)
    redundancy_max: Mapped[int] = mapped_column(Integer)
    gold_rate: Mapped[float] = mapped_column(Float)
    reward_per_label: Mapped[int] = mapped_column(Amount)
    budget: Mapped[int] = mapped_column(Amount)
    royalty_share_bps: Mapped[int] = mapped_column(Integer)
    slash_bar: Mapped[float] = mapped_column(Float)
    exam_size: Mapped[int] = mapped_column(Integer)
    exam_pass_rate: Mapped[float] = mapped_column(Float)
    requires_signature: Mapped[bool] = mapped_column(Boolean, default=False)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=ProjectStatus.DRAFT)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    owner: Mapped[Account] = relationship(lazy="raise_on_sql")


class Item(Base):
    """One thing to label. Its gold value, when set, is never shown to annotators.

    ``n_labels`` counts submitted first annotations (corrections excluded); ``n_active``
    counts those plus live leases, which is what assignment compares to ``label_target``.
    ``label_target`` starts at the project's minimum redundancy and is raised, up to the
    maximum, where annotators disagree (adaptive redundancy).
    """

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("project_id", "external_id"),
        Index("ix_items_assignment_order", "project_id", "is_gold", "n_active", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    external_id: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]]
    gold: Mapped[Any | None]
    is_gold: Mapped[bool] = mapped_column(Boolean, default=False)
    media_sha256: Mapped[str | None] = mapped_column(ForeignKey("media.sha256"), index=True)
    n_labels: Mapped[int] = mapped_column(Integer, default=0)
    n_active: Mapped[int] = mapped_column(Integer, default=0)
    label_target: Mapped[int] = mapped_column(Integer)
    inferred: Mapped[Any | None]
    inferred_confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Assignment(Base):
    """A lease of one item to one annotator; at most one per (item, annotator), ever."""

    __tablename__ = "assignments"
    __table_args__ = (
        UniqueConstraint("item_id", "annotator_id"),
        Index("ix_assignments_lease", "project_id", "status", "expires_at"),
        Index("ix_assignments_annotator", "annotator_id", "project_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    status: Mapped[str] = mapped_column(String(16), default=AssignmentStatus.LEASED)
    leased_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class Annotation(Base):
    """One label, immutable once written: a correction is a new row that supersedes it.

    Updates and deletes are refused by an ORM hook and by database triggers (see the
    initial migration), so what settlement and audit read is exactly what was submitted.
    """

    __tablename__ = "annotations"
    __table_args__ = (
        UniqueConstraint("annotator_id", "idempotency_key"),
        UniqueConstraint("annotator_id", "nonce"),
        Index("ix_annotations_project_id_id", "project_id", "id"),
        Index("ix_annotations_item_id", "item_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    value: Mapped[Any]
    value_sha256: Mapped[str] = mapped_column(String(64))
    lead_time_ms: Mapped[int | None] = mapped_column(Integer)
    signature: Mapped[str | None] = mapped_column(String(200))
    nonce: Mapped[str | None] = mapped_column(String(100))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("annotations.id"), unique=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Epoch(Base):
    """A settlement period of a project; covers annotation ids in (first, last]."""

    __tablename__ = "epochs"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default=EpochStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    first_annotation_id: Mapped[int | None] = mapped_column(BigId)
    last_annotation_id: Mapped[int | None] = mapped_column(BigId)
    merkle_root: Mapped[str | None] = mapped_column(String(66))
    report_sha256: Mapped[str | None] = mapped_column(String(64))


class AnnotationIsImmutable(RuntimeError):
    """Raised when code tries to update or delete a stored annotation."""


@event.listens_for(Annotation, "before_update")
def _refuse_update(*_: object) -> None:
    raise AnnotationIsImmutable("annotations are immutable; submit a correction instead")


@event.listens_for(Annotation, "before_delete")
def _refuse_delete(*_: object) -> None:
    raise AnnotationIsImmutable("annotations are immutable and are never deleted")
