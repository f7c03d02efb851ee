"""The version table: read where the project's env.py keeps it, by every command, and validated as a whole;
targets that would branch the database and databases without a version table are refused before anything
is written."""

import pytest
from runner_harness import BRANCHES, CUSTOM_VERSION_TABLE, LINEAR, LINEAR_REVISIONS

V1, V2 = "c0000001vtab", "c0000002vtab"
P1, HA, HB = "p1000000base", "ha000000colm", "hb000000sbox"


def columns(sql, url, table):
    return [
        row[0]
        for row in sql(
            url,
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = :t ORDER BY ordinal_position",
            t=table,
        )
    ]


def test_every_command_reads_the_version_table_env_py_configures(runner, postgres_url, sql, tmp_path):
    sql(postgres_url, "CREATE SCHEMA kiki_meta")

    plan = runner.ok("plan", "--target", "head", url=postgres_url, config=CUSTOM_VERSION_TABLE)
    up = runner.ok("upgrade", "--target", "head", url=postgres_url, config=CUSTOM_VERSION_TABLE)
    current = runner.ok("current", url=postgres_url, config=CUSTOM_VERSION_TABLE)
    again = runner.ok("plan", "--target", "head", url=postgres_url, config=CUSTOM_VERSION_TABLE)
    taken = runner.ok("backup", "--dir", str(tmp_path / "b"), url=postgres_url, config=CUSTOM_VERSION_TABLE)
    told = runner.ok(
        "backup",
        "--dir",
        str(tmp_path / "told"),
        url=postgres_url,
        config=CUSTOM_VERSION_TABLE,
        env={"KIKI_VERSION_TABLE": "kiki_version", "KIKI_VERSION_TABLE_SCHEMA": "kiki_meta"},
    )
    runner.ok("wait", "--revision", V2, "--timeout", "5", url=postgres_url, config=CUSTOM_VERSION_TABLE)
    down = runner.ok("downgrade", "--target", V1, url=postgres_url, config=CUSTOM_VERSION_TABLE)
    restored = runner.ok("restore", "--file", taken["path"], url=postgres_url, config=CUSTOM_VERSION_TABLE)

    assert plan["versionTable"] == {"schema": "kiki_meta", "name": "kiki_version"}
    assert plan["current"] == [] and plan["stepCount"] == 2 and plan["expectedCurrent"] == [V2]
    assert up["from"] == [] and up["to"] == [V2] and up["applied"] == [V1, V2]
    assert current["current"] == [V2] and current["atHead"] is True
    assert again["direction"] == "none"
    assert taken["revision"] == V2 and told["revision"] == V2
    assert down["from"] == [V2] and down["to"] == [V1]
    assert restored["revision"] == V2
    assert sql(postgres_url, "SELECT version_num FROM kiki_meta.kiki_version") == [(V2,)]
    assert sql(postgres_url, "SELECT to_regclass('public.alembic_version')") == [(None,)]
    assert "name" in columns(sql, postgres_url, "campaigns")


def test_another_applications_alembic_version_is_not_this_projects(runner, postgres_url, sql):
    sql(postgres_url, "CREATE SCHEMA kiki_meta")
    sql(postgres_url, "CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY)")
    sql(postgres_url, "INSERT INTO public.alembic_version VALUES ('x9')")

    plan = runner.ok("plan", "--target", "head", url=postgres_url, config=CUSTOM_VERSION_TABLE)
    up = runner.ok("upgrade", "--target", "head", url=postgres_url, config=CUSTOM_VERSION_TABLE)

    assert plan["current"] == [] and plan["direction"] == "upgrade"
    assert up["to"] == [V2]
    assert sql(postgres_url, "SELECT version_num FROM public.alembic_version") == [("x9",)]


def test_a_target_on_another_branch_is_refused_before_anything_runs(runner, database_url, sql):
    runner.ok("upgrade", "--target", HA, url=database_url, config=BRANCHES)

    planned = runner.fails("TARGET_WOULD_BRANCH", "plan", "--target", HB, url=database_url, config=BRANCHES)
    run = runner.fails("TARGET_WOULD_BRANCH", "upgrade", "--target", HB, url=database_url, config=BRANCHES)

    assert HA in planned["message"] and HB in planned["message"] and "merge" in planned["message"]
    assert "spec.targetRevision or spec.image starts the next rollout" in planned["message"]
    assert planned["current"] == [HA] and run["current"] == [HA]
    assert runner.ok("current", url=database_url, config=BRANCHES)["current"] == [HA]
    assert "sandboxes" not in [r[0] for r in sql(database_url, _TABLES[database_url.split(":")[0]])]


_TABLES = {
    "postgresql": "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
}


def test_a_downgrade_to_another_branch_suggests_nothing_that_would_be_refused(runner, sqlite_url):
    runner.ok("upgrade", "--target", HA, url=sqlite_url, config=BRANCHES)

    error = runner.fails("TARGET_WOULD_BRANCH", "downgrade", "--target", HB, url=sqlite_url, config=BRANCHES)

    assert "upgrade --target" not in error["message"] and "merge" in error["message"]
    assert error["current"] == [HA]


