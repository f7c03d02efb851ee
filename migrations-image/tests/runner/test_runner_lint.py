"""plan's SQL lint end to end: the lint fixture project rendered offline by its own env.py, on PostgreSQL.

li0000000001 creates accounts (with rows and an index), li0000000002 indexes it without CONCURRENTLY,
li0000000003 indexes it CONCURRENTLY in an autocommit_block(), li0000000004 waives set-not-null,
li0000000005 reads the database through op.get_bind(), so it cannot be rendered offline."""

import shutil

from runner_harness import KIKI_CONFIG, LINT


def test_a_non_concurrent_index_on_an_existing_table_is_a_finding(runner, postgres_url, sql):
    runner.ok("upgrade", "--target", "li0000000001", url=postgres_url, config=LINT)

    plan = runner.ok("plan", "--target", "head", url=postgres_url, config=LINT)

    lint = plan["lint"]
    assert lint["findingCount"] == 1
    assert lint["findings"] == [
        {
            "revision": "li0000000002",
            "rule": "index-not-concurrent",
            "statement": "CREATE INDEX ix_accounts_email ON accounts (email)",
            "saferForm": "CREATE INDEX CONCURRENTLY (postgresql_concurrently=True) in an autocommit_block()",
        }
    ]
    # plan only renders: the database is where it was
    assert sql(postgres_url, "SELECT version_num FROM alembic_version") == [("li0000000001",)]
    assert sql(postgres_url, "SELECT indexname FROM pg_indexes WHERE tablename = 'accounts' ORDER BY 1") == [
        ("accounts_pkey",),
        ("ix_accounts_id_email",),
    ]


def test_waivers_are_listed_and_waive_only_their_rule(runner, postgres_url):
    runner.ok("upgrade", "--target", "li0000000001", url=postgres_url, config=LINT)

    lint = runner.ok("plan", "--target", "head", url=postgres_url, config=LINT)["lint"]

    assert lint["waiverCount"] == 1 and lint["waivedCount"] == 1
    assert lint["waivers"] == [
        {
            "revision": "li0000000004",
            "rule": "set-not-null",
            "reason": "accounts holds a few hundred rows, the scan takes milliseconds",
            "waived": 1,
        }
    ]
    assert all(f["revision"] != "li0000000004" for f in lint["findings"])


def test_a_step_that_reads_the_database_is_listed_as_not_rendered(runner, postgres_url):
    run = runner.run("plan", "--target", "head", url=postgres_url, config=LINT)

    lint = run.result["lint"]
    assert lint["unrenderableCount"] == 1
    assert [u["revision"] for u in lint["unrenderable"]] == ["li0000000005"]
    assert "scalar" in lint["unrenderable"][0]["reason"]
    assert "lint li0000000005: cannot be rendered offline" in run.stderr


def test_an_index_on_a_table_created_in_the_same_plan_is_no_finding(runner, postgres_url):
    lint = runner.ok("plan", "--target", "head", url=postgres_url, config=LINT)["lint"]

    assert lint["findingCount"] == 0 and lint["findings"] == []


def test_a_downgrade_plan_lints_the_downgrade_sql(runner, postgres_url):
    runner.ok("upgrade", "--target", "li0000000004", url=postgres_url, config=LINT)

    lint = runner.ok("plan", "--target", "li0000000003", url=postgres_url, config=LINT)["lint"]

    assert [(f["revision"], f["rule"], f["statement"]) for f in lint["findings"]] == [
        ("li0000000004", "drop-column", "ALTER TABLE accounts DROP COLUMN status")
    ]


def test_the_kiki_project_from_its_fourth_revision_flags_its_index_revision(runner, postgres_url):
    runner.ok("upgrade", "--target", "4d5e6f7a0004", url=postgres_url, config=KIKI_CONFIG)

    lint = runner.ok("plan", "--target", "head", url=postgres_url, config=KIKI_CONFIG)["lint"]

    assert [(f["revision"], f["rule"]) for f in lint["findings"]] == [
        ("5e6f7a8b0005", "index-not-concurrent")
    ]
    assert lint["unrenderableCount"] == 0


def test_on_sqlite_the_lint_is_skipped_and_says_so(runner, sqlite_url):
    lint = runner.ok("plan", "--target", "head", url=sqlite_url, config=LINT)["lint"]

    assert lint["findingCount"] == 0 and "PostgreSQL" in lint["skipped"]


def test_concurrently_outside_an_autocommit_block_is_a_finding(runner, postgres_url, tmp_path):
    """li0000000003 without its autocommit_block(): Alembic renders the CONCURRENTLY index inside the run's
    BEGIN ... COMMIT, where PostgreSQL refuses it."""
    project = tmp_path / "lint"
    shutil.copytree(LINT.parent, project)
    revision = project / "alembic" / "versions" / "li03_index_accounts_email_concurrently.py"
    source = revision.read_text(encoding="utf-8")
    revision.write_text(
        source.replace(
            "    with op.get_context().autocommit_block():\n        op.create_index(",
            "    if True:\n        op.create_index(",
            1,
        ),
        encoding="utf-8",
    )
    runner.ok("upgrade", "--target", "li0000000002", url=postgres_url, config=LINT)

    lint = runner.ok("plan", "--target", "li0000000003", url=postgres_url, config=project / "alembic.ini")[
        "lint"
    ]

    assert [(f["revision"], f["rule"]) for f in lint["findings"]] == [
        ("li0000000003", "concurrently-in-transaction")
    ]
    assert lint["findings"][0]["statement"].startswith(
        "CREATE INDEX CONCURRENTLY ix_accounts_email_lower ON accounts"
    )
