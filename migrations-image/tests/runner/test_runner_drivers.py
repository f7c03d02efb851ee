"""What differs between psycopg2 and psycopg 3 (kiki_migrate/drivers.py), on the stack under test: the
connect timeout and application name reach the server, SQLSTATEs are read from either driver's errors,
every accepted URL scheme works where its driver is installed and is refused clearly where it is not."""

import importlib.util
import socket
import subprocess
import time

import pytest
import sqlalchemy as sa
from kiki_migrate import drivers
from kiki_migrate.database import ADVISORY_LOCK_KEY
from runner_harness import LINEAR, RUNNER_COMMAND
from sqlalchemy.engine import make_url

SQLALCHEMY_VERSION = tuple(int(part) for part in sa.__version__.split(".")[:2])


def installed(module):
    return importlib.util.find_spec(module) is not None


def test_a_plain_postgresql_url_means_the_default_driver_of_this_sqlalchemy():
    expected = "psycopg" if SQLALCHEMY_VERSION >= (2, 1) else "psycopg2"
    assert drivers.driver(make_url("postgresql://kiki@db/kiki")) == expected


def test_the_sqlstate_of_a_real_error_of_this_driver(postgres_url):
    engine = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as failed:
            conn.execute(sa.text("SELECT 1 / 0"))
    finally:
        engine.dispose()
    assert drivers.sqlstate(failed.value) == "22012"  # division_by_zero
    assert drivers.sqlstate(failed.value.orig) == "22012"
    assert drivers.sqlstate(ValueError("not a database error")) is None


@pytest.mark.parametrize("scheme", ["postgresql", "postgresql+psycopg2", "postgresql+psycopg"])
def test_each_postgresql_scheme_works_where_its_driver_is_installed(runner, postgres_url, scheme):
    url = drivers.render_url(make_url(postgres_url).set(drivername=scheme))
    driver = {"postgresql": "psycopg" if SQLALCHEMY_VERSION >= (2, 1) else "psycopg2"}.get(
        scheme, scheme.partition("+")[2]
    )
    if scheme == "postgresql+psycopg" and SQLALCHEMY_VERSION < (2, 0):
        error = runner.fails("BAD_DATABASE_URL", "plan", "--target", "head", url=url)
        assert "needs SQLAlchemy 2.0 or later" in error["message"]
    elif installed(drivers.DRIVER_MODULES[driver]):
        assert runner.ok("upgrade", "--target", "head", url=url)["to"] == ["4d9a6f3e1c44"]
        assert runner.ok("current", url=url)["atHead"] is True
    else:
        error = runner.fails("BAD_DATABASE_URL", "plan", "--target", "head", url=url)
        assert drivers.DRIVER_NAMES[driver] in error["message"] and "not installed" in error["message"]
        for other in drivers.installed_postgresql_drivers():
            assert drivers.POSTGRESQL_SCHEMES[other] in error["message"]


@pytest.mark.parametrize("scheme", ["postgresql+asyncpg", "postgresql+pg8000", "mysql", "sqlite+pysqlite"])
def test_other_schemes_are_refused_naming_the_accepted_ones(runner, scheme):
    error = runner.fails("BAD_DATABASE_URL", "plan", "--target", "head", url=f"{scheme}://kiki@db/kiki")
    assert f"'{scheme}'" in error["message"]
    assert "postgresql://, postgresql+psycopg2://, postgresql+psycopg://, sqlite://" in error["message"]


def test_connections_are_named_kiki_migrate(postgres_url):
    """The waiting runner's session, seen from pg_stat_activity, carries application_name kiki-migrate."""
    engine = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    holder = engine.connect()
    holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
    env = {
        "KIKI_DATABASE_URL": postgres_url,
        "ALEMBIC_CONFIG": str(LINEAR),
        "KIKI_LOCK_TIMEOUT": "60",
        "KIKI_RESULT_FILE": "/dev/null",
        "PATH": "/usr/bin:/bin",
    }
    upgrade = subprocess.Popen(
        [*RUNNER_COMMAND, "upgrade", "--target", "head"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        names = []
        deadline = time.monotonic() + 60
        while not names and time.monotonic() < deadline and upgrade.poll() is None:
            names = [
                row[0]
                for row in holder.execute(
                    sa.text(
                        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                        "WHERE l.locktype = 'advisory' AND NOT l.granted"
                    )
                )
            ]
            time.sleep(0.1)
    finally:
        holder.close()
        engine.dispose()
        stdout, stderr = upgrade.communicate(timeout=120)
    assert names == ["kiki-migrate"], stderr
    assert upgrade.returncode == 0 and '"ok":true' in stdout.splitlines()[-1], stderr


def test_an_unresponsive_server_fails_after_the_connect_timeout(runner):
    """A server that accepts TCP connections and never answers: DATABASE_UNREACHABLE after about
    CONNECT_TIMEOUT_SECONDS, on either driver (without the timeout libpq waits for the kernel, minutes)."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # never accepted: the handshake completes, the startup packet is never answered
        url = f"postgresql://kiki:secret@127.0.0.1:{silent.getsockname()[1]}/kiki"
        started = time.monotonic()
        error = runner.fails("DATABASE_UNREACHABLE", "current", url=url, timeout=90)
        elapsed = time.monotonic() - started
    assert drivers.CONNECT_TIMEOUT_SECONDS - 1 <= elapsed < drivers.CONNECT_TIMEOUT_SECONDS + 20, elapsed
    assert "timeout" in error["message"].lower() or "timed out" in error["message"].lower(), error["message"]
