"""Alembic environment of the inventory service: the connection kiki-migrate hands in
(``config.attributes["connection"]``, Alembic's cookbook "Sharing a Connection"), else DATABASE_URL."""

import os
from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def run_on(connection):
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(url=os.environ["DATABASE_URL"], literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif config.attributes.get("connection") is not None:
    run_on(config.attributes["connection"])
else:
    engine = sa.create_engine(os.environ["DATABASE_URL"], poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        run_on(connection)
    engine.dispose()
