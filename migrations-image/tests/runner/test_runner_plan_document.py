"""plan's full document in the log (every step's SQL, rendered offline, and its script's sha256), the plan hash
over SQL and scripts, and upgrade/downgrade --plan-hash refusing a plan that changed since (PLAN_CHANGED)."""

import json
import shutil

from conftest import query
from runner_harness import LINEAR, LINEAR_REVISIONS

BEGIN = "----- BEGIN KIKI PLAN DOCUMENT -----"
END = "----- END KIKI PLAN DOCUMENT -----"


def plan_document(run):
    lines = run.stderr.splitlines()
    assert lines.count(BEGIN) == 1 and lines.count(END) == 1, run.explain()
    start = lines.index(BEGIN)
    assert lines[start + 2] == END, run.explain()
    return json.loads(lines[start + 1])


def copy_of_linear(tmp_path):
    project = tmp_path / "linear"
    shutil.copytree(LINEAR.parent, project, ignore=shutil.ignore_patterns("__pycache__"))
    return project


def test_plan_writes_every_steps_sql_to_its_log(runner, database_url):
    run = runner.run("plan", "--target", "head", url=database_url)
    assert run.returncode == 0, run.explain()
    doc = plan_document(run)

    assert doc["planHash"] == run.result["planHash"]
    assert [s["revision"] for s in doc["steps"]] == LINEAR_REVISIONS
    assert doc["irreversibleSteps"] == run.result["irreversibleSteps"]
    first = doc["steps"][0]
    assert "CREATE TABLE users" in first["sql"], first
    assert len(first["scriptSha256"]) == 64
    assert all(s["sql"] or s["renderError"] for s in doc["steps"])


def test_the_plan_hash_covers_the_scripts_sql(runner, database_url, tmp_path):
    project = copy_of_linear(tmp_path)
    before = runner.ok("plan", "--target", "head", url=database_url, config=project / "alembic.ini")
    script = next((project / "alembic" / "versions").glob(f"{LINEAR_REVISIONS[0]}_*.py"))
    script.write_text(script.read_text().replace('"users"', '"app_users"', 1))
    after = runner.ok("plan", "--target", "head", url=database_url, config=project / "alembic.ini")

    assert [s["revision"] for s in after["steps"]] == [s["revision"] for s in before["steps"]]
    assert after["planHash"] != before["planHash"]


def test_upgrade_runs_the_planned_hash_and_refuses_a_changed_plan(runner, database_url, tmp_path):
    project = copy_of_linear(tmp_path)
    config = project / "alembic.ini"
    planned = runner.ok("plan", "--target", LINEAR_REVISIONS[1], url=database_url, config=config)
    script = next((project / "alembic" / "versions").glob(f"{LINEAR_REVISIONS[1]}_*.py"))
    script.write_text(script.read_text() + "\n# changed after the review\n")

    error = runner.fails(
        "PLAN_CHANGED",
        "upgrade",
        "--target",
        LINEAR_REVISIONS[1],
        "--plan-hash",
        planned["planHash"],
        url=database_url,
        config=config,
    )
    assert planned["planHash"] in error["message"] and error["planHash"] != planned["planHash"]
    assert error["current"] == []
    assert query(
        database_url,
        "SELECT 1 FROM sqlite_master WHERE name = 'users'"
        if database_url.startswith("sqlite")
        else "SELECT to_regclass('users') IS NOT NULL",
    ) in ([], [(False,)])

    replanned = runner.ok("plan", "--target", LINEAR_REVISIONS[1], url=database_url, config=config)
    done = runner.ok(
        "upgrade",
        "--target",
        LINEAR_REVISIONS[1],
        "--plan-hash",
        replanned["planHash"],
        url=database_url,
        config=config,
    )
    assert done["to"] == [LINEAR_REVISIONS[1]]
