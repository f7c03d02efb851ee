"""add stock_items.warehouse

Revision ID: b2c3d4e5f6a7
Revises: a1b2c3d4e5f6
Create Date: 2026-11-29 12:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b2c3d4e5f6a7"
down_revision = "a1b2c3d4e5f6"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("stock_items", sa.Column("warehouse", sa.String(32), nullable=False, server_default="main"))


def downgrade():
    op.drop_column("stock_items", "warehouse")
