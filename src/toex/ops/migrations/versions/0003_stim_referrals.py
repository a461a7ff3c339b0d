"""STIM referrals, referral steps and partner-recorded indicators

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stim_referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=100), nullable=False),
        sa.Column("partner", sa.String(length=64), nullable=False),
        sa.Column("raised_by_org", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("risk_level", sa.String(length=10), nullable=False),
        sa.Column("accounts", sa.JSON(), nullable=False),
        sa.Column("n_adverts", sa.Integer(), nullable=False),
        sa.Column("regions", sa.JSON(), nullable=False),
        sa.Column("nationalities", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=True),
        sa.Column("referred_to_kind", sa.String(length=10), nullable=True),
        sa.Column("referred_to", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_stim_referral_case_id"), "stim_referral", ["case_id"], unique=False)
    op.create_index(op.f("ix_stim_referral_partner"), "stim_referral", ["partner"], unique=False)
    op.create_index(op.f("ix_stim_referral_status"), "stim_referral", ["status"], unique=False)
    op.create_table(
        "stim_referral_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("organisation", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["referral_id"], ["stim_referral.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_stim_referral_step_referral_id"),
        "stim_referral_step",
        ["referral_id"],
        unique=False,
    )
    op.create_table(
        "stim_indicator_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=100), nullable=False),
        sa.Column("indicator", sa.String(length=40), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("audit_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        op.f("ix_stim_indicator_record_account_id"),
        "stim_indicator_record",
        ["account_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_stim_indicator_record_partner"), "stim_indicator_record", ["partner"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_stim_indicator_record_partner"), table_name="stim_indicator_record")
    op.drop_index(op.f("ix_stim_indicator_record_account_id"), table_name="stim_indicator_record")
    op.drop_table("stim_indicator_record")
    op.drop_index(op.f("ix_stim_referral_step_referral_id"), table_name="stim_referral_step")
    op.drop_table("stim_referral_step")
    op.drop_index(op.f("ix_stim_referral_status"), table_name="stim_referral")
    op.drop_index(op.f("ix_stim_referral_partner"), table_name="stim_referral")
    op.drop_index(op.f("ix_stim_referral_case_id"), table_name="stim_referral")
    op.drop_table("stim_referral")
