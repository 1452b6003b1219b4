"""Sign-in nonces, browser and script sessions, and qualification exam attempts.

A sign-in nonce is handed out once, may be spent once and lapses; a session is a
bearer secret of which only the sha256 is stored, like an API token, but short-lived
and made by signing in with a wallet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from labelshare.store.models.base import Base
from labelshare.store.types import utcnow


class SignInNonce(Base):
    """A nonce for one Sign-In with Ethereum message; ``used_at`` is set when spent."""

    __tablename__ = "sign_in_nonces"
    __table_args__ = (Index("ix_sign_in_nonces_expires_at", "expires_at"),)

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class LoginSession(Base):
    """A session made by signing in; the secret is shown once, only its sha256 kept."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ExamAttempt(Base):
    """One qualification exam: gold items of a domain drawn for one annotator.

    ``item_ids`` are fixed when the exam starts, so answers to other items do not
    count; ``score`` and ``passed`` are set once, when the answers arrive.
    """

    __tablename__ = "exam_attempts"
    __table_args__ = (Index("ix_exam_attempts_account_domain", "account_id", "domain"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"))
    domain: Mapped[str] = mapped_column(String(64))
    item_ids: Mapped[Any]
    pass_rate: Mapped[float] = mapped_column(Float)
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
