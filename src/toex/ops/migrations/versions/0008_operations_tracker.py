"""Operations tracker: operations, AARs, disruptions, referrals, outcomes, requests, grants

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracker_operation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lead_force", sa.String(length=32), nullable=False),
        sa.Column("soc_master_list", sa.Boolean(), nullable=False),
        sa.Column("supported", sa.Boolean(), nullable=False),
        sa.Column("geographic_scale", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("identified_on", sa.Date(), nullable=True),
        sa.Column("scored_on", sa.Date(), nullable=True),
        sa.Column("top10_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("tracker_operation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracker_operation_lead_force"), ["lead_force"], unique=False
        )

    op.create_table(
        "tracker_aar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("aar_date", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["tracker_operation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("tracker_aar", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracker_aar_aar_date"), ["aar_date"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_tracker_aar_operation_id"), ["operation_id"], unique=False
        )

    op.create_table(
        "tracker_disruption",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("disruption_date", sa.Date(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("impact", sa.String(length=16), nullable=False),
        sa.Column("significant", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["tracker_operation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("tracker_disruption", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracker_disruption_disruption_date"), ["disruption_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tracker_disruption_operation_id"), ["operation_id"], unique=False
        )

    op.create_table(
        "tracker_grant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_by", sa.String(length=100), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["tracker_operation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("tracker_grant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracker_grant_operation_id"), ["operation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_tracker_grant_username"), ["username"], unique=False)

    op.create_table(
        "tracker_operation_force",
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("force_code", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["tracker_operation.id"],
        ),
        sa.PrimaryKeyConstraint("operation_id", "force_code"),
    )
    with op.batch_alter_table("tracker_operation_force", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracker_operation_force_force_code"), ["force_code"], unique=False
        )

    op.create_table(
        "tracker_operation_link",
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("stable_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["tracker_operation.id"],
        ),
        sa.PrimaryKeyConstraint("operation_id", "kind", "stable_id"),
    )
    with op.batch_alter_table("tracker_operation_link", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracker_operation_link_stable_id"), ["stable_id"], unique=False
        )

    op.create_table(
        "tracker_operation_type",
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("exploitation_type", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["tracker_operation.id"],
        ),
        sa.PrimaryKeyConstraint("operation_id", "exploitation_type"),
    )
    op.create_table(
        "tracker_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("pending", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["tracker_operation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("tracker_outcome", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracker_outcome_operation_id"), ["operation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tracker_outcome_recorded_on"), ["recorded_on"], unique=False
        )

    op.create_table(
        "tracker_referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("referred_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("outcome_on", sa.Date(), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["tracker_operation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("tracker_referral", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracker_referral_operation_id"), ["operation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tracker_referral_referred_on"), ["referred_on"], unique=False
        )

    op.create_table(
        "tracker_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("requester", sa.String(length=100), nullable=False),
        sa.Column("request_type", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("operation_id", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["operation_id"],
            ["tracker_operation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reference"),
    )
    with op.batch_alter_table("tracker_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracker_request_operation_id"), ["operation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_tracker_request_requested_on"), ["requested_on"], unique=False
        )

    op.create_table(
        "tracker_aar_type",
        sa.Column("aar_id", sa.Integer(), nullable=False),
        sa.Column("exploitation_type", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["aar_id"],
            ["tracker_aar.id"],
        ),
        sa.PrimaryKeyConstraint("aar_id", "exploitation_type"),
    )


def downgrade() -> None:
    op.drop_table("tracker_aar_type")
    with op.batch_alter_table("tracker_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_request_requested_on"))
        batch_op.drop_index(batch_op.f("ix_tracker_request_operation_id"))

    op.drop_table("tracker_request")
    with op.batch_alter_table("tracker_referral", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_referral_referred_on"))
        batch_op.drop_index(batch_op.f("ix_tracker_referral_operation_id"))

    op.drop_table("tracker_referral")
    with op.batch_alter_table("tracker_outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_outcome_recorded_on"))
        batch_op.drop_index(batch_op.f("ix_tracker_outcome_operation_id"))

    op.drop_table("tracker_outcome")
    op.drop_table("tracker_operation_type")
    with op.batch_alter_table("tracker_operation_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_operation_link_stable_id"))

    op.drop_table("tracker_operation_link")
    with op.batch_alter_table("tracker_operation_force", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_operation_force_force_code"))

    op.drop_table("tracker_operation_force")
    with op.batch_alter_table("tracker_grant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_grant_username"))
        batch_op.drop_index(batch_op.f("ix_tracker_grant_operation_id"))

    op.drop_table("tracker_grant")
    with op.batch_alter_table("tracker_disruption", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_disruption_operation_id"))
        batch_op.drop_index(batch_op.f("ix_tracker_disruption_disruption_date"))

    op.drop_table("tracker_disruption")
    with op.batch_alter_table("tracker_aar", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_aar_operation_id"))
        batch_op.drop_index(batch_op.f("ix_tracker_aar_aar_date"))

    op.drop_table("tracker_aar")
    with op.batch_alter_table("tracker_operation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracker_operation_lead_force"))

    op.drop_table("tracker_operation")
