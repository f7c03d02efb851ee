"""SQLAlchemy models of the KIKI campaigns database: the schema at the Alembic head.

Step 1 of the seed workflow: change these models, then `alembic revision --autogenerate -m "..."` writes
the migration (alembic/env.py points autogenerate at ``metadata``). Migration scripts never import this
module: each one freezes the tables it needs, so old revisions keep working when the models move on.

``NAMING_CONVENTION`` gives every constraint and index a name derived from its table and columns, so
autogenerate renders the same names on PostgreSQL and SQLite and a downgrade can drop them by name.
"""

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    false,
    func,
)
from sqlalchemy.orm import declarative_base

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
Base = declarative_base(metadata=metadata)


class User(Base):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True)
    email = Column(String(255), nullable=False, unique=True)
    display_name = Column(String(255))
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())


class Campaign(Base):
    __tablename__ = "campaigns"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False, index=True)
    name = Column(String(255), nullable=False)
    status = Column(String(32), nullable=False, server_default="draft")
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())


class CampaignDeployment(Base):
    """One deployment of a campaign's generated assets; the table was called ``deployments`` until 4d5e6f7a0004."""

    __tablename__ = "campaign_deployments"
    # The seed's "Add Index" task: the name predates the naming convention and is kept as it is.
    __table_args__ = (Index("idx_campaign_user_id", "user_id"),)

    id = Column(Integer, primary_key=True)
    campaign_id = Column(Integer, ForeignKey("campaigns.id"), nullable=False)
    user_id = Column(Integer, ForeignKey("users.id"), nullable=False)
    status = Column(String(32), nullable=False, server_default="pending")
    # NULL only in rows older than 8c9d0e1f0009, which set them to 'GENERATED'.
    assets_source = Column(String(32))
    # sa.false() renders `false` on PostgreSQL and `0` on SQLite (a literal 'false' string would read as true there).
    archived = Column(Boolean(), nullable=False, server_default=false())
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    completed_at = Column(DateTime(timezone=True))


class CampaignAsset(Base):
    __tablename__ = "campaign_assets"

    id = Column(Integer, primary_key=True)
    deployment_id = Column(
        Integer, ForeignKey("campaign_deployments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind = Column(String(32), nullable=False)
    uri = Column(Text, nullable=False)
    created_at = Column(DateTime(timezone=True), nullable=False, server_default=func.now())
