"""add campaign_deployments.archived

The seed's "Add Column" task. The server default is sa.false(), which renders `false` on PostgreSQL and
`0` on SQLite: the seed's literal 'false' would be stored as the text 'false' by SQLite, which reads as true.

Revision ID: 7b8c9d0e0008
Revises: 6a7b8c9d0007
Create Date: 2026-11-16 09:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7b8c9d0e0008"
down_revision = "6a7b8c9d0007"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "campaign_deployments",
        sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade():
    with op.batch_alter_table("campaign_deployments") as batch_op:
        batch_op.drop_column("archived")
