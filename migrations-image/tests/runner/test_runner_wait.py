"""wait: an application's init container blocks until the database is at a revision or past it."""

import threading
import time

from runner_harness import LINEAR_REVISIONS


def test_wait_returns_at_once_when_the_database_is_past_the_revision(runner, sqlite_url):
    runner.ok("upgrade", "--target", "head", url=sqlite_url)
    waited = runner.ok("wait", "--revision", LINEAR_REVISIONS[1], "--timeout", "5", url=sqlite_url)
    assert waited["current"] == [LINEAR_REVISIONS[3]] and waited["revision"] == LINEAR_REVISIONS[1]
    assert waited["waitedMs"] < 5000


def test_wait_times_out_when_the_database_stays_behind(runner, postgres_url):
    runner.ok("upgrade", "--target", LINEAR_REVISIONS[0], url=postgres_url)
    started = time.monotonic()
    error = runner.fails("WAIT_TIMEOUT", "wait", "--revision", "head", "--timeout", "1", url=postgres_url)
    assert time.monotonic() - started < 30
    assert error["current"] == [LINEAR_REVISIONS[0]] and LINEAR_REVISIONS[3] in error["message"]


def test_wait_returns_once_a_migration_brings_the_database_there(runner, postgres_url):
    outcome = {}
    waiter = threading.Thread(
        target=lambda: outcome.update(
            run=runner.run("wait", "--revision", "head", "--timeout", "60", url=postgres_url)
        )
    )
    waiter.start()
    time.sleep(2)
    runner.ok("upgrade", "--target", "head", url=postgres_url)
    waiter.join(90)
    run = outcome["run"]
    assert run.returncode == 0, run.explain()
    assert run.result["current"] == [LINEAR_REVISIONS[3]] and run.result["waitedMs"] >= 1000


def test_wait_keeps_trying_while_the_database_is_unreachable(runner):
    started = time.monotonic()
    error = runner.fails(
        "WAIT_TIMEOUT",
        "wait",
        "--revision",
        "head",
        "--timeout",
        "1",
        url="postgresql://kiki:Wr0ng-pa55word-7c1e@127.0.0.1:9/kiki",
    )
    assert "refused" in error["message"].lower() and time.monotonic() - started < 30
