"""The seed README's commands, run as the real `alembic` CLI from the project directory, on PostgreSQL and
SQLite. Commands that write revision files run in a throwaway copy of the project, never in the repository."""

import sqlite3
import uuid

import alembic
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from kiki_alembic_project import (
    DATA_MIGRATION,
    HEAD,
    alembic_config,
    cli_env,
    models_metadata,
    password_of,
    revisions_base_to_head,
    run_alembic,
)
from sqlalchemy.engine import make_url

ALEMBIC_VERSION = tuple(int(part) for part in alembic.__version__.split(".")[:2])


def test_seed_commands_work_unchanged_from_the_project_directory(database_url, migrator, tmp_path):
    """Each command once through the CLI; the state in between is read from alembic_version directly."""
    not_this_one = tmp_path / "database-url-must-lose.db"
    env = cli_env(KIKI_DATABASE_URL=database_url, DATABASE_URL=f"sqlite:///{not_this_one}")
    outputs = []

    def alembic(*args):
        result = run_alembic(*args, env=env)
        outputs.append(result.stdout + result.stderr)
        return result.stdout

    alembic("upgrade", "head")
    assert migrator.current() == {HEAD}
    assert "campaign_deployments" in migrator.inspect().get_table_names()
    alembic("downgrade", "-1")
    assert migrator.current() == {DATA_MIGRATION}
    alembic("downgrade", "4d5e6f7a0004")
    assert migrator.current() == {"4d5e6f7a0004"}

    history = alembic("history", "--verbose")
    for revision in revisions_base_to_head():
        assert f"Rev: {revision.revision}" in history
    assert "(mergepoint)" in history and "(branchpoint)" in history
    assert f"Rev: {HEAD} (head)" in alembic("show", "head")

    alembic("downgrade", "base")
    assert migrator.current() == set()
    assert set(migrator.inspect().get_table_names()) == {"alembic_version"}
    alembic("stamp", "head")
    assert migrator.current() == {HEAD}
    alembic("stamp", "3c4d5e6f0003")
    assert alembic("current").strip() == "3c4d5e6f0003"

    assert not not_this_one.exists(), "KIKI_DATABASE_URL must win over DATABASE_URL"
    password = password_of(database_url)
    if password:
        assert not [output for output in outputs if password in output]
        assert "(from KIKI_DATABASE_URL)" in outputs[0] and ":***@" in outputs[0]


def sqlite_revision(path):
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def test_database_url_comes_from_kiki_database_url_then_database_url_then_the_sqlite_default(
    project_copy, tmp_path
):
    kiki_db, fallback_db = tmp_path / "kiki.db", tmp_path / "fallback.db"
    default_db = project_copy / "kiki_campaigns.db"

    fallback_only = cli_env(KIKI_DATABASE_URL="", DATABASE_URL=f"sqlite:///{fallback_db}")
    run_alembic("upgrade", "1a2b3c4d0001", cwd=project_copy, env=fallback_only)
    assert sqlite_revision(fallback_db) == "1a2b3c4d0001" and not default_db.exists()

    both = cli_env(KIKI_DATABASE_URL=f"sqlite:///{kiki_db}", DATABASE_URL=f"sqlite:///{fallback_db}")
    run_alembic("upgrade", "2b3c4d5e0002", cwd=project_copy, env=both)
    assert sqlite_revision(kiki_db) == "2b3c4d5e0002" and sqlite_revision(fallback_db) == "1a2b3c4d0001"

    result = run_alembic("upgrade", "head", cwd=project_copy, env=cli_env())
    assert sqlite_revision(default_db) == HEAD, "sqlite:///./kiki_campaigns.db is relative to the cwd"
    assert "Database sqlite:///./kiki_campaigns.db (from the default)" in result.stderr


def new_files(versions, before):
    return sorted(set(versions.glob("*.py")) - before)


