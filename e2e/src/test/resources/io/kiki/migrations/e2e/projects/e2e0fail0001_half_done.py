"""Fails half-way: creates a table and fills it, then runs a statement that cannot work.

Revision ID: e2e0fail0001
Revises: ${down_revision}
"""

import sqlalchemy as sa
from alembic import op

revision = "e2e0fail0001"
down_revision = "${down_revision}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("e2e_half_done", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO e2e_half_done (id) SELECT id FROM campaign_deployments")
    op.execute("UPDATE campaign_deployments SET status = 'migrated'")
    op.execute(
        "ALTER TABLE campaign_deployments ADD COLUMN budget numeric NOT NULL REFERENCES no_such_table (id)"
    )


def downgrade():
    op.drop_table("e2e_half_done")
