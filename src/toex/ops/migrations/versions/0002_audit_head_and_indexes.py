"""audit chain head and audit search indexes

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Start the head at the current end of the chain (the genesis hash when it is empty).
    conn = op.get_bind()
    last = conn.execute(
        sa.text("SELECT id, entry_hash FROM audit_entry ORDER BY id DESC LIMIT 1")
    ).first()
    op.bulk_insert(
        head,
        [
            {
                "id": 1,
                "seq": 0,
                "last_id": last[0] if last else None,
                "last_hash": last[1] if last else GENESIS,
            }
        ],
    )
    op.create_index(op.f("ix_audit_entry_at"), "audit_entry", ["at"], unique=False)
    op.create_index(op.f("ix_audit_entry_username"), "audit_entry", ["username"], unique=False)
    op.create_index(
        op.f("ix_audit_entry_organisation"), "audit_entry", ["organisation"], unique=False
    )
    op.create_index(op.f("ix_audit_entry_action"), "audit_entry", ["action"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_entry_action"), table_name="audit_entry")
    op.drop_index(op.f("ix_audit_entry_organisation"), table_name="audit_entry")
    op.drop_index(op.f("ix_audit_entry_username"), table_name="audit_entry")
    op.drop_index(op.f("ix_audit_entry_at"), table_name="audit_entry")
    op.drop_table("audit_head")
