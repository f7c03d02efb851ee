"""add campaign_deployments.completed_at

Revision ID: 9d0e1f2a0010
Revises: 8c9d0e1f0009
Create Date: 2026-11-23 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "9d0e1f2a0010"
down_revision = "8c9d0e1f0009"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "campaign_deployments", sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade():
    with op.batch_alter_table("campaign_deployments") as batch_op:
        batch_op.drop_column("completed_at")
