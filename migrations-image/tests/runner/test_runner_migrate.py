"""upgrade, downgrade, current, history and stamp, on PostgreSQL and SQLite, and the failures on the way."""

import shutil

import pytest
import sqlalchemy as sa
from runner_harness import FAILING, KIKI_CONFIG, LINEAR, LINEAR_REVISIONS


def tables(url):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_current_downgrade_and_back_with_the_kiki_project(runner, database_url):
    plan = runner.ok("plan", "--target", "head", url=database_url, config=KIKI_CONFIG)
    up = runner.ok("upgrade", "--target", "head", url=database_url, config=KIKI_CONFIG)
    current = runner.ok("current", url=database_url, config=KIKI_CONFIG)
    down = runner.ok("downgrade", "--target", "base", url=database_url, config=KIKI_CONFIG)

    assert up["from"] == [] and up["to"] == [plan["target"]]
    assert up["applied"] == [s["revision"] for s in plan["steps"]] and up["appliedCount"] == plan["stepCount"]
    assert isinstance(up["durationMs"], int)
    assert current["current"] == [plan["target"]] and current["atHead"] is True
    assert down["from"] == [plan["target"]] and down["to"] == []
    assert down["appliedCount"] == plan["stepCount"]
    assert tables(database_url) <= {"alembic_version"}


def test_upgrade_downgrade_stamp_history_with_the_linear_fixture(runner, database_url, sql):
    assert runner.ok("current", url=database_url)["current"] == []
    up = runner.ok("upgrade", "--target", "3c8f", url=database_url)
    assert (up["from"], up["to"], up["applied"]) == ([], ["3c8f5e2d0b33"], LINEAR_REVISIONS[:3])
    assert {"users", "deployments"} <= tables(database_url)

    nothing = runner.ok("upgrade", "--target", "3c8f5e2d0b33", url=database_url)
    assert (nothing["applied"], nothing["to"]) == ([], ["3c8f5e2d0b33"])

    down = runner.ok("downgrade", "--target", LINEAR_REVISIONS[0], url=database_url)
    assert down["applied"] == ["3c8f5e2d0b33", "2b7e4d1c9a22"] and down["to"] == [LINEAR_REVISIONS[0]]
    assert "deployments" not in tables(database_url)

    stamped = runner.ok("stamp", "--revision", "head", url=database_url)
    assert (stamped["from"], stamped["to"]) == ([LINEAR_REVISIONS[0]], [LINEAR_REVISIONS[3]])
    assert sql(database_url, "SELECT version_num FROM alembic_version") == [(LINEAR_REVISIONS[3],)]
    assert "deployments" not in tables(database_url)  # stamp runs no migration

    history = runner.ok("history", url=database_url)
    assert history["count"] == 4 and history["heads"] == [LINEAR_REVISIONS[3]]
    assert [r["revision"] for r in history["revisions"]] == LINEAR_REVISIONS[::-1]
    assert [r["isHead"] for r in history["revisions"]] == [True, False, False, False]
    assert [r["reversible"] for r in history["revisions"]] == [False, True, True, True]


def test_upgrade_to_a_revision_behind_the_database_is_refused(runner, sqlite_url):
    runner.ok("upgrade", "--target", "head", url=sqlite_url)
    error = runner.fails("BAD_ARGUMENTS", "upgrade", "--target", LINEAR_REVISIONS[0], url=sqlite_url)
    assert "downgrade" in error["message"]
    error = runner.fails(
        "BAD_ARGUMENTS", "downgrade", "--target", "head", url=sqlite_url.replace("kiki_campaigns", "other")
    )
    assert "upgrade" in error["message"]


def test_a_failing_revision_rolls_the_whole_upgrade_back_on_postgresql(runner, postgres_url):
    error = runner.fails("MIGRATION_FAILED", "upgrade", "--target", "head", url=postgres_url, config=FAILING)

    assert error["revision"] == "f2000000bad"
    assert "ledger_that_does_not_exist" in error["message"]
    # the database error alone, so the operator can compose its message without repeating the runner's
    assert "ledger_that_does_not_exist" in error["cause"] and "The database is at" not in error["cause"]
    assert error["current"] == []
    assert tables(postgres_url) <= {"alembic_version"}  # neither accounts nor the half-made ledger
    assert runner.ok("current", url=postgres_url, config=FAILING)["current"] == []


def test_a_database_at_a_revision_the_project_does_not_know(runner, database_url, sql):
    runner.ok("upgrade", "--target", "head", url=database_url)
    sql(database_url, "UPDATE alembic_version SET version_num = 'feedface0042'")

    for args in (["current"], ["plan", "--target", "head"], ["upgrade", "--target", "head"]):
        error = runner.fails("UNKNOWN_CURRENT_REVISION", *args, url=database_url)
        assert "feedface0042" in error["message"] and "image that applied" in error["message"]
        assert error["current"] == ["feedface0042"]
        # the revision this image wants, resolved: what the operator downgrades to with the image that
        # applied feedface0042 when spec.targetRevision is head
        assert error.get("target") == (None if args == ["current"] else LINEAR_REVISIONS[3])

    # the seed's last resort: stamp replaces the unknown revision
    stamped = runner.ok("stamp", "--revision", "head", url=database_url)
    assert (stamped["from"], stamped["to"]) == (["feedface0042"], [LINEAR_REVISIONS[3]])


def test_stamp_to_an_unknown_revision_changes_nothing(runner, postgres_url, sql):
    runner.fails("UNKNOWN_REVISION", "stamp", "--revision", "abcdef999999", url=postgres_url)
    assert runner.ok("current", url=postgres_url)["current"] == []


@pytest.mark.parametrize(
    "row, problem",
    [
        ("ffffffffffff", "UNKNOWN_CURRENT_REVISION"),
        (LINEAR_REVISIONS[0], "BAD_VERSION_TABLE"),
    ],
)
def test_a_migration_that_writes_a_wrong_version_row_is_migration_failed(
    runner, database_url, sql, tmp_path, row, problem
):
    """The run ends without an error, but the version table does not hold expectedCurrent: MIGRATION_FAILED,
    naming what it holds and why that is wrong (the rows are committed)."""
    project = tmp_path / "writes-version-row"
    shutil.copytree(LINEAR.parent, project, ignore=shutil.ignore_patterns("__pycache__"))
    third = next((project / "alembic" / "versions").glob(f"{LINEAR_REVISIONS[2]}_*.py"))
    text = third.read_text()
    third.write_text(
        text.replace(
            "def upgrade():\n",
            "def upgrade():\n"
            f"    op.execute(\"INSERT INTO alembic_version (version_num) VALUES ('{row}')\")\n",
            1,
        )
    )
    config = project / "alembic.ini"
    runner.ok("upgrade", "--target", LINEAR_REVISIONS[1], url=database_url, config=config)

    error = runner.fails(
        "MIGRATION_FAILED", "upgrade", "--target", LINEAR_REVISIONS[2], url=database_url, config=config
    )

    assert error["current"] == sorted([row, LINEAR_REVISIONS[2]]) and error["revision"] == LINEAR_REVISIONS[2]
    assert (
        f"not {LINEAR_REVISIONS[2]} ({problem}" in error["message"] and "stamp --revision" in error["message"]
    )
    assert (
        sorted(r[0] for r in sql(database_url, "SELECT version_num FROM alembic_version")) == error["current"]
    )
