"""Marks every deployment reviewed; its downgrade() only logs, so it undoes nothing.

Revision ID: e2e0logs0001
Revises: ${down_revision}
"""

import logging

from alembic import op

log = logging.getLogger(__name__)

revision = "e2e0logs0001"
down_revision = "${down_revision}"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("UPDATE campaign_deployments SET status = 'reviewed'")


def downgrade():
    log.info("e2e0logs0001: the previous statuses are gone, nothing to undo")
