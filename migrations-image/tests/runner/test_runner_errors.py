"""Errors every command can meet: bad arguments, bad URLs, unreachable or locked databases; the result
contract (last stdout line = result file, under 4 KiB) and redaction."""

import socket
import subprocess
import threading
import time
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from conftest import WRONG_PASSWORD
from kiki_migrate import redact, result
from kiki_migrate.database import ADVISORY_LOCK_KEY
from kiki_migrate.drivers import render_url
from runner_harness import FAILING, KIKI_CONFIG, LINEAR, RUNNER_COMMAND


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_database(runner):
    url = f"postgresql://kiki:{WRONG_PASSWORD}@127.0.0.1:{closed_port()}/kiki"
    error = runner.fails("DATABASE_UNREACHABLE", "current", url=url)
    assert "127.0.0.1" in error["message"] and "refused" in error["message"].lower()
    runner.fails("DATABASE_UNREACHABLE", "upgrade", "--target", "head", url=url)


def test_a_wrong_password_is_unreachable_and_never_printed(runner, postgres_url):
    url = render_url(sa.engine.make_url(postgres_url).set(password=WRONG_PASSWORD))
    error = runner.fails("DATABASE_UNREACHABLE", "plan", "--target", "head", url=url)
    assert "password authentication failed" in error["message"]


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://kiki:{WRONG_PASSWORD}@db.example:notaport/kiki",
        f"kiki:{WRONG_PASSWORD}@db.example/kiki",
        f"postgres://kiki:{WRONG_PASSWORD}@db.example/kiki",
        f"nosuchdialect://kiki:{WRONG_PASSWORD}@db.example/kiki",
    ],
)
def test_a_malformed_url(runner, url):
    error = runner.fails("BAD_DATABASE_URL", "current", url=url)
    assert "KIKI_DATABASE_URL" in error["message"]


def test_database_url_is_the_fallback_of_kiki_database_url(runner, sqlite_url):
    runner.ok("upgrade", "--target", "head", env={"DATABASE_URL": sqlite_url})
    assert runner.ok("current", url=sqlite_url)["current"] == ["4d9a6f3e1c44"]


def test_bad_arguments(runner, tmp_path):
    runner.fails("BAD_ARGUMENTS", "teleport")
    runner.fails("BAD_ARGUMENTS", "upgrade")  # --target missing
    runner.fails("BAD_ARGUMENTS", "history", config=tmp_path / "missing.ini")
    run = runner.run()
    assert run.error_code == "BAD_ARGUMENTS" and run.returncode == 2


def test_a_broken_revision_graph_is_an_internal_error(runner, tmp_path):
    project = tmp_path / "broken"
    (project / "alembic" / "versions").mkdir(parents=True)
    (project / "alembic.ini").write_text(LINEAR.read_text())
    (project / "alembic" / "env.py").write_text((LINEAR.parent / "alembic" / "env.py").read_text())
    (project / "alembic" / "versions" / "orphan.py").write_text(
        '"""orphan"""\nrevision = "0a0a0a0a0a0a"\ndown_revision = "missing00000"\n'
        "def upgrade():\n    pass\n\ndef downgrade():\n    pass\n"
    )
    error = runner.fails("INTERNAL_ERROR", "history", config=project / "alembic.ini")
    assert "missing00000" in error["message"]


def test_lock_timeout_when_another_session_holds_the_migration_lock(runner, postgres_url):
    engine = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    with engine.connect() as holder:
        holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
        started = time.monotonic()
        error = runner.fails(
            "LOCK_TIMEOUT", "upgrade", "--target", "head", url=postgres_url, env={"KIKI_LOCK_TIMEOUT": "1"}
        )
        assert time.monotonic() - started < 30
        assert "KIKI_LOCK_TIMEOUT" in error["message"] and "held by pid" in error["message"]
        # reading needs no lock
        assert runner.ok("current", url=postgres_url)["current"] == []
    engine.dispose()
    assert runner.ok("upgrade", "--target", "head", url=postgres_url, env={"KIKI_LOCK_TIMEOUT": "1"})["to"]


def test_an_upgrade_waits_for_the_lock_and_then_runs(runner, postgres_url):
    engine = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    holder = engine.connect()
    holder.execute(sa.text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
    seen_waiting = threading.Event()

    def release_once_the_runner_waits():
        # Hold the lock for a second after the runner is seen queued on it, however long its start-up took.
        deadline = time.monotonic() + 30
        with engine.connect() as watcher:
            while time.monotonic() < deadline and not seen_waiting.is_set():
                waiting = watcher.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    )
                ).scalar()
                if waiting:
                    seen_waiting.set()
                else:
                    time.sleep(0.05)
        time.sleep(1.0)
        holder.close()

    release = threading.Thread(target=release_once_the_runner_waits)
    release.start()
    try:
        up = runner.ok("upgrade", "--target", "head", url=postgres_url, env={"KIKI_LOCK_TIMEOUT": "30"})
    finally:
        release.join()
        engine.dispose()
    assert seen_waiting.is_set(), "the runner never queued on the advisory lock"
    assert up["to"] == ["4d9a6f3e1c44"] and up["durationMs"] >= 1000


def test_the_result_goes_to_the_result_file_and_the_last_stdout_line_only(runner, sqlite_url):
    run = runner.run("upgrade", "--target", "head", url=sqlite_url)
    assert run.stdout.count("\n") == 1  # Alembic's and the runner's logs go to stderr
    assert "Running upgrade" in run.stderr
    assert run.result_file == run.stdout.strip()


