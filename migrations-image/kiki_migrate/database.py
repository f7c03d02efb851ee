"""The database: its URL (from the environment, redacted), connections, the current revision and the
advisory lock that serialises every change."""

import contextlib
import os
import re

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.pool import NullPool

from . import drivers, log
from .environment import (  # noqa: F401 (re-exported: callers and tests read them here)
    DEFAULT_LOCK_TIMEOUT_SECONDS,
    DEFAULT_TABLE_LOCK_TIMEOUT_SECONDS,
    DEFAULT_URL,
    ENCODING_ADVICE,
    lock_timeout_seconds,
    table_lock_timeout_seconds,
    url_encoding_problem,
    url_from_environment,
)
from .errors import RunnerError, sentence
from .redact import add_secret

# Session-level advisory lock key held while anything changes ("KIKIMIGR" in ASCII). Fixed, so every
# kiki-migrate, whatever its image, excludes every other one on the same database.
ADVISORY_LOCK_KEY = 0x4B494B494D494752
LOCK_NOT_AVAILABLE = "55P03"


def parse_url(raw, source="KIKI_DATABASE_URL"):
    """The SQLAlchemy URL of ``raw``, or BAD_DATABASE_URL saying what is wrong with it (never the
    password)."""
    problem = url_encoding_problem(raw)
    if problem:
        raise RunnerError("BAD_DATABASE_URL", f"{source} has {problem}. {ENCODING_ADVICE}.")
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:
        raise RunnerError(
            "BAD_DATABASE_URL",
            f"{source} is not a valid SQLAlchemy URL ({type(exc).__name__}). Expected "
            "postgresql://USER:***@HOST:5432/DATABASE (the password URL-encoded) or "
            "sqlite:///path/to/file.db.",
        ) from None
    add_secret(url.password)
    drivers.check_scheme(url, source)
    return url


def create_engine(url):
    """An engine without a pool; on PostgreSQL 14+ each of its connections has the server check for a dead client
    while a statement runs (``drivers.check_client_connection``)."""
    drivers.check_installed(url, "the database URL")
    try:
        engine = sa.create_engine(url, poolclass=NullPool, connect_args=drivers.connect_args(url))
        if engine.dialect.name == "postgresql" and "client_connection_check_interval" not in str(
            url.query.get("options", "")
        ):
            sa.event.listen(
                engine,
                "connect",
                lambda dbapi_connection, record: drivers.check_client_connection(
                    dbapi_connection, os.environ
                ),
            )
        return engine
    except (ImportError, ArgumentError, TypeError) as exc:
        raise RunnerError(
            "BAD_DATABASE_URL",
            f"cannot use the database URL with driver '{url.drivername}': {sentence(error_text(exc))} "
            f"kiki-migrate supports {drivers.accepted_schemes()}.",
        ) from None


def error_text(exc):
    """What a person needs from an error, on one line: for a database error its own message (without
    SQLAlchemy's decorations) followed by the server's DETAIL and HINT (``Key (email)=(a) is duplicated.``),
    from the driver's diagnostics (``diag.message_detail``/``message_hint``: psycopg2 and psycopg 3) or else
    from the error text; for anything else the first line, prefixed with the exception type. Redaction
    happens where it is printed."""
    database_error = getattr(exc, "orig", None)
    text = str(database_error or exc)
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if database_error is None:
        return f"{type(exc).__name__}: {line}" if line else type(exc).__name__
    parts = [line or type(database_error).__name__]
    diag = getattr(database_error, "diag", None)
    for label, attribute in (("DETAIL", "message_detail"), ("HINT", "message_hint")):
        value = getattr(diag, attribute, None)
        if not value:
            found = re.search(rf"^{label}:\s*(.+)$", text, re.MULTILINE)
            value = found.group(1) if found else None
        if value and value.strip():
            parts.append(f"{label}: {' '.join(value.split())}")
    return "; ".join(parts)


def connect(engine):
    """An open connection, or DATABASE_UNREACHABLE."""
    try:
        return engine.connect()
    except DBAPIError as exc:
        url = engine.url
        where = (
            f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"
            if url.get_backend_name() == "postgresql"
            else (url.database or ":memory:")
        )
        raise RunnerError(
            "DATABASE_UNREACHABLE",
            f"cannot connect to the database at {where}: {sentence(error_text(exc))} Check that the server runs "
            "and is reachable from this pod, and the host, port, database name, user and password in "
            "the URL Secret.",
        ) from None


