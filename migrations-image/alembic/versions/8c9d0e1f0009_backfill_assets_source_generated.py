"""backfill assets_source GENERATED

The seed's "Data Migration" task: deployments from before assets_source was recorded were all generated.
IRREVERSIBLE: afterwards nobody can tell which rows were NULL, so downgrade() does nothing and the schema
goes back while the data stays 'GENERATED'. kiki-migrate reports this step as not reversible (its
downgrade body is only `pass`); a rollback across it restores the pre-migration backup instead.

Revision ID: 8c9d0e1f0009
Revises: 7b8c9d0e0008
Create Date: 2026-11-17 09:00:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "8c9d0e1f0009"
down_revision = "7b8c9d0e0008"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE campaign_deployments SET assets_source = 'GENERATED' WHERE assets_source IS NULL")


def downgrade():
    pass
