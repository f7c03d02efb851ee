"""Shared fixtures: a fresh, empty database per test, on PostgreSQL and on SQLite.

PostgreSQL comes from the throwaway server that ``scripts/test.sh`` starts (``KIKI_TEST_POSTGRES_URL``,
a superuser URL). Run directly with ``pytest-3`` and no such variable, the fixtures start their own
throwaway server with ``scripts/postgres.sh`` for the session and stop it at the end.
"""

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

IMAGE_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = IMAGE_DIR.parent
sys.path.insert(0, str(IMAGE_DIR))

from kiki_migrate.drivers import render_url  # noqa: E402  (URLs with their password, on every SQLAlchemy)


@pytest.fixture(scope="session")
def postgres_admin_url():
    """SQLAlchemy URL of a PostgreSQL superuser on a throwaway server."""
    url = os.environ.get("KIKI_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    data_dir = tempfile.mkdtemp(prefix="kiki-pytest-pg.")
    os.chmod(data_dir, 0o755)
    script = REPO_DIR / "scripts" / "postgres.sh"
    out = subprocess.run([str(script), "start", data_dir], check=True, capture_output=True, text=True).stdout
    url = out.strip().split("=", 1)[1]
    try:
        yield url
    finally:
        subprocess.run([str(script), "stop", data_dir], check=False)


@pytest.fixture
def postgres_url(postgres_admin_url):
    """URL of a new, empty PostgreSQL database, dropped after the test."""
    name = "t_" + uuid.uuid4().hex[:16]
    admin = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield render_url(make_url(postgres_admin_url).set(database=name))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path):
    """URL of a new, empty SQLite database file."""
    return f"sqlite:///{tmp_path / 'kiki_campaigns.db'}"


@pytest.fixture(params=["postgresql", "sqlite"])
def database_url(request):
    """A fresh database on each backend: the test runs once on PostgreSQL and once on SQLite."""
    return request.getfixturevalue("postgres_url" if request.param == "postgresql" else "sqlite_url")
