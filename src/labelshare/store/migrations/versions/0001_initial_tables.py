"""Initial tables, and triggers that keep annotations immutable.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 00:50:06.675982
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import labelshare.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=42), nullable=False),
        sa.Column(
            "roles",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("display_name", sa.String(length=100), nullable=True),
        sa.Column("is_imported", sa.Boolean(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("created_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("address", name=op.f("uq_accounts_address")),
    )
    op.create_table(
        "media",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_media")),
    )
    op.create_table(
        "account_domains",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("granted_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_account_domains_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", "domain", name=op.f("pk_account_domains")),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_api_tokens_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_tokens_account_id"), ["account_id"], unique=False)

    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=False),
        sa.Column(
            "label_schema",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("domain", sa.String(length=64), nullable=True),
        sa.Column("redundancy_min", sa.Integer(), nullable=False),
        sa.Column("redundancy_max", sa.Integer(), nullable=False),
        sa.Column("gold_rate", sa.Float(), nullable=False),
        sa.Column("reward_per_label", labelshare.store.types.Amount(length=80), nullable=False),
        sa.Column("budget", labelshare.store.types.Amount(length=80), nullable=False),
        sa.Column("royalty_share_bps", sa.Integer(), nullable=False),
        sa.Column("slash_bar", sa.Float(), nullable=False),
        sa.Column("exam_size", sa.Integer(), nullable=False),
        sa.Column("exam_pass_rate", sa.Float(), nullable=False),
        sa.Column("requires_signature", sa.Boolean(), nullable=False),
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["accounts.id"], name=op.f("fk_projects_owner_id_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("name", name=op.f("uq_projects_name")),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projects_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "epochs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "first_annotation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "last_annotation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("merkle_root", sa.String(length=66), nullable=True),
        sa.Column("report_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_epochs_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_epochs")),
        sa.UniqueConstraint("project_id", "number", name=op.f("uq_epochs_project_id_number")),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "gold",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("is_gold", sa.Boolean(), nullable=False),
        sa.Column("media_sha256", sa.String(length=64), nullable=True),
        sa.Column("n_labels", sa.Integer(), nullable=False),
        sa.Column("n_active", sa.Integer(), nullable=False),
        sa.Column("label_target", sa.Integer(), nullable=False),
        sa.Column(
            "inferred",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("inferred_confidence", sa.Float(), nullable=True),
        sa.Column("created_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["media_sha256"], ["media.sha256"], name=op.f("fk_items_media_sha256_media")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_items_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items")),
        sa.UniqueConstraint(
            "project_id", "external_id", name=op.f("uq_items_project_id_external_id")
        ),
    )
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_items_assignment_order", ["project_id", "is_gold", "n_active", "id"], unique=False
        )

    op.create_table(
        "annotations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column(
            "value",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("value_sha256", sa.String(length=64), nullable=False),
        sa.Column("lead_time_ms", sa.Integer(), nullable=True),
        sa.Column("signature", sa.String(length=200), nullable=True),
        sa.Column("nonce", sa.String(length=100), nullable=True),
        sa.Column(
            "supersedes_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("created_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["annotator_id"], ["accounts.id"], name=op.f("fk_annotations_annotator_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_annotations_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_annotations_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["annotations.id"],
            name=op.f("fk_annotations_supersedes_id_annotations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotations")),
        sa.UniqueConstraint(
            "annotator_id",
            "idempotency_key",
            name=op.f("uq_annotations_annotator_id_idempotency_key"),
        ),
        sa.UniqueConstraint(
            "annotator_id", "nonce", name=op.f("uq_annotations_annotator_id_nonce")
        ),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_annotations_supersedes_id")),
    )
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.create_index("ix_annotations_item_id", ["item_id"], unique=False)
        batch_op.create_index("ix_annotations_project_id_id", ["project_id", "id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("annotator_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("leased_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", labelshare.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["annotator_id"], ["accounts.id"], name=op.f("fk_assignments_annotator_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_assignments_item_id_items")
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_assignments_project_id_projects")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint(
            "item_id", "annotator_id", name=op.f("uq_assignments_item_id_annotator_id")
        ),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_assignments_annotator", ["annotator_id", "project_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_assignments_lease", ["project_id", "status", "expires_at"], unique=False
        )

    _create_immutability_triggers()


def _create_immutability_triggers() -> None:
    # Annotations are the record every payout is recomputed from: the database itself
    # refuses to change or delete one, whatever code runs against it.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION labelshare_refuse_annotation_change() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'annotations are immutable'; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE TRIGGER annotations_immutable BEFORE UPDATE OR DELETE ON annotations "
            "FOR EACH ROW EXECUTE FUNCTION labelshare_refuse_annotation_change()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER annotations_immutable_{action.lower()} BEFORE {action} "
                "ON annotations BEGIN SELECT RAISE(ABORT, 'annotations are immutable'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER annotations_immutable ON annotations")
        op.execute("DROP FUNCTION labelshare_refuse_annotation_change()")
    else:
        op.execute("DROP TRIGGER annotations_immutable_update")
        op.execute("DROP TRIGGER annotations_immutable_delete")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_lease")
        batch_op.drop_index("ix_assignments_annotator")

    op.drop_table("assignments")
    with op.batch_alter_table("annotations", schema=None) as batch_op:
        batch_op.drop_index("ix_annotations_project_id_id")
        batch_op.drop_index("ix_annotations_item_id")

    op.drop_table("annotations")
    with op.batch_alter_table("items", schema=None) as batch_op:
        batch_op.drop_index("ix_items_assignment_order")

    op.drop_table("items")
    op.drop_table("epochs")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_owner_id"))

    op.drop_table("projects")
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_tokens_account_id"))

    op.drop_table("api_tokens")
    op.drop_table("account_domains")
    op.drop_table("media")
    op.drop_table("accounts")
