"""The other of two heads (a branch nobody merged).

Revision ID: e2e0head000b
Revises: ${down_revision}
"""

import sqlalchemy as sa
from alembic import op

revision = "e2e0head000b"
down_revision = "${down_revision}"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("campaigns", sa.Column("region", sa.String(length=32), nullable=True))


def downgrade():
    op.drop_column("campaigns", "region")
