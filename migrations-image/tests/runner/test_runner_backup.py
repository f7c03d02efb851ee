"""backup and restore: the exact rows come back, retention keeps the newest K, failures leave no file."""

import hashlib
import os
import re
import subprocess
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from kiki_migrate.drivers import render_url
from runner_harness import CITEXT, LINEAR_REVISIONS

SNAPSHOT = (
    "SELECT u.id, u.email, d.id, d.name, d.source FROM users u LEFT JOIN deployments d "
    "ON d.user_id = u.id ORDER BY u.id, d.id"
)


def seed_rows(sql, url):
    sql(
        url,
        "INSERT INTO users (id, email) VALUES (1, 'ada@kiki.example'), (2, 'bob@kiki.example'), "
        "(3, 'cy@kiki.example')",
    )
    sql(
        url,
        "INSERT INTO deployments (id, user_id, name, source) VALUES (1, 1, 'spring', 'GENERATED'), "
        "(2, 1, 'summer', NULL), (3, 3, 'autumn', 'UPLOADED')",
    )


def test_backup_then_restore_gives_back_the_exact_rows(runner, database_url, sql, tmp_path):
    runner.ok("upgrade", "--target", "3c8f", url=database_url)
    seed_rows(sql, database_url)
    before = sql(database_url, SNAPSHOT)
    backups = tmp_path / "backups"

    taken = runner.ok("backup", "--dir", str(backups), "--name", "kiki-campaigns", url=database_url)

    path = Path(taken["path"])
    assert path.parent == backups and path.name == taken["file"]
    extension = ".dump" if database_url.startswith("postgresql") else ".sqlite"
    assert re.fullmatch(r"kiki-campaigns-\d{8}T\d{6}Z-3c8f5e2d0b33" + re.escape(extension), taken["file"])
    assert taken["revision"] == "3c8f5e2d0b33" and taken["verified"] is True
    assert taken["sizeBytes"] == path.stat().st_size > 0
    assert taken["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert taken["removed"] == [] and isinstance(taken["durationMs"], int)
    assert sorted(os.listdir(backups)) == [taken["file"]]  # no temporary file left

    # change everything: rows, and the schema (a later migration)
    sql(database_url, "UPDATE users SET email = 'changed@kiki.example' WHERE id = 1")
    sql(database_url, "DELETE FROM deployments WHERE id = 3")
    sql(database_url, "INSERT INTO users (id, email) VALUES (4, 'new@kiki.example')")
    runner.ok("upgrade", "--target", "head", url=database_url)
    assert sql(database_url, SNAPSHOT) != before

    restored = runner.ok("restore", "--file", taken["file"], "--dir", str(backups), url=database_url)

    assert restored["file"] == taken["file"] and restored["revision"] == "3c8f5e2d0b33"
    assert sql(database_url, SNAPSHOT) == before
    assert runner.ok("current", url=database_url)["current"] == ["3c8f5e2d0b33"]
    # the restored database migrates on as before
    assert runner.ok("upgrade", "--target", "head", url=database_url)["applied"] == [LINEAR_REVISIONS[3]]


def test_restore_drops_what_migrations_created_after_the_backup(runner, postgres_url, sql, tmp_path):
    taken = runner.ok("backup", "--dir", str(tmp_path), "--name", "empty", url=postgres_url)
    assert taken["revision"] == "base"
    runner.ok("upgrade", "--target", "head", url=postgres_url)
    sql(postgres_url, "CREATE TYPE mood AS ENUM ('happy', 'sad')")

    restored = runner.ok("restore", "--file", taken["path"], url=postgres_url)

    assert restored["revision"] == "base"
    assert sql(postgres_url, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
    assert sql(postgres_url, "SELECT count(*) FROM pg_type WHERE typname = 'mood'") == [(0,)]


def test_retention_keeps_the_newest_backups_of_the_same_name(runner, sqlite_url, tmp_path):
    runner.ok("upgrade", "--target", "head", url=sqlite_url)
    backups = tmp_path / "backups"
    backups.mkdir()
    old = [f"kiki-2026010{day}T020000Z-1f3a9c0d2b11.sqlite" for day in (1, 2, 3)]
    others = ["kiki-staging-20260101T020000Z-1f3a9c0d2b11.sqlite", "notes.txt"]
    for name in old + others:
        (backups / name).write_text("older backup")

    taken = runner.ok("backup", "--dir", str(backups), "--name", "kiki", "--keep", "2", url=sqlite_url)

    assert taken["removed"] == old[:2] and taken["removedCount"] == 2
    assert sorted(os.listdir(backups)) == sorted([old[2], taken["file"]] + others)


def test_a_failed_backup_leaves_no_file(runner, postgres_url, tmp_path):
    runner.ok("upgrade", "--target", "head", url=postgres_url)
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "in-the-way").write_text("")

    error = runner.fails("BACKUP_FAILED", "backup", "--dir", str(backups / "in-the-way"), url=postgres_url)
    assert "in-the-way" in error["message"]

    # pg_dump itself fails: a migration (here: this test) holds an exclusive lock on a table
    engine = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool)
    with engine.connect() as conn, conn.begin():
        conn.execute(sa.text("LOCK TABLE deployments IN ACCESS EXCLUSIVE MODE"))
        error = runner.fails(
            "BACKUP_FAILED", "backup", "--dir", str(backups), url=postgres_url, env={"KIKI_LOCK_TIMEOUT": "1"}
        )
    engine.dispose()
    assert "pg_dump" in error["message"] and "lock" in error["message"]
    assert os.listdir(backups) == ["in-the-way"]


