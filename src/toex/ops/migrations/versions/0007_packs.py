"""Force profile packs and their feedback

Revision ID: 0007
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "publish_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("force_code", sa.String(length=32), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("superseded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("snapshot_run_id", sa.String(length=64), nullable=False),
        sa.Column("data_as_of", sa.Date(), nullable=True),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_by", sa.String(length=100), nullable=False),
        sa.Column("pdf_path", sa.Text(), nullable=False),
        sa.Column("html_path", sa.Text(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("html_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_bytes", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("marking", sa.String(length=32), nullable=False),
        sa.Column("content_forces", sa.JSON(), nullable=False),
        sa.Column("handling_codes", sa.JSON(), nullable=False),
        sa.Column("scope_forces", sa.JSON(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("suspects", sa.JSON(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("force_code", "meeting_date", "version"),
    )
    op.create_index(op.f("ix_publish_pack_force_code"), "publish_pack", ["force_code"])
    op.create_index(op.f("ix_publish_pack_meeting_date"), "publish_pack", ["meeting_date"])
    op.create_table(
        "publish_pack_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pack_id", sa.Integer(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("usefulness", sa.Integer(), nullable=False),
        sa.Column("suspects", sa.JSON(), nullable=False),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["pack_id"], ["publish_pack.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_publish_pack_feedback_pack_id"), "publish_pack_feedback", ["pack_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_publish_pack_feedback_pack_id"), table_name="publish_pack_feedback")
    op.drop_table("publish_pack_feedback")
    op.drop_index(op.f("ix_publish_pack_meeting_date"), table_name="publish_pack")
    op.drop_index(op.f("ix_publish_pack_force_code"), table_name="publish_pack")
    op.drop_table("publish_pack")
