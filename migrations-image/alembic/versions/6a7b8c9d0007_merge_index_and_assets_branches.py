"""merge index and assets branches

Joins 5e6f7a8b0005 (idx_campaign_user_id) and 5f7a8b9c0006 (campaign_assets), as
`alembic merge heads -m "merge branches"` does. A merge changes no schema, so both directions do nothing;
downgrading it only turns the one head back into two. Alembic calls `alembic downgrade -1` from here an
"Ambiguous walk"; name a parent instead: `alembic downgrade 5e6f7a8b0005` leaves both parents applied.

Revision ID: 6a7b8c9d0007
Revises: 5e6f7a8b0005, 5f7a8b9c0006
Create Date: 2026-11-11 08:00:00.000000

"""

# revision identifiers, used by Alembic.
revision = "6a7b8c9d0007"
down_revision = ("5e6f7a8b0005", "5f7a8b9c0006")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
