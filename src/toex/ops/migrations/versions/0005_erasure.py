"""Erasure requests and their tombstones

Revision ID: 0005
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=100), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_run_id", sa.String(length=64), nullable=False),
        sa.Column("applied_run_id", sa.String(length=64), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_erasure_target"), "erasure", ["target"], unique=False)
    op.create_table(
        "erasure_tombstone",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erasure_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["erasure_id"], ["erasure.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("erasure_id", "kind", "key"),
    )
    op.create_index(
        op.f("ix_erasure_tombstone_erasure_id"), "erasure_tombstone", ["erasure_id"], unique=False
    )
    op.create_index(op.f("ix_erasure_tombstone_key"), "erasure_tombstone", ["key"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_erasure_tombstone_key"), table_name="erasure_tombstone")
    op.drop_index(op.f("ix_erasure_tombstone_erasure_id"), table_name="erasure_tombstone")
    op.drop_table("erasure_tombstone")
    op.drop_index(op.f("ix_erasure_target"), table_name="erasure")
    op.drop_table("erasure")
