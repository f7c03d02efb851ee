"""Alembic's own transaction controls under the runner (autocommit_block, transaction_per_migration), what a
failure says when part of the work was committed, and the lock timeout on the migration's own statements."""

import re
import shutil
import subprocess
import sys
import threading
import time

import sqlalchemy as sa
from kiki_migrate.database import ADVISORY_LOCK_KEY
from runner_harness import ENUM_VALUES, LOCKS

E1, E2, E3 = "en0000000001", "en0000000002", "en0000000003"
L1, L2 = "l1000000lock", "l2000000lock"


def per_migration_copy(tmp_path, e3_body=None):
    """The enum-values project with ``transaction_per_migration=True`` in env.py and e2 without the
    autocommit block (Alembic commits after each revision instead)."""
    project = tmp_path / "per-migration"
    shutil.copytree(ENUM_VALUES.parent, project, ignore=shutil.ignore_patterns("__pycache__"))
    env = project / "alembic" / "env.py"
    env.write_text(
        env.read_text().replace(
            "context.configure(connection=connection, target_metadata=None)",
            "context.configure(connection=connection, target_metadata=None, transaction_per_migration=True)",
        )
    )
    e2 = next((project / "alembic" / "versions").glob(f"{E2}_*.py"))
    e2.write_text(
        re.sub(r"    with op.get_context\(\).autocommit_block\(\):\n        ", "    ", e2.read_text())
    )
    assert "autocommit_block" not in e2.read_text() and "transaction_per_migration=True" in env.read_text()
    if e3_body:
        e3 = next((project / "alembic" / "versions").glob(f"{E3}_*.py"))
        e3.write_text(
            e3.read_text().replace(
                "op.execute(\"UPDATE campaigns SET status = 'archived' WHERE status = 'draft'\")", e3_body
            )
        )
    return project / "alembic.ini"


def statuses(sql, url):
    return sql(url, "SELECT id, status::text FROM campaigns ORDER BY id")


def test_an_autocommit_block_works_under_the_runner(runner, postgres_url, sql):
    up = runner.ok("upgrade", "--target", "head", url=postgres_url, config=ENUM_VALUES)
    assert up["to"] == [E3] and up["applied"] == [E1, E2, E3]
    assert statuses(sql, postgres_url) == [(1, "archived"), (2, "live")]


def test_transaction_per_migration_works_under_the_runner(runner, postgres_url, sql, tmp_path):
    up = runner.ok("upgrade", "--target", "head", url=postgres_url, config=per_migration_copy(tmp_path))
    assert up["to"] == [E3]
    assert statuses(sql, postgres_url) == [(1, "archived"), (2, "live")]