def test_an_unwritable_result_file_is_ignored(tmp_path, sqlite_url):
    done = subprocess.run(
        [*RUNNER_COMMAND, "history"],
        capture_output=True,
        text=True,
        env={
            "ALEMBIC_CONFIG": str(LINEAR),
            "KIKI_DATABASE_URL": sqlite_url,
            "KIKI_RESULT_FILE": str(tmp_path / "no" / "such" / "dir" / "r.json"),
            "PATH": "/usr/bin:/bin",
        },
    )
    assert done.returncode == 0 and '"ok":true' in done.stdout.splitlines()[-1]
    assert "result file" in done.stderr


def test_redaction_of_urls_secrets_and_encoded_forms():
    redact.add_secret("p@ss/w%rd")
    assert redact.redact("postgresql://kiki:p%40ss%2Fw%25rd@db:5432/x") == "postgresql://kiki:***@db:5432/x"
    assert redact.redact("error near 'p@ss/w%rd'") == "error near '***'"
    assert redact.redact("host=db password=hunter2 user=kiki") == "host=db password=*** user=kiki"
    assert redact.redact("mysql://u:other@h/d") == "mysql://u:***@h/d"
    assert (
        redact.redact("url postgresql://kiki:p@ss@db:5432/x here")
        == "url postgresql://kiki:***@db:5432/x here"
    )


def test_results_are_cut_to_fit_a_termination_message():
    big = {
        "ok": True,
        "command": "history",
        "count": 500,
        "revisions": [{"revision": f"{i:012x}", "message": "m" * 300} for i in range(500)],
        "note": "x" * 5000,
    }
    fitted = result.fit(big)
    assert len(result._serialize(fitted)) <= result.LIMIT
    assert fitted["truncated"] is True and fitted["count"] == 500 and fitted["revisions"]


def test_a_project_with_many_long_revisions_stays_under_4_kib(runner, tmp_path, sqlite_url):
    project = tmp_path / "many"
    versions = project / "alembic" / "versions"
    versions.mkdir(parents=True)
    (project / "alembic.ini").write_text(LINEAR.read_text())
    (project / "alembic" / "env.py").write_text((LINEAR.parent / "alembic" / "env.py").read_text())
    previous = None
    for number in range(60):
        revision = f"{number:04d}aaaabbbb"
        (versions / f"{revision}.py").write_text(
            f'"""revision number {number} with a deliberately long message {"padding " * 20}"""\n'
            f"revision = {revision!r}\ndown_revision = {previous!r}\n"
            "def upgrade():\n    pass\n\ndef downgrade():\n    pass\n"
        )
        previous = revision
    config = project / "alembic.ini"
    history = runner.ok("history", config=config)
    plan = runner.ok("plan", "--target", "head", url=sqlite_url, config=config)
    up = runner.ok("upgrade", "--target", "head", url=sqlite_url, config=config)
    assert history["count"] == 60 and len(history["revisions"]) < 60
    assert plan["stepCount"] == 60 and len(plan["steps"]) < 60
    assert up["appliedCount"] == 60 and up["to"] == [previous]


def test_the_default_project_is_the_kiki_alembic_ini_next_to_the_runner(runner):
    default = runner.ok("history", config=None)
    explicit = runner.ok("history", config=KIKI_CONFIG)
    assert default == explicit and default["count"] >= 1


def test_a_password_with_url_special_characters(runner, postgres_url, sql, tmp_path):
    """'%' must survive ConfigParser (sqlalchemy.url, used by the failing fixture's env.py), '@' ':' '/'
    the URL, and no form of the password may be printed, by the runner or by pg_dump/psql."""
    role, password = "kiki_special_" + tmp_path.name[-8:].lower().replace("-", "_"), "p@ss:w/rd%25x%"
    admin = sa.engine.make_url(postgres_url)
    sql(postgres_url, f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{password}'")
    try:
        sql(postgres_url, f'GRANT ALL ON SCHEMA public TO "{role}"')
        url = render_url(admin.set(username=role, password=password))
        assert quote(password, safe="") in url  # every special character encoded, '%' too
        runner.secrets.append(password)

        up = runner.ok("upgrade", "--target", "e1000000good", url=url, config=FAILING)
        taken = runner.ok("backup", "--dir", str(tmp_path / "b"), url=url, config=FAILING)
        restored = runner.ok("restore", "--file", taken["path"], url=url, config=FAILING)
        error = runner.fails("MIGRATION_FAILED", "upgrade", "--target", "head", url=url, config=FAILING)

        assert up["to"] == ["e1000000good"] and restored["revision"] == "e1000000good"
        assert error["current"] == ["e1000000good"]
    finally:
        sql(postgres_url, f'DROP OWNED BY "{role}"')
        sql(postgres_url, f'DROP ROLE "{role}"')


def test_sigterm_still_writes_a_result(tmp_path, sqlite_url):
    result_file = tmp_path / "result.json"
    waiting = subprocess.Popen(
        [*RUNNER_COMMAND, "wait", "--revision", "head", "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={
            "ALEMBIC_CONFIG": str(LINEAR),
            "KIKI_DATABASE_URL": sqlite_url,
            "KIKI_RESULT_FILE": str(result_file),
            "PATH": "/usr/bin:/bin",
        },
    )
    deadline = time.monotonic() + 30
    while "waiting for revision" not in (waiting.stderr.readline() or "") and time.monotonic() < deadline:
        pass
    waiting.terminate()
    stdout, _ = waiting.communicate(timeout=30)
    assert waiting.returncode == 1
    assert result_file.read_text() == stdout.strip()
    assert "SIGTERM" in stdout and '"ok":false' in stdout
