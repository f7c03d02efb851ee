"""plan: what an upgrade or downgrade would run, from the database's revision to the target."""

import re
import shutil

import pytest
from runner_harness import FAILING, KIKI_CONFIG, LINEAR, LINEAR_DATA_MIGRATION, LINEAR_REVISIONS, TWO_HEADS


def test_plan_against_an_empty_database_lists_every_kiki_revision(runner, database_url):
    history = runner.ok("history", config=KIKI_CONFIG)
    plan = runner.ok("plan", "--target", "head", url=database_url, config=KIKI_CONFIG)

    assert plan["current"] == []
    assert plan["heads"] == history["heads"] and len(plan["heads"]) == 1
    assert plan["target"] == plan["heads"][0]
    assert plan["direction"] == "upgrade"
    assert plan["stepCount"] == history["count"] == len(plan["steps"])
    step_ids = [step["revision"] for step in plan["steps"]]
    assert sorted(step_ids) == sorted(r["revision"] for r in history["revisions"])
    # execution order: every revision after the revisions it revises (through the merge point)
    for position, step in enumerate(plan["steps"]):
        down = step["downRevision"]
        for parent in down if isinstance(down, list) else [down] if down else []:
            assert step_ids.index(parent) < position
    assert step_ids[-1] == plan["target"]
    # the seed-style data migration (downgrade() is `pass`) is the irreversible one; the merge is not
    irreversible = [r["revision"] for r in history["revisions"] if not r["reversible"]]
    assert irreversible and sorted(plan["irreversibleSteps"]) == sorted(irreversible)
    assert all(step["reversible"] is (step["revision"] not in irreversible) for step in plan["steps"])
    merge = next(step for step in plan["steps"] if isinstance(step["downRevision"], list))
    assert merge["reversible"] is True
    assert re.fullmatch(r"[0-9a-f]{16}", plan["planHash"])


def test_plan_with_the_linear_fixture_and_the_plan_hash_is_stable(runner, database_url):
    first = runner.ok("plan", "--target", "head", url=database_url, config=LINEAR)
    again = runner.ok("plan", "--target", "4d9a", url=database_url, config=LINEAR)

    assert [s["revision"] for s in first["steps"]] == LINEAR_REVISIONS
    assert first["steps"][0] == {
        "revision": "1f3a9c0d2b11",
        "downRevision": None,
        "message": "create users",
        "reversible": True,
    }
    assert first["irreversibleSteps"] == [LINEAR_DATA_MIGRATION]
    assert again["target"] == "4d9a6f3e1c44"
    assert again["planHash"] == first["planHash"]


def test_plan_at_the_target_is_none_and_a_plan_back_reports_the_lossy_step(runner, database_url):
    runner.ok("upgrade", "--target", "head", url=database_url)
    none = runner.ok("plan", "--target", "head", url=database_url)
    back = runner.ok("plan", "--target", LINEAR_REVISIONS[1], url=database_url)
    to_base = runner.ok("plan", "--target", "base", url=database_url)

    assert (none["direction"], none["steps"], none["stepCount"]) == ("none", [], 0)
    assert back["direction"] == "downgrade"
    assert [s["revision"] for s in back["steps"]] == [LINEAR_REVISIONS[3], LINEAR_REVISIONS[2]]
    assert back["steps"][0]["reversible"] is False
    assert back["irreversibleSteps"] == [LINEAR_DATA_MIGRATION]
    assert to_base["target"] == "base" and to_base["stepCount"] == 4
    assert len({none["planHash"], back["planHash"], to_base["planHash"]}) == 3


def test_plan_head_with_two_heads_is_multiple_heads(runner, postgres_url):
    error = runner.fails("MULTIPLE_HEADS", "plan", "--target", "head", url=postgres_url, config=TWO_HEADS)

    assert "alembic merge heads" in error["message"]
    assert "b2000000left" in error["message"] and "c3000000right" in error["message"]
    assert error["heads"] == ["b2000000left", "c3000000right"]
    # one of the heads, named explicitly, is fine
    assert (
        runner.ok("plan", "--target", "c3000000right", url=postgres_url, config=TWO_HEADS)["stepCount"] == 2
    )


def test_plan_to_an_unknown_revision(runner, sqlite_url):
    error = runner.fails("UNKNOWN_REVISION", "plan", "--target", "0badc0ffee00", url=sqlite_url)

    assert "0badc0ffee00" in error["message"]
    assert "4d9a6f3e1c44" in error["message"]  # the project's head
    assert "older or newer" in error["message"]