def is_postgresql(engine):
    return engine.dialect.name == "postgresql"


@contextlib.contextmanager
def statement_lock_timeout(seconds):
    """While migrating, every libpq connection this process opens (the runner's, and the one an env.py
    that ignores the runner's connection builds from ``sqlalchemy.url``) gets ``lock_timeout``, through
    ``PGOPTIONS`` (libpq reads it at connect time). An ALTER TABLE queued behind an application's open
    transaction gives up after ``seconds`` instead of holding every later query on the table behind it
    until the Job's deadline. A URL with its own ``options`` query parameter replaces PGOPTIONS."""
    previous = os.environ.get("PGOPTIONS")
    setting = f"-c lock_timeout={max(int(seconds * 1000), 1)}"
    os.environ["PGOPTIONS"] = f"{previous} {setting}" if previous else setting
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PGOPTIONS", None)
        else:
            os.environ["PGOPTIONS"] = previous


def is_lock_timeout(exc):
    """Whether ``exc`` (or the database error it wraps) is PostgreSQL's lock_not_available."""
    return drivers.sqlstate(exc) == LOCK_NOT_AVAILABLE


def lock_blockers(engine, statement):
    """Sessions other than the runner's holding locks on the tables ``statement`` names, for a LOCK_TIMEOUT
    message: ``[{"table", "pid", "application", "state", "since", "query"}]`` (at most 5). Empty when it
    cannot be read; the message then says so."""
    query = sa.text(
        "SELECT DISTINCT n.nspname, c.relname, a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), "
        "coalesce(extract(epoch FROM now() - a.state_change)::int, 0), left(coalesce(a.query, ''), 120) "
        "FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.granted AND l.locktype = 'relation' AND l.pid <> pg_backend_pid() "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
        f"AND a.application_name <> '{drivers.APPLICATION_NAME}' AND n.nspname NOT LIKE 'pg\\_%' "
        "ORDER BY 3, 1, 2"
    )
    try:
        with contextlib.closing(connect(engine)) as conn:
            rows = conn.execute(query).fetchall()
    except (RunnerError, DBAPIError):
        return []
    text = (statement or "").lower()
    named = [row for row in rows if re.search(rf"\b{re.escape(row[1].lower())}\b", text)]
    return [
        {
            "table": f"{schema}.{table}",
            "pid": pid,
            "application": app,
            "state": state,
            "since": since,
            "query": query_text.replace("\n", " "),
        }
        for schema, table, pid, app, state, since, query_text in (named or rows)[:5]
    ]


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
        conn.execute(
            sa.text("SELECT set_config('lock_timeout', :timeout, false)"),
            {"timeout": f"{max(int(timeout_seconds * 1000), 1)}ms"},
        )
        log.info(
            f"waiting up to {timeout_seconds:g}s for the migration lock "
            f"(pg_advisory_lock({ADVISORY_LOCK_KEY}))"
        )
        try:
            conn.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        except DBAPIError as exc:
            if not is_lock_timeout(exc):
                raise RunnerError(
                    "DATABASE_UNREACHABLE", f"cannot take the migration lock: {error_text(exc)}"
                ) from None
            holders = _lock_holders(engine)
            raise RunnerError(
                "LOCK_TIMEOUT",
                f"another session holds the migration lock pg_advisory_lock({ADVISORY_LOCK_KEY}) on this "
                f"database{holders}; gave up after {timeout_seconds:g}s (KIKI_LOCK_TIMEOUT). Another "
                "migration, stamp or restore is probably running: retry when it has finished.",
            ) from None
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
        "AND l.objsubid = 1"
    )
    try:
        with contextlib.closing(connect(engine)) as conn:
            rows = conn.execute(
                query, {"high": ADVISORY_LOCK_KEY >> 32, "low": ADVISORY_LOCK_KEY & 0xFFFFFFFF}
            ).fetchall()
    except (RunnerError, DBAPIError):
        return ""
    if not rows:
        return ""
    return " (held by " + ", ".join(f"pid {pid} application '{app}'" for pid, app in rows) + ")"