def test_at_head_means_nothing_left_to_upgrade_on_the_databases_branch(runner, sqlite_url):
    """With two unmerged heads, a database on one of them is at head (its branch's); below it, or at base,
    it is not."""
    assert runner.ok("current", url=sqlite_url, config=BRANCHES)["atHead"] is False
    runner.ok("upgrade", "--target", P1, url=sqlite_url, config=BRANCHES)
    assert runner.ok("current", url=sqlite_url, config=BRANCHES)["atHead"] is False
    runner.ok("upgrade", "--target", HA, url=sqlite_url, config=BRANCHES)

    current = runner.ok("current", url=sqlite_url, config=BRANCHES)

    assert current["atHead"] is True and current["current"] == [HA] and sorted(current["heads"]) == [HA, HB]


def test_multiple_heads_no_longer_suggests_targeting_a_head_on_another_branch(runner, sqlite_url):
    error = runner.fails("MULTIPLE_HEADS", "plan", "--target", "head", url=sqlite_url, config=BRANCHES)
    assert "TARGET_WOULD_BRANCH" in error["message"]


@pytest.mark.parametrize(
    "rows, problem",
    [
        ([LINEAR_REVISIONS[1], LINEAR_REVISIONS[0]], "ancestor"),
        ([LINEAR_REVISIONS[1], ""], "empty"),
    ],
)
def test_rows_alembic_would_not_write_are_refused_by_every_command(runner, database_url, sql, rows, problem):
    runner.ok("upgrade", "--target", LINEAR_REVISIONS[1], url=database_url)
    sql(database_url, "DELETE FROM alembic_version")
    for row in rows:
        sql(database_url, "INSERT INTO alembic_version (version_num) VALUES (:v)", v=row)

    for args in (
        ["current"],
        ["plan", "--target", "head"],
        ["upgrade", "--target", "head"],
        ["downgrade", "--target", "base"],
        ["wait", "--revision", "head", "--timeout", "1"],
    ):
        error = runner.fails("BAD_VERSION_TABLE", *args, url=database_url)
        assert problem in error["message"] and "stamp --revision" in error["message"], args
        assert "change spec.retryToken" in error["message"], args
    fixed = runner.ok("stamp", "--revision", LINEAR_REVISIONS[1], url=database_url)

    assert fixed["to"] == [LINEAR_REVISIONS[1]]
    assert runner.ok("plan", "--target", "head", url=database_url)["stepCount"] == 2


def test_an_unversioned_database_is_refused_and_named_the_stamp_to_run(runner, database_url, sql):
    sql(database_url, "CREATE TABLE users (id integer PRIMARY KEY, email varchar(255))")

    planned = runner.fails("UNVERSIONED_DATABASE", "plan", "--target", "head", url=database_url)
    run = runner.fails("UNVERSIONED_DATABASE", "upgrade", "--target", "head", url=database_url)

    head = LINEAR_REVISIONS[-1]
    assert f"stamp --revision {head}" in planned["message"] and "users" in planned["message"]
    assert (
        "change spec.retryToken" in planned["message"]
        and "apply the resource again" not in planned["message"]
    )
    assert planned["tables"] == ["public.users" if database_url.startswith("postgresql") else "users"]
    assert run["code"] == "UNVERSIONED_DATABASE"
    tables = [r[0] for r in sql(database_url, _TABLES[database_url.split(":")[0]])]
    assert tables == ["users"], "nothing written: no version table, no new tables"
    assert runner.ok("current", url=database_url)["current"] == []

    runner.ok("stamp", "--revision", head, url=database_url)
    assert runner.ok("plan", "--target", "head", url=database_url)["direction"] == "none"


def test_a_database_shared_with_another_application_is_stamped_base_and_then_migrated(
    runner, postgres_url, sql
):
    """Another application's tables and no project table: the message names `stamp --revision base`, which
    creates an empty version table; the plan then runs every migration."""
    sql(postgres_url, "CREATE TABLE billing_invoices (id integer PRIMARY KEY)")

    blocked = runner.fails("UNVERSIONED_DATABASE", "plan", "--target", "head", url=postgres_url)
    assert "stamp --revision base" in blocked["message"] and "another application" in blocked["message"]
    assert f"stamp --revision {LINEAR_REVISIONS[-1]}" in blocked["message"]

    stamped = runner.ok("stamp", "--revision", "base", url=postgres_url)
    assert stamped["to"] == [] and sql(postgres_url, "SELECT version_num FROM alembic_version") == []
    plan = runner.ok("plan", "--target", "head", url=postgres_url)
    up = runner.ok("upgrade", "--target", "head", url=postgres_url)

    assert plan["direction"] == "upgrade" and plan["stepCount"] == len(LINEAR_REVISIONS)
    assert up["to"] == [LINEAR_REVISIONS[-1]]
    assert sql(postgres_url, "SELECT count(*) FROM billing_invoices") == [(0,)]


def test_the_kiki_project_reports_the_default_version_table(runner, sqlite_url):
    plan = runner.ok("plan", "--target", "head", url=sqlite_url, config=LINEAR)
    assert plan["versionTable"] == {"schema": None, "name": "alembic_version"}
