"""create campaign_assets table

One side of a branch (sibling: 5e6f7a8b0005), joined by 6a7b8c9d0007.

Revision ID: 5f7a8b9c0006
Revises: 4d5e6f7a0004
Create Date: 2026-11-10 11:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5f7a8b9c0006"
down_revision = "4d5e6f7a0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "campaign_assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("deployment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("uri", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"],
            ["campaign_deployments.id"],
            name=op.f("fk_campaign_assets_deployment_id_campaign_deployments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_assets")),
    )
    op.create_index(
        op.f("ix_campaign_assets_deployment_id"), "campaign_assets", ["deployment_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_campaign_assets_deployment_id"), table_name="campaign_assets")
    op.drop_table("campaign_assets")
