"""add idx_campaign_user_id

The seed's "Add Index" task. One side of a branch (sibling: 5f7a8b9c0006), joined by 6a7b8c9d0007.

Revision ID: 5e6f7a8b0005
Revises: 4d5e6f7a0004
Create Date: 2026-11-10 11:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "5e6f7a8b0005"
down_revision = "4d5e6f7a0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("idx_campaign_user_id", "campaign_deployments", ["user_id"])


def downgrade():
    op.drop_index("idx_campaign_user_id", table_name="campaign_deployments")
