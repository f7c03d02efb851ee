"""create deployments table

Revision ID: 3c4d5e6f0003
Revises: 2b3c4d5e0002
Create Date: 2026-11-02 09:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3c4d5e6f0003"
down_revision = "2b3c4d5e0002"
branch_labels = None
depends_on = None


def upgrade():
    # assets_source stays NULL until the generator fills it in (8c9d0e1f0009 backfills old rows).
    op.create_table(
        "deployments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), server_default="pending", nullable=False),
        sa.Column("assets_source", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_deployments_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_deployments_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployments")),
    )


def downgrade():
    op.drop_table("deployments")
