"""add orders.total_cents

Revision ID: 1b2c3d4e5f60
Revises: 0a1b2c3d4e5f
Create Date: 2026-11-29 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "1b2c3d4e5f60"
down_revision = "0a1b2c3d4e5f"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("orders", sa.Column("total_cents", sa.BigInteger, nullable=False, server_default="0"))


def downgrade():
    op.drop_column("orders", "total_cents")