def test_autogenerate_after_a_model_change_writes_that_change(database_url, migrator, project_copy):
    env = cli_env(KIKI_DATABASE_URL=database_url)
    versions = project_copy / "alembic" / "versions"
    original = set(versions.glob("*.py"))
    migrator.upgrade("head")  # the copy's history is still the repository's

    unchanged = run_alembic("revision", "--autogenerate", "-m", "nothing to do", cwd=project_copy, env=env)
    assert new_files(versions, original) == [], "no model change, no empty revision file"
    assert "No changes in schema detected" in unchanged.stderr

    models = project_copy / "shared" / "models.py"
    anchor = "    completed_at = Column(DateTime(timezone=True))\n"
    assert anchor in models.read_text()
    models.write_text(models.read_text().replace(anchor, anchor + "    notes = Column(Text)\n"))
    run_alembic(
        "revision", "--autogenerate", "-m", "add campaign_deployments notes", cwd=project_copy, env=env
    )

    [generated] = new_files(versions, original)
    source = generated.read_text()
    assert f"down_revision = '{HEAD}'" in source
    assert "sa.Column('notes', sa.Text(), nullable=True)" in source
    assert "drop_column('" in source and "'notes')" in source
    # SQLite cannot ALTER most things: env.py makes autogenerate write batch operations there.
    assert ("batch_alter_table('campaign_deployments'" in source) == database_url.startswith("sqlite")

    run_alembic("upgrade", "head", cwd=project_copy, env=env)
    assert migrator.current() == {generated.name.split("_")[0]}
    assert "notes" in {c["name"] for c in migrator.inspect().get_columns("campaign_deployments")}


def test_two_revisions_from_one_parent_need_merge_heads(database_url, migrator, project_copy):
    env = cli_env(KIKI_DATABASE_URL=database_url)
    versions = project_copy / "alembic" / "versions"
    original = set(versions.glob("*.py"))
    run_alembic("revision", "-m", "Add custom index on campaign_deployments", cwd=project_copy, env=env)
    run_alembic("revision", "-m", "Add another table", "--head", HEAD, "--splice", cwd=project_copy, env=env)
    branches = new_files(versions, original)
    assert len(branches) == 2
    assert all(f"down_revision = '{HEAD}'" in path.read_text() for path in branches)

    refused = run_alembic("upgrade", "head", cwd=project_copy, env=env, check=False)
    assert refused.returncode != 0
    assert "Multiple head revisions" in refused.stderr

    run_alembic("merge", "heads", "-m", "merge branches", cwd=project_copy, env=env)
    [merge] = new_files(versions, original | set(branches))
    merge_id = merge.name.split("_")[0]
    script = ScriptDirectory.from_config(alembic_config(project_copy / "alembic.ini"))
    assert script.get_heads() == [merge_id]
    assert set(script.get_revision(merge_id).down_revision) == {path.name.split("_")[0] for path in branches}
    run_alembic("upgrade", "head", cwd=project_copy, env=env)
    assert migrator.current() == {merge_id}


def apply_sql_script(engine, sql):
    connection = engine.raw_connection()
    try:
        if engine.dialect.name == "sqlite":
            connection.executescript(sql)
        else:
            connection.cursor().execute(sql)
        connection.commit()
    finally:
        connection.close()


