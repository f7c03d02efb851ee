"""One of two heads (a branch nobody merged).

Revision ID: e2e0head000a
Revises: ${down_revision}
"""

import sqlalchemy as sa
from alembic import op

revision = "e2e0head000a"
down_revision = "${down_revision}"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("campaigns", sa.Column("budget", sa.Numeric(), nullable=True))


def downgrade():
    op.drop_column("campaigns", "budget")
