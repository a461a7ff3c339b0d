"""server-side login sessions, scoped API tokens, keyed audit entries with sequence numbers

Tokens issued before this revision may have been issued by an administrator for someone
else and may never expire: they are revoked. Existing audit entries get their sequence
numbers here and stay unkeyed (``key_id`` null) until ``toex.ops.audit_verify.seal_legacy``
MACs them, which ``OpsStore.upgrade`` runs next with the audit key (a migration has none).

Revision ID: 0004
Revises: 0003
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sid_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sid_hash"),
    )
    op.create_index(op.f("ix_login_session_user_id"), "login_session", ["user_id"], unique=False)
    op.create_index(
        op.f("ix_login_session_expires_at"), "login_session", ["expires_at"], unique=False
    )

    with op.batch_alter_table("api_token") as batch:
        batch.add_column(
            sa.Column("scope", sa.String(length=10), nullable=False, server_default="read")
        )
        batch.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("revoked_by", sa.String(length=100), nullable=True))
    token = sa.table(
        "api_token",
        sa.column("revoked", sa.Boolean()),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
        sa.column("revoked_by", sa.String()),
    )
    op.execute(
        token.update()
        .where(token.c.revoked.is_(False))
        .values(revoked=True, revoked_at=dt.datetime.now(dt.UTC), revoked_by="migration 0004")
    )

    with op.batch_alter_table("audit_entry") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("key_id", sa.String(length=32), nullable=True))
    op.execute(
        "UPDATE audit_entry SET seq = numbered.n FROM "
        "(SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS n FROM audit_entry) AS numbered "
        "WHERE audit_entry.id = numbered.id"
    )
    with op.batch_alter_table("audit_entry") as batch:
        batch.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch.create_index(batch.f("ix_audit_entry_seq"), ["seq"], unique=True)
    op.execute("UPDATE audit_head SET seq = (SELECT COUNT(*) FROM audit_entry) WHERE id = 1")


def downgrade() -> None:
    with op.batch_alter_table("audit_entry") as batch:
        batch.drop_index(batch.f("ix_audit_entry_seq"))
        batch.drop_column("key_id")
        batch.drop_column("seq")
    with op.batch_alter_table("api_token") as batch:
        batch.drop_column("revoked_by")
        batch.drop_column("revoked_at")
        batch.drop_column("scope")
    op.drop_index(op.f("ix_login_session_expires_at"), table_name="login_session")
    op.drop_index(op.f("ix_login_session_user_id"), table_name="login_session")
    op.drop_table("login_session")