def test_plain_alembic_agrees_on_both_projects(postgres_admin_url, postgres_url, tmp_path, sql):
    """The reference: `alembic upgrade head` reaches e3 with both projects (what the runner must match)."""
    for config in (ENUM_VALUES, per_migration_copy(tmp_path)):
        done = subprocess.run(
            [sys.executable, "-m", "alembic", "-c", str(config), "upgrade", "head"],
            env={"KIKI_DATABASE_URL": postgres_url, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert sql(postgres_url, "SELECT version_num FROM alembic_version") == [(E3,)]
        sql(postgres_url, "DROP TABLE campaigns; DROP TYPE campaign_status; DROP TABLE alembic_version")


def test_a_failure_after_committed_revisions_says_which_are_committed(runner, postgres_url, sql, tmp_path):
    config = per_migration_copy(tmp_path, e3_body='op.execute("UPDATE no_such_table SET x = 1")')

    error = runner.fails("MIGRATION_FAILED", "upgrade", "--target", "head", url=postgres_url, config=config)

    assert error["revision"] == E3 and error["current"] == [E2]
    assert f"{E1}, {E2} were applied and committed" in error["message"]
    assert "unchanged" not in error["message"] and "rolled back as a whole" not in error["message"]
    assert sql(postgres_url, "SELECT version_num FROM alembic_version") == [(E2,)]


def test_a_failure_with_nothing_committed_says_the_database_is_unchanged(runner, postgres_url, sql, tmp_path):
    project = tmp_path / "single-transaction"
    shutil.copytree(ENUM_VALUES.parent, project, ignore=shutil.ignore_patterns("__pycache__"))
    e2 = next((project / "alembic" / "versions").glob(f"{E2}_*.py"))
    e2.write_text(
        e2.read_text().replace(
            "    with op.get_context().autocommit_block():\n        op.execute(\"ALTER TYPE campaign_status ADD VALUE 'archived'\")",
            '    op.execute("UPDATE no_such_table SET x = 1")',
        )
    )

    error = runner.fails(
        "MIGRATION_FAILED", "upgrade", "--target", "head", url=postgres_url, config=project / "alembic.ini"
    )

    assert error["revision"] == E2 and error["current"] == []
    assert "Nothing was committed: the database is unchanged at base" in error["message"]
    assert sql(postgres_url, "SELECT to_regclass('public.campaigns')") == [(None,)]


def test_a_failure_after_an_autocommit_block_says_that_revision_may_be_partly_applied(
    runner, postgres_url, sql, tmp_path
):
    """One transaction for the run (Alembic's default): e2's autocommit_block commits e1 and its own ALTER
    TYPE; e3 then fails and rolls back e2's version row. The database has e2's enum value all the same."""
    project = tmp_path / "single-transaction"
    shutil.copytree(ENUM_VALUES.parent, project, ignore=shutil.ignore_patterns("__pycache__"))
    e3 = next((project / "alembic" / "versions").glob(f"{E3}_*.py"))
    e3.write_text(
        e3.read_text().replace(
            "op.execute(\"UPDATE campaigns SET status = 'archived' WHERE status = 'draft'\")",
            'op.execute("UPDATE no_such_table SET x = 1")',
        )
    )

    error = runner.fails(
        "MIGRATION_FAILED", "upgrade", "--target", "head", url=postgres_url, config=project / "alembic.ini"
    )

    assert error["revision"] == E3 and error["current"] == [E1]
    assert f"Revision(s) {E1} were applied and committed" in error["message"]
    assert f"revision(s) {E2} ran an autocommit_block in upgrade()" in error["message"]
    assert f"may be partly upgraded to {E2}" in error["message"] and "already exists" in error["message"]
    assert sql(postgres_url, "SELECT enum_range(NULL::campaign_status)::text") == [("{draft,live,archived}",)]


def test_a_failed_autocommit_block_revision_is_never_called_unchanged(runner, postgres_url, sql, tmp_path):
    """The failing revision itself ran its block first: nothing is recorded, but the block's work stays."""
    project = tmp_path / "failing-block"
    shutil.copytree(ENUM_VALUES.parent, project, ignore=shutil.ignore_patterns("__pycache__"))
    e2 = next((project / "alembic" / "versions").glob(f"{E2}_*.py"))
    e2.write_text(
        e2.read_text().replace(
            "ADD VALUE 'archived'\")\n",
            'ADD VALUE \'archived\'")\n    op.execute("UPDATE no_such_table SET x = 1")\n',
        )
    )
    runner.ok("upgrade", "--target", E1, url=postgres_url, config=project / "alembic.ini")

    error = runner.fails(
        "MIGRATION_FAILED", "upgrade", "--target", "head", url=postgres_url, config=project / "alembic.ini"
    )

    assert error["revision"] == E2 and error["current"] == [E1]
    assert "unchanged" not in error["message"].replace(f"The version table is unchanged at {E1}", "")
    assert f"revision(s) {E2} ran an autocommit_block" in error["message"]
    assert sql(postgres_url, "SELECT enum_range(NULL::campaign_status)::text") == [("{draft,live,archived}",)]


def test_the_advisory_lock_is_held_across_per_migration_commits(runner, postgres_url, tmp_path):
    """A revision that sleeps: while it runs, after e1 has committed, the runner still holds the lock."""
    config = per_migration_copy(tmp_path, e3_body='op.execute("SELECT pg_sleep(3)")')
    engine = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    seen = {}

    def watch():
        deadline = time.monotonic() + 60
        with engine.connect() as conn:
            while time.monotonic() < deadline and "held_after_commit" not in seen:
                committed = (
                    conn.execute(sa.text("SELECT to_regclass('public.alembic_version')")).scalar()
                    and conn.execute(
                        sa.text("SELECT count(*) FROM alembic_version WHERE version_num = :v"), {"v": E2}
                    ).scalar()
                )
                if committed:
                    seen["held_after_commit"] = conn.execute(
                        sa.text(
                            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                            "AND objid = :low"
                        ),
                        {"low": ADVISORY_LOCK_KEY & 0xFFFFFFFF},
                    ).scalar()
                time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        runner.ok("upgrade", "--target", "head", url=postgres_url, config=config)
    finally:
        watcher.join()
        engine.dispose()
    assert seen.get("held_after_commit") == 1, seen


def test_a_table_lock_held_by_the_application_ends_in_lock_timeout(runner, postgres_url, sql):
    runner.ok("upgrade", "--target", L1, url=postgres_url, config=LOCKS)
    engine = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool)
    application = engine.connect().execution_options(isolation_level="READ COMMITTED")
    try:
        transaction = application.begin()
        application.execute(sa.text("SET application_name = 'kiki-api'"))
        application.execute(sa.text("SELECT count(*) FROM campaign_deployments"))
        pid = application.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        started = time.monotonic()

        error = runner.fails(
            "LOCK_TIMEOUT",
            "upgrade",
            "--target",
            "head",
            url=postgres_url,
            config=LOCKS,
            env={"KIKI_TABLE_LOCK_TIMEOUT": "1"},
        )
        waited = time.monotonic() - started
        transaction.rollback()
    finally:
        application.close()
        engine.dispose()

    assert waited < 30, waited
    assert error["revision"] == L2 and error["current"] == [L1]
    assert "public.campaign_deployments" in error["message"] and f"pid {pid}" in error["message"]
    assert "kiki-api" in error["message"] and "idle in transaction" in error["message"]
    assert "Nothing was committed: the database is unchanged at " + L1 in error["message"]
    assert error["blockers"][0]["pid"] == pid
    assert "archived" not in [
        r[0]
        for r in sql(
            postgres_url,
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'campaign_deployments'",
        )
    ]
    # the table is free again: the same run succeeds
    assert runner.ok("upgrade", "--target", "head", url=postgres_url, config=LOCKS)["to"] == [L2]


def test_a_bad_table_lock_timeout_is_bad_arguments(runner, sqlite_url):
    error = runner.fails(
        "BAD_ARGUMENTS",
        "upgrade",
        "--target",
        "head",
        url=sqlite_url,
        config=LOCKS,
        env={"KIKI_TABLE_LOCK_TIMEOUT": "soon"},
    )
    assert "KIKI_TABLE_LOCK_TIMEOUT" in error["message"]
