"""Every runner error keeps what a person needs from the database's error: its DETAIL and HINT lines, on
every path that reports a database error (upgrade, downgrade, stamp, plan, current, wait)."""

from runner_harness import LINEAR

DUPLICATE_DETAIL = "DETAIL: Key (email)=(a) is duplicated."
R1, R2, R3 = "dd0000000001", "dd0000000002", "dd0000000003"


def duplicates_project(tmp_path):
    """r1 people(email) unique, one 'a'; r2 drops the constraint and adds a second 'a' (its downgrade puts the
    constraint back, which the duplicate refuses); r3 adds a unique index (refused the same way)."""
    project = tmp_path / "duplicates"
    versions = project / "alembic" / "versions"
    versions.mkdir(parents=True)
    (project / "alembic.ini").write_text(LINEAR.read_text())
    (project / "alembic" / "env.py").write_text((LINEAR.parent / "alembic" / "env.py").read_text())
    bodies = {
        R1: (
            None,
            'op.execute("CREATE TABLE people (email text CONSTRAINT u_email UNIQUE)")\n'
            "    op.execute(\"INSERT INTO people VALUES ('a')\")",
            'op.execute("DROP TABLE people")',
        ),
        R2: (
            R1,
            'op.execute("ALTER TABLE people DROP CONSTRAINT u_email")\n'
            "    op.execute(\"INSERT INTO people VALUES ('a')\")",
            'op.execute("ALTER TABLE people ADD CONSTRAINT u_email UNIQUE (email)")',
        ),
        R3: (
            R2,
            'op.execute("CREATE UNIQUE INDEX u_email ON people (email)")',
            'op.execute("DROP INDEX u_email")',
        ),
    }
    for revision, (down, upgrade, downgrade) in bodies.items():
        (versions / f"{revision}.py").write_text(
            f'"""{revision}"""\nfrom alembic import op\n\nrevision = {revision!r}\ndown_revision = {down!r}\n\n\n'
            f"def upgrade():\n    {upgrade}\n\n\ndef downgrade():\n    {downgrade}\n"
        )
    return project / "alembic.ini"


def test_a_failed_upgrade_keeps_the_databases_detail(runner, postgres_url, tmp_path):
    config = duplicates_project(tmp_path)
    runner.ok("upgrade", "--target", R2, url=postgres_url, config=config)

    error = runner.fails("MIGRATION_FAILED", "upgrade", "--target", "head", url=postgres_url, config=config)

    assert 'could not create unique index "u_email"; ' + DUPLICATE_DETAIL in error["message"]
    assert DUPLICATE_DETAIL in error["cause"] and ".." not in error["message"]


def test_a_failed_downgrade_keeps_the_databases_detail(runner, postgres_url, tmp_path):
    config = duplicates_project(tmp_path)
    runner.ok("upgrade", "--target", R2, url=postgres_url, config=config)

    error = runner.fails("MIGRATION_FAILED", "downgrade", "--target", R1, url=postgres_url, config=config)

    assert DUPLICATE_DETAIL in error["message"] and error["revision"] == R2


BOOM = (
    "CREATE FUNCTION kiki_boom() RETURNS text LANGUAGE plpgsql AS $$ BEGIN "
    "RAISE EXCEPTION 'version rows are off limits' USING DETAIL = 'the table is frozen', "
    "HINT = 'ask the DBA'; END $$"
)


def test_a_refused_stamp_keeps_the_databases_detail_and_hint(runner, postgres_url, sql):
    runner.ok("upgrade", "--target", "1f3a9c0d2b11", url=postgres_url)
    sql(postgres_url, BOOM.replace("RETURNS text", "RETURNS trigger"))
    sql(
        postgres_url,
        "CREATE TRIGGER frozen BEFORE UPDATE OR INSERT OR DELETE ON alembic_version "
        "FOR EACH ROW EXECUTE FUNCTION kiki_boom()",
    )

    error = runner.fails("MIGRATION_FAILED", "stamp", "--revision", "head", url=postgres_url)

    assert (
        "version rows are off limits; DETAIL: the table is frozen; HINT: ask the DBA. The database is "
        "unchanged at 1f3a9c0d2b11." in error["message"]
    )


def test_reading_the_version_table_keeps_the_databases_detail_and_hint(runner, postgres_url, sql):
    """A version table that cannot be read (here a view over a function that raises): plan, current and
    wait say what the database said."""
    sql(postgres_url, BOOM)
    sql(postgres_url, "CREATE VIEW alembic_version AS SELECT kiki_boom() AS version_num")
    expected = "DETAIL: the table is frozen; HINT: ask the DBA"

    for error in (
        runner.fails("DATABASE_UNREACHABLE", "plan", "--target", "head", url=postgres_url),
        runner.fails("DATABASE_UNREACHABLE", "current", url=postgres_url),
        runner.fails("WAIT_TIMEOUT", "wait", "--revision", "head", "--timeout", "0", url=postgres_url),
    ):
        assert expected in error["message"], error
        assert ".." not in error["message"] and ".;" not in error["message"], error
