"""Index items by their media file, which serving /media/{sha256} looks up.

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-26 02:24:08.877645
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_items_media_sha256"), ["media_sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_media_sha256"))