def test_offline_sql_builds_the_head_schema(database_url):
    env = cli_env(KIKI_DATABASE_URL=database_url)
    sql = run_alembic("upgrade", "head", "--sql", env=env).stdout
    assert "ALTER TABLE deployments RENAME TO campaign_deployments" in sql
    assert "CREATE INDEX idx_campaign_user_id ON campaign_deployments (user_id)" in sql
    assert "SET assets_source = 'GENERATED'" in sql

    engine = sa.create_engine(database_url)
    try:
        apply_sql_script(engine, sql)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert context.get_current_heads() == (HEAD,)
            assert compare_metadata(context, models_metadata()) == []
        if engine.dialect.name == "postgresql":
            # Offline downgrades need no reflection on PostgreSQL (SQLite's batch mode would).
            apply_sql_script(engine, run_alembic("downgrade", f"{HEAD}:base", "--sql", env=env).stdout)
            if ALEMBIC_VERSION >= (1, 19):
                # Alembic 1.19.0 (ticket 1822): offline mode no longer drops the version table at base,
                # as online mode never did; it deletes the last row.
                assert sa.inspect(engine).get_table_names() == ["alembic_version"]
                with engine.connect() as connection:
                    assert connection.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 0
            else:
                assert sa.inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_passwords_stay_out_of_failures(postgres_url):
    wrong = f"never-shown-{uuid.uuid4().hex}"
    bad_password_url = make_url(postgres_url).set(password=wrong).render_as_string(hide_password=False)
    refused = run_alembic("current", env=cli_env(KIKI_DATABASE_URL=bad_password_url), check=False)
    assert refused.returncode != 0
    assert "password authentication failed" in refused.stderr
    assert wrong not in refused.stdout + refused.stderr

    for malformed in (
        f"kiki:{wrong}@db.example.com/kiki",
        f"postgresql://kiki:{wrong}@db:port-is-not-a-number/kiki",
    ):
        failed = run_alembic("current", env=cli_env(DATABASE_URL=malformed), check=False)
        assert failed.returncode != 0
        assert "FAILED: DATABASE_URL is not a valid SQLAlchemy URL" in failed.stdout
        assert wrong not in failed.stdout + failed.stderr

    heroku_style = run_alembic(
        "current", env=cli_env(KIKI_DATABASE_URL=f"postgres://kiki:{wrong}@db/kiki"), check=False
    )
    assert heroku_style.returncode != 0
    assert "FAILED: KIKI_DATABASE_URL names an unknown database driver 'postgres'" in heroku_style.stdout
    assert wrong not in heroku_style.stdout + heroku_style.stderr


BROKEN_REVISION = '''"""a revision that fails half way

Revision ID: ffff0000dead
Revises: {head}
"""
from alembic import op
import sqlalchemy as sa

revision = "ffff0000dead"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("campaign_deployments", sa.Column("half_done", sa.Integer()))
    op.execute("UPDATE campaign_deployments SET no_such_column = 1")


def downgrade():
    op.drop_column("campaign_deployments", "half_done")
'''


def test_a_failed_upgrade_on_postgresql_leaves_the_database_where_it_was(postgres_url, project_copy):
    (project_copy / "alembic" / "versions" / "ffff0000dead_broken.py").write_text(
        BROKEN_REVISION.format(head=HEAD)
    )
    env = cli_env(KIKI_DATABASE_URL=postgres_url)
    start = "7b8c9d0e0008"
    run_alembic("upgrade", start, cwd=project_copy, env=env)
    engine = sa.create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text("INSERT INTO users (id, email) VALUES (1, 'ada@example.com')"))
            connection.execute(sa.text("INSERT INTO campaigns (id, user_id, name) VALUES (1, 1, 'launch')"))
            connection.execute(
                sa.text("INSERT INTO campaign_deployments (campaign_id, user_id) VALUES (1, 1)")
            )

        # Runs 8c9d0e1f0009 (data), 9d0e1f2a0010 (column), then the broken one: one transaction, all undone.
        failed = run_alembic("upgrade", "head", cwd=project_copy, env=env, check=False)
        assert failed.returncode != 0 and "no_such_column" in failed.stderr
        assert "Running upgrade 8c9d0e1f0009 -> 9d0e1f2a0010" in failed.stderr

        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_heads() == (start,)
            assert connection.execute(
                sa.text("SELECT assets_source FROM campaign_deployments")
            ).fetchall() == [(None,)]
        columns = {c["name"] for c in sa.inspect(engine).get_columns("campaign_deployments")}
        assert "completed_at" not in columns and "half_done" not in columns
    finally:
        engine.dispose()
