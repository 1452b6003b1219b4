"""auth tables

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 01:02:12.815254
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import labelshare.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_in_nonces",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("created_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_sign_in_nonces")),
    )
    with op.batch_alter_table("sign_in_nonces", schema=None) as batch_op:
        batch_op.create_index("ix_sign_in_nonces_expires_at", ["expires_at"], unique=False)

    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_login_sessions_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_login_sessions_token_sha256")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_sessions_account_id"), ["account_id"], unique=False
        )

    op.create_table(
        "exam_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=64), nullable=False),
        sa.Column(
            "item_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("pass_rate", sa.Float(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("created_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_exam_attempts_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_exam_attempts_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exam_attempts")),
    )
    with op.batch_alter_table("exam_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exam_attempts_account_domain", ["account_id", "domain"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("exam_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_exam_attempts_account_domain")
    op.drop_table("exam_attempts")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_account_id"))
    op.drop_table("login_sessions")
    with op.batch_alter_table("sign_in_nonces", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_nonces_expires_at")
    op.drop_table("sign_in_nonces")
