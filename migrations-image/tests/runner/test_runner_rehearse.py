"""rehearse: the planned migration on a restored copy, which is dropped whatever happens; the real database is
never touched."""

import json
import uuid

import pytest
import sqlalchemy as sa
from kiki_migrate.drivers import render_url
from runner_harness import DUPLICATES, LINEAR, LINEAR_DATA_MIGRATION, LINEAR_REVISIONS
from sqlalchemy.engine import make_url


def scratch_name():
    return "kiki_rh_test_" + uuid.uuid4().hex[:12]


def databases(admin_url, name):
    return [row[0] for row in _query(admin_url, "SELECT datname FROM pg_database WHERE datname = :n", n=name)]


def _query(url, text, **params):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            return [tuple(row) for row in conn.execute(sa.text(text), params)]
    finally:
        engine.dispose()


def backed_up(runner, url, tmp_path, config):
    return runner.ok("backup", "--dir", str(tmp_path / "backups"), "--name", "t", url=url, config=config)[
        "path"
    ]


def test_a_unique_constraint_over_repeated_rows_fails_on_the_copy_and_the_database_is_untouched(
    runner, postgres_url, postgres_admin_url, sql, tmp_path
):
    runner.ok("upgrade", "--target", "du0000000001", url=postgres_url, config=DUPLICATES)
    sql(postgres_url, "INSERT INTO accounts (id, email) VALUES (1, 'a@x'), (2, 'a@x'), (3, 'b@x')")
    path = backed_up(runner, postgres_url, tmp_path, DUPLICATES)
    name = scratch_name()

    error = runner.fails(
        "REHEARSAL_FAILED",
        "rehearse",
        "--file",
        path,
        "--target",
        "head",
        "--scratch",
        name,
        url=postgres_url,
        config=DUPLICATES,
    )

    assert error["revision"] == "du0000000002" and error["leg"] == "forward", error
    assert "uq_accounts_email" in error["message"] and "a@x" in error["message"], error
    # What failed on the copy, once: the copy's own "nothing was committed ... fix the migration" is not
    # repeated (the operator says where the real database is and what to do).
    assert error["message"].startswith("rehearsal on a restored copy failed while upgrade (forward)"), error
    assert "Nothing was committed" not in error["message"] and "Fix the migration" not in error["message"]
    # The restore completed before the step failed: the error says so, for status.lastBackup.restoredInRehearsal.
    assert isinstance(error["restoreMs"], int) and error["restoredBytes"] > 0, error
    assert sql(postgres_url, "SELECT version_num FROM alembic_version") == [("du0000000001",)]
    assert sql(postgres_url, "SELECT count(*) FROM accounts") == [(3,)]
    assert databases(postgres_admin_url, name) == []


def test_a_healthy_rehearsal_goes_there_back_and_there_again_and_runs_the_checks(
    runner, postgres_url, postgres_admin_url, sql, tmp_path
):
    runner.ok("upgrade", "--target", "du0000000001", url=postgres_url, config=DUPLICATES)
    sql(postgres_url, "INSERT INTO accounts (id, email) VALUES (1, 'a@x'), (2, 'b@x')")
    path = backed_up(runner, postgres_url, tmp_path, DUPLICATES)
    name = scratch_name()
    checks = [{"name": "two-accounts", "sql": "SELECT count(*) = 2 FROM accounts"}]

    result = runner.ok(
        "rehearse",
        "--file",
        path,
        "--target",
        "head",
        "--scratch",
        name,
        url=postgres_url,
        config=DUPLICATES,
        env={"KIKI_REHEARSAL_CHECKS": json.dumps(checks)},
    )

    assert result["roundTrip"] is True and result["direction"] == "upgrade", result
    assert result["from"] == ["du0000000001"] and result["target"] == "du0000000002"
    for leg in ("forwardMs", "backMs", "againMs", "restoreMs", "durationMs"):
        assert isinstance(result[leg], int) and result[leg] >= 0, (leg, result)
    assert result["restoredBytes"] > 0 and result["checks"] == 1 and result["scratchDatabase"] == name
    assert sql(postgres_url, "SELECT version_num FROM alembic_version") == [("du0000000001",)]
    assert databases(postgres_admin_url, name) == []


def test_a_failing_check_fails_the_rehearsal(runner, postgres_url, postgres_admin_url, sql, tmp_path):
    runner.ok("upgrade", "--target", "du0000000001", url=postgres_url, config=DUPLICATES)
    path = backed_up(runner, postgres_url, tmp_path, DUPLICATES)
    name = scratch_name()

    error = runner.fails(
        "REHEARSAL_FAILED",
        "rehearse",
        "--file",
        path,
        "--target",
        "head",
        "--scratch",
        name,
        url=postgres_url,
        config=DUPLICATES,
        env={
            "KIKI_REHEARSAL_CHECKS": json.dumps(
                [{"name": "has-rows", "sql": "SELECT count(*) FROM accounts"}]
            )
        },
    )

    assert error["leg"] == "checks" and error["check"] == "has-rows", error
    assert databases(postgres_admin_url, name) == []


