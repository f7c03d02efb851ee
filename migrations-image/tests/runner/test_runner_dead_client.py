"""A runner killed mid-statement (its pod deleted, its Job past its deadline) must not leave its statement
running on the server, holding its locks, until the statement would next talk to the client: on PostgreSQL 14+
every connection of the runner has the server check for a dead client (client_connection_check_interval)."""

import os
import signal
import subprocess
import sys
import time

import sqlalchemy as sa
from kiki_migrate import database, drivers
from sqlalchemy.engine import make_url

IMAGE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _server_version(url):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.text("SHOW server_version_num")).scalar())
    finally:
        engine.dispose()


def test_runner_connections_have_the_server_check_for_a_dead_client(postgres_url):
    engine = database.create_engine(make_url(postgres_url))
    try:
        with engine.connect() as conn:
            transaction = conn.begin()  # explicit: SQLAlchemy 1.4's Connection has no rollback()
            interval = conn.execute(sa.text("SHOW client_connection_check_interval")).scalar()
            transaction.rollback()
            # the setting was committed on connect: a rolled-back transaction does not undo it
            after_rollback = conn.execute(sa.text("SHOW client_connection_check_interval")).scalar()
    finally:
        engine.dispose()
    if _server_version(postgres_url) >= drivers.CLIENT_CONNECTION_CHECK_SINCE:
        assert interval == drivers.CLIENT_CONNECTION_CHECK_INTERVAL
        assert after_rollback == drivers.CLIENT_CONNECTION_CHECK_INTERVAL


def test_pgoptions_that_set_the_interval_win(postgres_url, monkeypatch):
    monkeypatch.setenv("PGOPTIONS", "-c client_connection_check_interval=3s")
    engine = database.create_engine(make_url(postgres_url))
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SHOW client_connection_check_interval")).scalar() == "3s"
    finally:
        engine.dispose()


def test_a_killed_runners_statement_ends_soon_after_it(postgres_url):
    """SIGKILL to a process running a 120 s statement on a runner connection: the server ends the statement
    within about the check interval, not after 120 s."""
    script = (
        "import sys\n"
        "import sqlalchemy as sa\n"
        "from sqlalchemy.engine import make_url\n"
        "from kiki_migrate import database\n"
        "engine = database.create_engine(make_url(sys.argv[1]))\n"
        "with engine.connect() as conn:\n"
        "    conn.execute(sa.text('SELECT pg_sleep(120) /* kiki-dead-client */'))\n"
    )
    env = dict(os.environ, PYTHONPATH=IMAGE_DIR)
    child = subprocess.Popen([sys.executable, "-c", script, postgres_url], env=env)
    watcher = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    find = sa.text(
        "SELECT pid FROM pg_stat_activity WHERE query LIKE '%kiki-dead-client%' AND pid <> pg_backend_pid() "
        "AND state = 'active'"
    )
    try:
        deadline = time.monotonic() + 30
        backend = None
        while backend is None and time.monotonic() < deadline:
            with watcher.connect() as conn:
                backend = conn.execute(find).scalar()
            time.sleep(0.2)
        assert backend is not None, "the runner's statement never showed in pg_stat_activity"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        killed = time.monotonic()
        while time.monotonic() - killed < 30:
            with watcher.connect() as conn:
                if conn.execute(find).scalar() is None:
                    break
            time.sleep(0.5)
        ended_after = time.monotonic() - killed
        assert ended_after < 20, f"the statement of the killed runner still ran {ended_after:.0f} s later"
    finally:
        if child.poll() is None:
            child.kill()
        with watcher.connect() as conn:
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%kiki-dead-client%' "
                    "AND pid <> pg_backend_pid()"
                )
            )
        watcher.dispose()
