"""Fixtures of the kiki-migrate runner tests: a ``runner`` that runs bin/kiki-migrate as a subprocess
and checks every run for leaked passwords (the test server's password is random)."""

import pytest
import sqlalchemy as sa
from runner_harness import Runner
from sqlalchemy.engine import make_url

WRONG_PASSWORD = "Wr0ng-pa55word-7c1e"


@pytest.fixture
def runner(tmp_path, postgres_admin_url):
    """Every run of every test is checked for the test server's (random) password and WRONG_PASSWORD."""
    secrets = [WRONG_PASSWORD, make_url(postgres_admin_url).password]
    work = tmp_path / "work"
    work.mkdir()
    return Runner(work, secrets)


@pytest.fixture
def pg_password(postgres_admin_url):
    return make_url(postgres_admin_url).password


def query(url, sql, **params):
    """Rows of ``sql`` on the database at ``url``, in a transaction of its own."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            result = conn.execute(sa.text(sql), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


@pytest.fixture
def sql():
    return query