def test_restore_failures_change_nothing(runner, database_url, sql, tmp_path):
    runner.ok("upgrade", "--target", "head", url=database_url)
    sql(database_url, "INSERT INTO users (id, email) VALUES (1, 'ada@kiki.example')")

    error = runner.fails(
        "RESTORE_FAILED", "restore", "--file", str(tmp_path / "missing.dump"), url=database_url
    )
    assert "missing.dump" in error["message"]
    garbage = tmp_path / "garbage.dump"
    garbage.write_bytes(b"not a backup at all" * 100)
    runner.fails("RESTORE_FAILED", "restore", "--file", str(garbage), url=database_url)

    assert sql(database_url, "SELECT id, email FROM users") == [(1, "ada@kiki.example")]
    assert runner.ok("current", url=database_url)["current"] == [LINEAR_REVISIONS[3]]


@pytest.fixture
def owner_role(postgres_url, sql, tmp_path):
    """A role that owns the test database but is no superuser, and its URL; citext created by the superuser."""
    role = "kiki_owner_" + uuid.uuid4().hex[:8]
    password = "Own3r-" + uuid.uuid4().hex[:10]
    admin = sa.engine.make_url(postgres_url)
    sql(postgres_url, f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
    sql(postgres_url, f'ALTER DATABASE "{admin.database}" OWNER TO "{role}"')
    sql(postgres_url, "CREATE EXTENSION citext")
    try:
        yield role, f"postgresql://{role}:{password}@{admin.host}:{admin.port}/{admin.database}", password
    finally:
        sql(postgres_url, f'ALTER DATABASE "{admin.database}" OWNER TO CURRENT_USER')
        sql(postgres_url, f'DROP OWNED BY "{role}" CASCADE')
        sql(postgres_url, f'DROP ROLE "{role}"')


def test_a_restore_by_the_database_owner_leaves_out_a_superusers_extension(
    runner, postgres_url, sql, tmp_path, owner_role
):
    _, url, password = owner_role
    runner.secrets.append(password)
    runner.ok("upgrade", "--target", "c1000000citx", url=url, config=CITEXT)
    taken = runner.ok("backup", "--dir", str(tmp_path / "b"), url=url, config=CITEXT)
    runner.ok("upgrade", "--target", "head", url=url, config=CITEXT)
    sql(postgres_url, "UPDATE users SET email = 'changed@example.com' WHERE id = 1")

    run = runner.run("restore", "--file", taken["path"], url=url, config=CITEXT)
    restored = run.result

    assert run.returncode == 0, run.explain()
    left_out = next(line for line in run.stderr.splitlines() if "restore leaves out" in line)
    assert left_out.endswith("belongs to another role: EXTENSION citext; COMMENT EXTENSION citext"), left_out
    assert "None" not in left_out
    assert taken["verified"] is True and "unrestorable" not in taken
    assert restored["revision"] == "c1000000citx"
    assert sql(postgres_url, "SELECT id, email::text FROM users ORDER BY id") == [
        (1, "A@example.com"),
        (2, "b@example.com"),
        (3, "C@Example.com"),
    ]
    assert sql(postgres_url, "SELECT count(*) FROM users WHERE email = 'a@EXAMPLE.com'") == [
        (1,)
    ]  # still citext
    assert "display_name" not in [
        r[0]
        for r in sql(
            postgres_url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'users'"
        )
    ]
    assert sql(postgres_url, "SELECT extowner::regrole::text FROM pg_extension WHERE extname = 'citext'") == [
        (sa.engine.make_url(postgres_url).username,)
    ]


def test_a_backup_the_role_could_not_restore_is_not_verified(runner, postgres_url, sql, tmp_path, owner_role):
    role, url, password = owner_role
    runner.secrets.append(password)
    runner.ok("upgrade", "--target", "c1000000citx", url=url, config=CITEXT)
    sql(postgres_url, "CREATE TABLE audit_log (id integer PRIMARY KEY)")  # owned by the superuser
    sql(postgres_url, f'GRANT SELECT ON audit_log TO "{role}"')

    taken = runner.ok("backup", "--dir", str(tmp_path / "b"), url=url, config=CITEXT)

    assert taken["verified"] is False
    assert taken["unrestorable"] == ["table public.audit_log"]
    assert "does not own table public.audit_log" in taken["verifyMessage"]


def test_a_backup_told_where_the_version_table_is_runs_no_project_code(runner, postgres_url, sql, tmp_path):
    """The operator passes the plan's version table (KIKI_VERSION_TABLE): the backup reads the revision and checks
    the role with psql, without SQLAlchemy, Alembic or env.py (here: a project that does not exist), and reports
    what the SQLAlchemy path reports."""
    light = {"KIKI_VERSION_TABLE": "alembic_version", "ALEMBIC_CONFIG": str(tmp_path / "no-such-alembic.ini")}
    empty = runner.ok("backup", "--dir", str(tmp_path / "a"), url=postgres_url, env=light)
    assert empty["revision"] == "base" and empty["verified"] is True

    runner.ok("upgrade", "--target", "3c8f", url=postgres_url)
    seed_rows(sql, postgres_url)
    taken = runner.ok("backup", "--dir", str(tmp_path / "b"), "--name", "light", url=postgres_url, env=light)
    path = Path(taken["path"])
    assert taken["revision"] == "3c8f5e2d0b33" and taken["verified"] is True
    assert taken["sizeBytes"] == path.stat().st_size > 0
    assert taken["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert os.listdir(tmp_path / "b") == [taken["file"]]

    # a wrong password: psql's error, redacted, and nothing left behind
    admin = sa.engine.make_url(postgres_url)
    runner.secrets.append("not-" + admin.password)
    wrong = render_url(admin.set(password="not-" + admin.password))
    error = runner.fails("DATABASE_UNREACHABLE", "backup", "--dir", str(tmp_path / "d"), url=wrong, env=light)
    assert "password authentication failed" in error["message"], error["message"]
    assert os.listdir(tmp_path / "d") == []


def test_a_backup_told_where_the_version_table_is_checks_the_role_the_same_way(
    runner, postgres_url, sql, tmp_path, owner_role
):
    light = {"KIKI_VERSION_TABLE": "alembic_version", "ALEMBIC_CONFIG": str(tmp_path / "no-such-alembic.ini")}
    role, url, password = owner_role
    runner.secrets.append(password)
    runner.ok("upgrade", "--target", "c1000000citx", url=url, config=CITEXT)
    sql(postgres_url, "CREATE TABLE audit_log (id integer PRIMARY KEY)")
    sql(postgres_url, f'GRANT SELECT ON audit_log TO "{role}"')
    unverified = runner.ok("backup", "--dir", str(tmp_path / "c"), url=url, env=light)
    assert unverified["revision"] == "c1000000citx" and unverified["verified"] is False
    assert unverified["unrestorable"] == ["table public.audit_log"]


def test_a_failed_restore_keeps_psqls_hint_lines(runner, postgres_url, sql, tmp_path, owner_role):
    """An extension only a superuser may create (dblink) was in the backup and has been dropped since: the
    owner's restore cannot recreate it, and psql's ERROR and HINT reach the result, redacted; nothing
    changes."""
    _, url, password = owner_role
    runner.secrets.append(password)
    sql(postgres_url, "CREATE EXTENSION dblink")
    runner.ok("upgrade", "--target", "c1000000citx", url=url, config=CITEXT)
    taken = runner.ok("backup", "--dir", str(tmp_path / "b"), url=url, config=CITEXT)
    sql(postgres_url, "DROP EXTENSION dblink")

    error = runner.fails("RESTORE_FAILED", "restore", "--file", taken["path"], url=url, config=CITEXT)

    assert 'ERROR:  permission denied to create extension "dblink"' in error["message"], error["message"]
    assert "HINT:  Must be superuser to create this extension" in error["message"], error["message"]
    assert ".;" not in error["message"] and ".." not in error["message"], error["message"]
    assert "the database is unchanged" in error["message"]
    assert sql(postgres_url, "SELECT count(*) FROM users") == [(3,)]


def test_the_streamed_archive_restores_in_parallel_by_hand(
    runner, postgres_url, postgres_admin_url, sql, tmp_path
):
    """The backup is hashed while pg_dump writes it to a pipe, so its table of contents has no data offsets (as with
    `pg_dump -Fc > FILE`): pg_restore still reads it, also with several jobs, which the runbook's manual restore uses."""
    runner.ok("upgrade", "--target", "3c8f", url=postgres_url)
    seed_rows(sql, postgres_url)
    taken = runner.ok("backup", "--dir", str(tmp_path), "--name", "by-hand", url=postgres_url)
    name = "t_" + uuid.uuid4().hex[:16]
    admin = sa.create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        target = sa.engine.make_url(postgres_admin_url).set(database=name)
        restored = subprocess.run(
            [
                "pg_restore",
                "--jobs",
                "2",
                "--no-owner",
                "--exit-on-error",
                "--host",
                target.host,
                "--port",
                str(target.port),
                "--username",
                target.username,
                "--dbname",
                name,
                taken["path"],
            ],
            env={**os.environ, "PGPASSWORD": target.password},
            capture_output=True,
            text=True,
        )
        assert restored.returncode == 0, restored.stderr
        assert sql(render_url(target), SNAPSHOT) == sql(postgres_url, SNAPSHOT)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