@pytest.mark.parametrize(
    "body, reversible",
    [
        ('    log.info("data migration: nothing to undo")', False),
        ('    logger = logging.getLogger(__name__)\n    logger.warning("cannot undo")', False),
        ('    logging.getLogger("alembic").warning("cannot undo the backfill")', False),
        ('    """Cannot be undone: the NULLs are gone."""\n    pass', False),
        ('    raise NotImplementedError("irreversible")', False),
        ('    print("nothing to do")\n    warnings.warn("irreversible")\n    ...', False),
        ("    return", False),
        ('    """Nothing to undo."""\n    return None', False),
        ('    import warnings\n    warnings.warn("irreversible")', False),
        ('    import logging as lg\n    lg.getLogger().info("cannot undo")', False),
        ('    from warnings import warn as complain\n    complain("irreversible")\n    return', False),
        (
            '    from logging import getLogger as get\n    logger = get(__name__)\n    logger.error("no")',
            False,
        ),
        (
            '    import logging as lg\n    lg.warning("cannot undo")\n    raise RuntimeError("irreversible")',
            False,
        ),
        (
            '    import sqlalchemy as sa\n    op.get_bind().execute(sa.text("UPDATE deployments SET source = NULL"))',
            True,
        ),
        ('    if True:\n        return\n    op.execute("UPDATE deployments SET source = NULL")', True),
        ('    log.info("dropping")\n    op.execute("UPDATE deployments SET source = NULL")', True),
    ],
)
def test_a_downgrade_that_only_logs_passes_or_raises_is_irreversible(
    runner, sqlite_url, tmp_path, body, reversible
):
    """Read from the source: a downgrade() made only of reporting calls, docstrings, pass, ... and raise
    changes nothing; anything else counts as work (the last case)."""
    project = tmp_path / "bodies"
    shutil.copytree(LINEAR.parent, project, ignore=shutil.ignore_patterns("__pycache__"))
    data = next((project / "alembic" / "versions").glob(f"{LINEAR_REVISIONS[-1]}_*.py"))
    text = data.read_text()
    text = text.replace(
        "from alembic import op\n",
        "import logging\nimport warnings\n\nfrom alembic import op\n\nlog = logging.getLogger(__name__)\n",
    )
    text = text[: text.index("def downgrade():")] + "def downgrade():\n" + body + "\n"
    data.write_text(text)
    config = project / "alembic.ini"

    history = runner.ok("history", config=config)
    plan = runner.ok("plan", "--target", "head", url=sqlite_url, config=config)

    described = next(r for r in history["revisions"] if r["revision"] == LINEAR_REVISIONS[-1])
    assert described["reversible"] is reversible
    assert (LINEAR_REVISIONS[-1] in plan["irreversibleSteps"]) is not reversible


def test_plan_then_upgrade_plans_and_upgrades_in_one_run(runner, database_url):
    alone = runner.ok("plan", "--target", "head", url=database_url)
    fused = runner.ok("plan", "--target", "head", "--then-upgrade", url=database_url)

    assert {k: v for k, v in fused.items() if k not in ("migration", "command")} == {
        k: v for k, v in alone.items() if k != "command"
    }
    migration = fused["migration"]
    assert (migration["from"], migration["to"], migration["target"]) == (
        [],
        [LINEAR_REVISIONS[-1]],
        LINEAR_REVISIONS[-1],
    )
    assert migration["applied"] == LINEAR_REVISIONS and migration["appliedCount"] == 4
    assert runner.ok("current", url=database_url)["current"] == [LINEAR_REVISIONS[-1]]


def test_plan_then_upgrade_of_a_downgrade_or_nothing_only_plans(runner, database_url):
    runner.ok("upgrade", "--target", "head", url=database_url)
    back = runner.ok("plan", "--target", LINEAR_REVISIONS[1], "--then-upgrade", url=database_url)
    none = runner.ok("plan", "--target", "head", "--then-upgrade", url=database_url)

    assert back["direction"] == "downgrade" and "migration" not in back
    assert none["direction"] == "none" and "migration" not in none
    assert runner.ok("current", url=database_url)["current"] == [LINEAR_REVISIONS[-1]]


def test_plan_then_upgrade_refused_by_the_plan_touches_nothing(runner, postgres_url):
    runner.fails(
        "MULTIPLE_HEADS", "plan", "--target", "head", "--then-upgrade", url=postgres_url, config=TWO_HEADS
    )

    assert runner.ok("current", url=postgres_url, config=TWO_HEADS)["current"] == []


def test_plan_then_upgrade_that_fails_reports_the_plan_with_the_error(runner, postgres_url):
    error = runner.fails(
        "MIGRATION_FAILED", "plan", "--target", "head", "--then-upgrade", url=postgres_url, config=FAILING
    )

    assert error["plan"]["direction"] == "upgrade"
    assert error["plan"]["target"] and error["plan"]["planHash"]
    assert "migration" not in error["plan"]
    assert error["current"] == error["plan"]["current"]