def test_an_irreversible_step_is_run_forward_only(runner, postgres_url, postgres_admin_url, tmp_path):
    runner.ok("upgrade", "--target", LINEAR_REVISIONS[2], url=postgres_url, config=LINEAR)
    path = backed_up(runner, postgres_url, tmp_path, LINEAR)
    name = scratch_name()

    result = runner.ok("rehearse", "--file", path, "--target", "head", "--scratch", name, url=postgres_url)

    assert result["roundTrip"] is False and result["irreversibleSteps"] == [LINEAR_DATA_MIGRATION], result
    assert "backMs" not in result
    assert databases(postgres_admin_url, name) == []


def test_a_leftover_of_the_same_name_is_replaced(runner, postgres_url, postgres_admin_url, sql, tmp_path):
    runner.ok("upgrade", "--target", "du0000000001", url=postgres_url, config=DUPLICATES)
    path = backed_up(runner, postgres_url, tmp_path, DUPLICATES)
    name = scratch_name()
    _autocommit(postgres_admin_url, f'CREATE DATABASE "{name}"')

    runner.ok(
        "rehearse", "--file", path, "--target", "head", "--scratch", name, url=postgres_url, config=DUPLICATES
    )

    assert databases(postgres_admin_url, name) == []


@pytest.fixture
def role_without_createdb(postgres_admin_url, postgres_url):
    """(URL of postgres_url as a role that owns that database but may not create databases, its name)."""
    role = "kiki_nocreatedb_" + uuid.uuid4().hex[:8]
    password = "Rh-" + uuid.uuid4().hex
    database = make_url(postgres_url).database
    _autocommit(postgres_admin_url, f"CREATE ROLE {role} LOGIN NOCREATEDB PASSWORD '{password}'")
    _autocommit(postgres_admin_url, f'ALTER DATABASE "{database}" OWNER TO {role}')
    _autocommit(render_url(make_url(postgres_url)), f"ALTER SCHEMA public OWNER TO {role}")
    try:
        yield render_url(make_url(postgres_url).set(username=role, password=password)), role
    finally:
        _autocommit(postgres_admin_url, f'ALTER DATABASE "{database}" OWNER TO CURRENT_USER')
        _autocommit(render_url(make_url(postgres_url)), f"DROP OWNED BY {role}")
        _autocommit(postgres_admin_url, f"DROP ROLE {role}")


def test_a_role_without_createdb_is_told_the_fix(runner, role_without_createdb, sql, tmp_path):
    url, role = role_without_createdb
    runner.secrets.append(make_url(url).password)
    runner.ok("upgrade", "--target", "du0000000001", url=url, config=DUPLICATES)
    path = backed_up(runner, url, tmp_path, DUPLICATES)

    error = runner.fails(
        "REHEARSAL_NOT_PERMITTED",
        "rehearse",
        "--file",
        path,
        "--target",
        "head",
        "--scratch",
        scratch_name(),
        url=url,
        config=DUPLICATES,
    )

    assert f'ALTER ROLE "{role}" CREATEDB' in error["message"], error
    assert "spec.rehearsal.serverSecretRef" in error["message"]
    assert sql(url, "SELECT version_num FROM alembic_version") == [("du0000000001",)]


def test_a_scratch_name_that_is_not_the_operators_is_refused(runner, postgres_url, tmp_path):
    runner.ok("upgrade", "--target", "du0000000001", url=postgres_url, config=DUPLICATES)
    path = backed_up(runner, postgres_url, tmp_path, DUPLICATES)

    runner.fails(
        "BAD_ARGUMENTS",
        "rehearse",
        "--file",
        path,
        "--target",
        "head",
        "--scratch",
        "kiki_production",
        url=postgres_url,
        config=DUPLICATES,
    )


def _autocommit(url, statement):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(sa.text(statement))
    finally:
        engine.dispose()


def test_a_server_of_its_own_takes_the_scratch_database_when_the_role_may_not_create_one(
    runner, role_without_createdb, postgres_admin_url, sql, tmp_path
):
    url, _role = role_without_createdb
    runner.secrets.append(make_url(url).password)
    runner.ok("upgrade", "--target", "du0000000001", url=url, config=DUPLICATES)
    path = backed_up(runner, url, tmp_path, DUPLICATES)
    name = scratch_name()

    result = runner.ok(
        "rehearse",
        "--file",
        path,
        "--target",
        "head",
        "--scratch",
        name,
        url=url,
        config=DUPLICATES,
        env={"KIKI_REHEARSAL_SERVER_URL": postgres_admin_url},
    )

    assert result["roundTrip"] is True and result["scratchDatabase"] == name, result
    assert sql(url, "SELECT version_num FROM alembic_version") == [("du0000000001",)]
    assert databases(postgres_admin_url, name) == []
