"""A step that takes a while (for scenarios that act while a migration runs).

Revision ID: e2e0slow0001
Revises: ${down_revision}
"""

import sqlalchemy as sa
from alembic import op

revision = "e2e0slow0001"
down_revision = "${down_revision}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("e2e_slow_marker", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("SELECT pg_sleep(${seconds})")


def downgrade():
    op.drop_table("e2e_slow_marker")
