"""rename deployments to campaign_deployments

The seed's "Rename Table" task. The table's primary key and foreign keys are named after the table
(naming convention in shared/models.py), so they are renamed with it, and so is the PostgreSQL sequence
behind the id column: later migrations and autogenerate find the names the models expect.
PostgreSQL renames constraints in place; SQLite cannot, so there the table is rebuilt (batch mode) from the
frozen definition below, data included.

Revision ID: 4d5e6f7a0004
Revises: 3c4d5e6f0003
Create Date: 2026-11-09 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "4d5e6f7a0004"
down_revision = "3c4d5e6f0003"
branch_labels = None
depends_on = None

OLD_NAME = "deployments"
NEW_NAME = "campaign_deployments"


def upgrade():
    op.rename_table(OLD_NAME, NEW_NAME)
    rename_constraints(NEW_NAME, old_prefix=OLD_NAME)


def downgrade():
    op.rename_table(NEW_NAME, OLD_NAME)
    rename_constraints(OLD_NAME, old_prefix=NEW_NAME)


def constraint_names(table_name):
    return {
        "pk": f"pk_{table_name}",
        "fk_campaign": f"fk_{table_name}_campaign_id_campaigns",
        "fk_user": f"fk_{table_name}_user_id_users",
    }


def rename_constraints(table_name, old_prefix):
    """Give the (already renamed) table ``table_name`` the constraint names that belong to it."""
    if op.get_context().dialect.name == "postgresql":
        old, new = constraint_names(old_prefix), constraint_names(table_name)
        for key in new:
            op.execute(f"ALTER TABLE {table_name} RENAME CONSTRAINT {old[key]} TO {new[key]}")
        op.execute(f"ALTER SEQUENCE {old_prefix}_id_seq RENAME TO {table_name}_id_seq")
    else:
        with op.batch_alter_table(table_name, copy_from=frozen_table(table_name), recreate="always"):
            pass


def frozen_table(table_name):
    """The table as 3c4d5e6f0003 created it, under ``table_name`` and with constraint names to match."""
    names = constraint_names(table_name)
    return sa.Table(
        table_name,
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), server_default="pending", nullable=False),
        sa.Column("assets_source", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"], name=names["fk_campaign"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=names["fk_user"]),
        sa.PrimaryKeyConstraint("id", name=names["pk"]),
    )
