"""Alembic environment of the KIKI campaigns database.

Database, in this order:
1. ``config.attributes["connection"]``: a SQLAlchemy Connection handed in by a program such as
   kiki-migrate (Alembic cookbook, "Sharing a Connection"). The migrations run on it; if it is already in a
   transaction, committing is the caller's job, otherwise this run begins and commits its own.
2. ``KIKI_DATABASE_URL``, else ``DATABASE_URL``, else ``sqlite:///./kiki_campaigns.db`` (relative to the cwd),
   as in the seed README.

Other ``config.attributes``: ``configure_logger`` (default True) set to False keeps the caller's logging
setup instead of applying alembic.ini's.

The whole run is one transaction (``transaction_per_migration=False``): on PostgreSQL, whose DDL is
transactional, a failed upgrade leaves the schema, the data and alembic_version where they were.
SQLite has no transactional DDL; there each migration commits on its own.

The URL is never logged or put in an error message with its password.

Offline mode (``--sql``) writes the SQL instead of running it. On SQLite that works for upgrades; downgrades
that drop columns need batch mode's table reflection, which Alembic refuses without a live database.
"""

import logging
import os
import sys
from logging.config import fileConfig
from pathlib import Path

import sqlalchemy as sa
from alembic import context
from alembic.util import CommandError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import NullPool

# Models live in <project>/shared/models.py (the seed's layout); make them importable from any cwd.
PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from shared.models import metadata  # noqa: E402

DEFAULT_DATABASE_URL = "sqlite:///./kiki_campaigns.db"
URL_VARIABLES = ("KIKI_DATABASE_URL", "DATABASE_URL")

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

log = logging.getLogger("alembic.env")


def database_url():
    """The URL to migrate, from the environment or the default; a malformed one fails without echoing it."""
    source, raw = "the default", DEFAULT_DATABASE_URL
    for variable in URL_VARIABLES:
        value = os.environ.get(variable, "").strip()
        if value:
            source, raw = variable, value
            break
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):
        # SQLAlchemy's message repeats the whole string, password included: replace it.
        raise CommandError(
            f"{source} is not a valid SQLAlchemy URL; expected e.g. "
            "postgresql://USER:PASSWORD@HOST:5432/DATABASE or sqlite:///./kiki_campaigns.db"
        ) from None
    try:
        url.get_dialect()
    except NoSuchModuleError:
        raise CommandError(
            f"{source} names an unknown database driver {url.drivername!r}; "
            "use postgresql://, postgresql+psycopg2://, postgresql+psycopg:// or sqlite://"
        ) from None
    log.info("Database %s (from %s)", url.render_as_string(hide_password=True), source)
    return url


def configure_options(dialect_name):
    return dict(
        target_metadata=metadata,
        compare_type=True,
        # SQLite cannot ALTER most things: autogenerate writes batch operations (copy-and-move) there.
        render_as_batch=dialect_name == "sqlite",
        transaction_per_migration=False,
        process_revision_directives=skip_empty_autogenerate,
    )


def skip_empty_autogenerate(migration_context, revision, directives):
    """`alembic revision --autogenerate` with no model change writes no empty file (Alembic cookbook)."""
    cmd_opts = migration_context.config.cmd_opts
    if getattr(cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        log.info("No changes in schema detected; no revision written.")


def run_migrations_offline():
    """`--sql`: write the SQL to stdout instead of running it."""
    url = database_url()
    context.configure(
        url=url,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        **configure_options(url.get_backend_name()),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_on(connection):
    context.configure(connection=connection, **configure_options(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    supplied = config.attributes.get("connection")
    if supplied is not None:
        run_on(supplied)
        return
    engine = sa.create_engine(database_url(), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            run_on(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
