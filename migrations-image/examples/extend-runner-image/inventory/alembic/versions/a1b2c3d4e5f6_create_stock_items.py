"""create stock_items

Revision ID: a1b2c3d4e5f6
Revises:
Create Date: 2026-11-29 12:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a1b2c3d4e5f6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stock_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("sku", sa.String(64), nullable=False, unique=True),
        sa.Column("quantity", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade():
    op.drop_table("stock_items")
