"""Everything that differs between the database drivers kiki-migrate supports, in one place.

The runner works with SQLAlchemy 1.4 to 2.1 and with two PostgreSQL drivers, psycopg2 and psycopg 3, which
disagree on details the runner depends on: where a database error keeps its SQLSTATE (``pgcode`` in
psycopg2, ``sqlstate`` in psycopg 3), which driver a plain ``postgresql://`` URL means (psycopg2 up to
SQLAlchemy 2.0, psycopg 3 from 2.1), and how a URL is written back as text with its password
(SQLAlchemy 1.4 leaves a '%' unescaped, 2.x hides the password in ``str(url)``). Every other module asks
here instead of reading a driver's attribute itself.
"""

import importlib.util
from urllib.parse import quote

import sqlalchemy
from sqlalchemy.exc import NoSuchModuleError

from .errors import RunnerError

CONNECT_TIMEOUT_SECONDS = 10
APPLICATION_NAME = "kiki-migrate"
# How often the server checks, while a statement runs, that the client is still there (PostgreSQL 14+). A
# runner killed mid-statement (its pod deleted, its Job's deadline) would otherwise leave the statement running,
# with its locks, until it next talks to the client.
CLIENT_CONNECTION_CHECK_INTERVAL = "10s"
CLIENT_CONNECTION_CHECK_SINCE = 140000

# The URL schemes the runner accepts, and the Python module each driver needs.
SCHEMES = ("postgresql", "postgresql+psycopg2", "postgresql+psycopg", "sqlite")
DRIVER_MODULES = {"psycopg2": "psycopg2", "psycopg": "psycopg", "pysqlite": "sqlite3"}
DRIVER_NAMES = {"psycopg2": "psycopg2", "psycopg": "psycopg 3", "pysqlite": "sqlite3"}
POSTGRESQL_SCHEMES = {"psycopg2": "postgresql+psycopg2://", "psycopg": "postgresql+psycopg://"}


def accepted_schemes():
    return ", ".join(f"{scheme}://" for scheme in SCHEMES)


def check_scheme(url, source):
    """BAD_DATABASE_URL unless ``url`` names one of SCHEMES (``postgres://`` gets its own hint)."""
    if url.drivername in SCHEMES:
        return
    name = url.drivername
    hint = (
        " (write postgresql://, not postgres://)"
        if name == "postgres" or name.startswith("postgres+")
        else ""
    )
    raise RunnerError(
        "BAD_DATABASE_URL",
        f"{source} names the database dialect or driver '{name}', which kiki-migrate does not support{hint}. "
        f"Use one of {accepted_schemes()}.",
    )


def driver(url):
    """The DBAPI driver SQLAlchemy uses for ``url``: 'psycopg2', 'psycopg' or 'pysqlite'. A plain
    ``postgresql://`` is the SQLAlchemy version's default (psycopg2 before 2.1, psycopg 3 from 2.1)."""
    try:
        return url.get_dialect().driver
    except NoSuchModuleError:
        # postgresql+psycopg on SQLAlchemy 1.4, which has no psycopg 3 dialect
        raise RunnerError(
            "BAD_DATABASE_URL",
            f"the database URL's {url.drivername}:// needs SQLAlchemy 2.0 or later; this is SQLAlchemy "
            f"{sqlalchemy.__version__}: write postgresql+psycopg2:// or postgresql:// instead",
        ) from None


def installed_postgresql_drivers():
    return [name for name in ("psycopg2", "psycopg") if importlib.util.find_spec(DRIVER_MODULES[name])]


def check_installed(url, source):
    """BAD_DATABASE_URL naming what is installed when the driver ``url`` needs is not."""
    name = driver(url)
    if importlib.util.find_spec(DRIVER_MODULES[name]):
        return
    installed = installed_postgresql_drivers()
    instead = " or ".join(POSTGRESQL_SCHEMES[n] for n in installed)
    advice = (
        f"write {instead} instead, or install {DRIVER_NAMES[name]}"
        if installed
        else f"install {DRIVER_NAMES[name]} (pip install {'psycopg2-binary' if name == 'psycopg2' else 'psycopg[binary]'})"
    )
    plain = (
        " (a plain postgresql:// means psycopg 3 from SQLAlchemy 2.1 on, psycopg2 before)"
        if url.drivername == "postgresql"
        else ""
    )
    raise RunnerError(
        "BAD_DATABASE_URL",
        f"{source} needs the PostgreSQL driver {DRIVER_NAMES[name]}{plain}, which is not installed here: "
        f"{advice}.",
    )


def connect_args(url):
    """Keyword arguments for the driver's ``connect()``: the connect timeout and the application name shown
    in ``pg_stat_activity``, unless the URL sets them itself. Both drivers pass them to libpq."""
    if url.get_backend_name() != "postgresql":
        return {}
    args = {}
    if "connect_timeout" not in url.query:
        args["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    if "application_name" not in url.query:
        args["application_name"] = APPLICATION_NAME
    return args


def server_version(dbapi_connection):
    """The server's version number (150004) of an open driver connection: ``info.server_version`` in psycopg 3
    and psycopg2 2.8+, ``server_version`` in older psycopg2."""
    version = getattr(getattr(dbapi_connection, "info", None), "server_version", None)
    return version if isinstance(version, int) else getattr(dbapi_connection, "server_version", None)


def check_client_connection(dbapi_connection, environ):
    """On a new PostgreSQL connection: ``SET client_connection_check_interval`` (committed, so it lasts the
    session) where the server has it (14+; older servers refuse the name, so it cannot go into PGOPTIONS), unless
    PGOPTIONS already sets it."""
    if "client_connection_check_interval" in environ.get("PGOPTIONS", ""):
        return
    version = server_version(dbapi_connection)
    if not version or version < CLIENT_CONNECTION_CHECK_SINCE:
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"SET client_connection_check_interval = '{CLIENT_CONNECTION_CHECK_INTERVAL}'")
    finally:
        cursor.close()
    dbapi_connection.commit()


def sqlstate(exc):
    """The SQLSTATE of a database error (a SQLAlchemy ``DBAPIError`` or the driver's own), or None."""
    error = getattr(exc, "orig", None) or exc
    return getattr(error, "pgcode", None) or getattr(error, "sqlstate", None)


def render_url(url):
    """``url`` as text, password included, encoded so that it parses back to the same URL on every
    supported SQLAlchemy and passes the runner's own URL-encoding rule (``str(url)`` hides the password on
    SQLAlchemy 2; ``render_as_string`` of 1.4 leaves a '%' in the password unescaped)."""
    # URL is a named tuple; _replace can clear fields, which URL.set() would leave as they are
    rest = url._replace(username=None, password=None).render_as_string(hide_password=False)
    if url.username is None and url.password is None:
        return rest
    scheme, location = rest.split("://", 1)
    userinfo = quote(url.username or "", safe="")
    if url.password is not None:
        userinfo += ":" + quote(str(url.password), safe="")
    return f"{scheme}://{userinfo}@{location}"
