"""The database: its URL (from the environment, redacted), connections, the current revision and the
advisory lock that serialises every change."""
import contextlib
import os
import re

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import NullPool

from . import log
from .errors import RunnerError
from .redact import add_secret

DEFAULT_URL = "sqlite:///./kiki_campaigns.db"
CONNECT_TIMEOUT_SECONDS = 10
DEFAULT_LOCK_TIMEOUT_SECONDS = 60
# Session-level advisory lock key held while anything changes ("KIKIMIGR" in ASCII). Fixed, so every
# kiki-migrate, whatever its image, excludes every other one on the same database.
ADVISORY_LOCK_KEY = 0x4B494B494D494752
LOCK_NOT_AVAILABLE = "55P03"

_ROUGH_PASSWORD = re.compile(r"://[^:/@\s]*:([^@\s]*)@")


def url_from_environment(environ=os.environ):
    """(URL string, the name of the variable it came from): KIKI_DATABASE_URL, else DATABASE_URL, else
    the seed's SQLite default."""
    for name in ("KIKI_DATABASE_URL", "DATABASE_URL"):
        value = environ.get(name, "").strip()
        if value:
            match = _ROUGH_PASSWORD.search(value)
            if match:
                # registered before parsing, so that even a malformed URL's password is never printed
                add_secret(match.group(1))
            return value, name
    return DEFAULT_URL, "default"


def parse_url(raw, source="KIKI_DATABASE_URL"):
    """The SQLAlchemy URL of ``raw``, or BAD_DATABASE_URL saying what is wrong with it."""
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:
        raise RunnerError(
            "BAD_DATABASE_URL",
            f"{source} is not a valid SQLAlchemy URL ({type(exc).__name__}). Expected "
            "postgresql://USER:***@HOST:5432/DATABASE (the password URL-encoded) or "
            "sqlite:///path/to/file.db.") from None
    add_secret(url.password)
    try:
        url.get_dialect()
    except NoSuchModuleError:
        hint = " (write postgresql://, not postgres://)" if url.drivername.startswith("postgres:") or \
            url.drivername == "postgres" else ""
        raise RunnerError(
            "BAD_DATABASE_URL",
            f"{source} names the unknown database dialect '{url.drivername}'{hint}. "
            "Use postgresql:// (or postgresql+psycopg2://) or sqlite:///.") from None
    return url


def create_engine(url):
    connect_args = {}
    if url.get_backend_name() == "postgresql" and url.get_driver_name() == "psycopg2":
        if "connect_timeout" not in url.query:
            connect_args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
        if "application_name" not in url.query:
            connect_args["application_name"] = "kiki-migrate"
    try:
        return sa.create_engine(url, poolclass=NullPool, connect_args=connect_args)
    except (ImportError, ArgumentError, TypeError) as exc:
        raise RunnerError(
            "BAD_DATABASE_URL",
            f"cannot use the database URL with driver '{url.drivername}': {first_line(exc)}. "
            "The image supports postgresql+psycopg2 and sqlite.") from None


def first_line(exc):
    """The first non-empty line of an error: the database's own message for database errors (without
    SQLAlchemy's decorations), prefixed with the exception type for anything else."""
    database_error = getattr(exc, "orig", None)
    text = str(database_error or exc)
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if database_error is not None:
        return line or type(database_error).__name__
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__


def connect(engine):
    """An open connection, or DATABASE_UNREACHABLE."""
    try:
        return engine.connect()
    except DBAPIError as exc:
        url = engine.url
        where = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}" \
            if url.get_backend_name() == "postgresql" else str(url.database)
        raise RunnerError(
            "DATABASE_UNREACHABLE",
            f"cannot connect to the database at {where}: {first_line(exc)}. Check that the server runs "
            "and is reachable from this pod, and the host, port, database name, user and password in "
            "the URL Secret.") from None


def is_postgresql(engine):
    return engine.dialect.name == "postgresql"


def read_current(engine):
    """The revisions in the database's alembic_version table, on a short-lived connection.
    No table means base: an empty list."""
    with contextlib.closing(connect(engine)) as conn:
        try:
            return list(MigrationContext.configure(conn).get_current_heads())
        except DBAPIError as exc:
            raise RunnerError("DATABASE_UNREACHABLE",
                              f"cannot read alembic_version: {first_line(exc)}") from None


def lock_timeout_seconds(environ=os.environ):
    raw = environ.get("KIKI_LOCK_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if value <= 0:
        raise RunnerError("BAD_ARGUMENTS",
                          f"KIKI_LOCK_TIMEOUT must be a positive number of seconds, got '{raw}'")
    return value


@contextlib.contextmanager
def migration_lock(engine, timeout_seconds):
    """Hold the session-level advisory lock on a dedicated connection (PostgreSQL only; elsewhere a
    no-op). Session level, not transaction level: it must outlive the commits of the migration.
    ``lock_timeout`` bounds the wait, which ends in LOCK_TIMEOUT instead of a hang."""
    if not is_postgresql(engine):
        yield
        return
    conn = connect(engine).execution_options(isolation_level="AUTOCOMMIT")
    try:
        conn.execute(sa.text("SELECT set_config('lock_timeout', :timeout, false)"),
                     {"timeout": f"{max(int(timeout_seconds * 1000), 1)}ms"})
        log.info(f"waiting up to {timeout_seconds:g}s for the migration lock "
                 f"(pg_advisory_lock({ADVISORY_LOCK_KEY}))")
        try:
            conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        except DBAPIError as exc:
            if getattr(exc.orig, "pgcode", None) != LOCK_NOT_AVAILABLE:
                raise RunnerError("DATABASE_UNREACHABLE",
                                  f"cannot take the migration lock: {first_line(exc)}") from None
            holders = _lock_holders(engine)
            raise RunnerError(
                "LOCK_TIMEOUT",
                f"another session holds the migration lock pg_advisory_lock({ADVISORY_LOCK_KEY}) on this "
                f"database{holders}; gave up after {timeout_seconds:g}s (KIKI_LOCK_TIMEOUT). Another "
                "migration, stamp or restore is probably running: retry when it has finished.") from None
        log.info("migration lock acquired")
        yield
    finally:
        try:
            conn.execute(sa.text("SELECT pg_advisory_unlock_all()"))
        except DBAPIError:
            pass  # closing the connection releases a session lock as well
        conn.close()


def _lock_holders(engine):
    """`` (held by pid 123 application 'x')`` for the message, or empty when that cannot be read."""
    query = sa.text(
        "SELECT l.pid, coalesce(a.application_name, '') FROM pg_locks l "
        "LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.classid = :high AND l.objid = :low "
        "AND l.objsubid = 1")
    try:
        with contextlib.closing(connect(engine)) as conn:
            rows = conn.execute(query, {"high": ADVISORY_LOCK_KEY >> 32,
                                        "low": ADVISORY_LOCK_KEY & 0xFFFFFFFF}).fetchall()
    except (RunnerError, DBAPIError):
        return ""
    if not rows:
        return ""
    return " (held by " + ", ".join(f"pid {pid} application '{app}'" for pid, app in rows) + ")"
