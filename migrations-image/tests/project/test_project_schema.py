"""The migrations against a real database, once on PostgreSQL and once on SQLite (``database_url``)."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from kiki_alembic_project import DATA_MIGRATION, HEAD, Migrator, models_metadata, revisions_base_to_head


def schema_snapshot(migrator):
    """Tables with their columns, keys and indexes as the database reports them, in a comparable form."""
    inspector = migrator.inspect()
    snapshot = {}
    for table in sorted(set(inspector.get_table_names()) - {"alembic_version"}):
        snapshot[table] = {
            "columns": sorted(
                (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                for c in inspector.get_columns(table)
            ),
            "pk": inspector.get_pk_constraint(table),
            "fks": sorted(
                (
                    fk["name"],
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                )
                for fk in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (ix["name"], tuple(ix["column_names"]), bool(ix["unique"]))
                for ix in inspector.get_indexes(table)
            ),
            "uniques": sorted(
                (uq["name"], tuple(uq["column_names"])) for uq in inspector.get_unique_constraints(table)
            ),
        }
    return snapshot


def downgrade_target(revision):
    """One step down from `revision` and no further: `<rev>@-1` undoes only that revision, also where a
    sibling branch is applied; for a merge (where Alembic calls -1 an ambiguous walk) one parent, which
    leaves both parents applied."""
    if revision.is_merge_point:
        return revision.down_revision[0]
    return f"{revision.revision}@-1"


def test_stairway_every_revision_upgrades_downgrades_and_upgrades_again(migrator):
    for revision in revisions_base_to_head():
        before = (migrator.current(), schema_snapshot(migrator))
        migrator.upgrade(revision.revision)
        after = (migrator.current(), schema_snapshot(migrator))
        migrator.downgrade(downgrade_target(revision))
        # A true inverse: the schema and alembic_version are exactly as before the upgrade.
        assert (migrator.current(), schema_snapshot(migrator)) == before, revision.revision
        migrator.upgrade(revision.revision)
        assert (migrator.current(), schema_snapshot(migrator)) == after, revision.revision
    assert migrator.current() == {HEAD}


def test_models_match_the_schema_at_head(migrator):
    migrator.upgrade("head")
    with migrator.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, models_metadata()) == []


def insert_user_and_campaign(migrator):
    migrator.execute("INSERT INTO users (id, email) VALUES (1, 'ada@example.com')")
    migrator.execute("INSERT INTO campaigns (id, user_id, name) VALUES (1, 1, 'launch')")


def test_rename_table_keeps_rows_and_reverses(migrator):
    migrator.upgrade("3c4d5e6f0003")
    insert_user_and_campaign(migrator)
    migrator.execute("INSERT INTO deployments (campaign_id, user_id, status) VALUES (1, 1, 'live')")

    migrator.upgrade("4d5e6f7a0004")
    tables = set(migrator.inspect().get_table_names())
    assert "campaign_deployments" in tables and "deployments" not in tables
    assert migrator.inspect().get_pk_constraint("campaign_deployments")["name"] == "pk_campaign_deployments"
    assert {fk["name"] for fk in migrator.inspect().get_foreign_keys("campaign_deployments")} == {
        "fk_campaign_deployments_campaign_id_campaigns",
        "fk_campaign_deployments_user_id_users",
    }
    assert migrator.rows("SELECT id, status FROM campaign_deployments") == [(1, "live")]
    # New rows still get ids from the (renamed) sequence on PostgreSQL.
    migrator.execute("INSERT INTO campaign_deployments (campaign_id, user_id) VALUES (1, 1)")

    migrator.downgrade("3c4d5e6f0003")
    tables = set(migrator.inspect().get_table_names())
    assert "deployments" in tables and "campaign_deployments" not in tables
    assert migrator.inspect().get_pk_constraint("deployments")["name"] == "pk_deployments"
    assert [row[0] for row in migrator.rows("SELECT id FROM deployments ORDER BY id")] == [1, 2]


def test_seed_index_and_column_are_in_the_schema_at_head(migrator):
    migrator.upgrade("head")
    inspector = migrator.inspect()
    indexes = {ix["name"]: ix for ix in inspector.get_indexes("campaign_deployments")}
    assert indexes["idx_campaign_user_id"]["column_names"] == ["user_id"]
    assert not indexes["idx_campaign_user_id"]["unique"]

    archived = next(c for c in inspector.get_columns("campaign_deployments") if c["name"] == "archived")
    assert archived["nullable"] is False
    assert str(archived["default"]).strip("()'").lower() in ("false", "0")
    insert_user_and_campaign(migrator)
    migrator.execute("INSERT INTO campaign_deployments (id, campaign_id, user_id) VALUES (1, 1, 1)")
    assert migrator.rows("SELECT archived FROM campaign_deployments") == [(False,)]
    assert migrator.rows("SELECT count(*) FROM campaign_deployments WHERE archived = :no", no=False) == [(1,)]


def test_data_migration_sets_missing_assets_source_to_generated_and_downgrade_keeps_data(migrator):
    revisions = [r.revision for r in revisions_base_to_head()]
    before = revisions[revisions.index(DATA_MIGRATION) - 1]
    migrator.upgrade(before)
    insert_user_and_campaign(migrator)
    for id_, source in [(1, None), (2, "UPLOADED"), (3, None), (4, "GENERATED")]:
        migrator.execute(
            "INSERT INTO campaign_deployments (id, campaign_id, user_id, assets_source) VALUES (:id, 1, 1, :source)",
            id=id_,
            source=source,
        )

    migrator.upgrade(DATA_MIGRATION)
    expected = [(1, "GENERATED"), (2, "UPLOADED"), (3, "GENERATED"), (4, "GENERATED")]
    assert migrator.rows("SELECT id, assets_source FROM campaign_deployments ORDER BY id") == expected

    migrator.downgrade(before)
    assert migrator.current() == {before}
    assert migrator.rows("SELECT id, assets_source FROM campaign_deployments ORDER BY id") == expected


def test_env_runs_on_a_supplied_connection_and_commits_only_its_own_transaction(migrator):
    """The cookbook's shared connection (kiki-migrate passes one): outside a transaction env.py commits."""
    with migrator.engine.connect() as connection:
        migrator.config.attributes["connection"] = connection
        try:
            command.upgrade(migrator.config, "2b3c4d5e0002")
        finally:
            del migrator.config.attributes["connection"]
    assert migrator.current() == {"2b3c4d5e0002"}


def test_env_leaves_the_commit_of_a_callers_transaction_to_the_caller(postgres_url):
    migrator = Migrator(postgres_url)
    try:
        with migrator.engine.connect() as connection:
            transaction = connection.begin()
            migrator.config.attributes["connection"] = connection
            command.upgrade(migrator.config, "head")
            assert MigrationContext.configure(connection).get_current_heads() == (HEAD,)
            transaction.rollback()
        assert migrator.current() == set()
        assert migrator.inspect().get_table_names() == []
    finally:
        migrator.engine.dispose()
