"""Runs ``bin/kiki-migrate`` as a subprocess, as a Kubernetes Job would, and checks the parts of the
contract every run must keep: the result is the last stdout line, the result file holds the same object,
it is under 4 KiB, and no password appears in stdout, stderr or the result."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

IMAGE_DIR = Path(__file__).resolve().parents[2]
RUNNER = IMAGE_DIR / "bin" / "kiki-migrate"
# bin/kiki-migrate run by the interpreter under test (its shebang names Debian's python3)
RUNNER_COMMAND = [sys.executable, str(RUNNER)]
FIXTURES = IMAGE_DIR / "tests" / "fixtures"
KIKI_CONFIG = IMAGE_DIR / "alembic.ini"
LINEAR = FIXTURES / "linear" / "alembic.ini"
TWO_HEADS = FIXTURES / "two-heads" / "alembic.ini"
FAILING = FIXTURES / "failing" / "alembic.ini"
CUSTOM_VERSION_TABLE = FIXTURES / "custom-version-table" / "alembic.ini"
BRANCHES = FIXTURES / "branches" / "alembic.ini"
ENUM_VALUES = FIXTURES / "enum-values" / "alembic.ini"
LOCKS = FIXTURES / "locks" / "alembic.ini"
CITEXT = FIXTURES / "citext" / "alembic.ini"
LINT = FIXTURES / "lint" / "alembic.ini"
DUPLICATES = FIXTURES / "duplicates" / "alembic.ini"

# The linear fixture's revisions, base to head; the last one is a data migration with `pass` downgrade.
LINEAR_REVISIONS = ["1f3a9c0d2b11", "2b7e4d1c9a22", "3c8f5e2d0b33", "4d9a6f3e1c44"]
LINEAR_DATA_MIGRATION = "4d9a6f3e1c44"

sys.path.insert(0, str(IMAGE_DIR))  # for unit tests of kiki_migrate modules


@dataclass
class Run:
    args: list
    returncode: int
    stdout: str
    stderr: str
    result: dict
    result_file: str

    @property
    def error_code(self):
        return (self.result.get("error") or {}).get("code")

    def explain(self):
        return (
            f"kiki-migrate {' '.join(self.args)} -> {self.returncode}\n"
            f"stdout:\n{self.stdout}\nstderr:\n{self.stderr}"
        )


class Runner:
    """``run(*args, url=..., config=...)`` -> Run. ``secrets`` are strings no output may contain."""

    def __init__(self, work_dir, secrets):
        self.work_dir = Path(work_dir)
        self.secrets = [s for s in secrets if s]
        self.count = 0

    def run(self, *args, url=None, config=LINEAR, env=None, timeout=120, check_secrets=True):
        self.count += 1
        result_file = self.work_dir / f"result-{self.count}.json"
        environ = {
            k: v
            for k, v in os.environ.items()
            if k
            not in (
                "KIKI_DATABASE_URL",
                "DATABASE_URL",
                "ALEMBIC_CONFIG",
                "KIKI_LOCK_TIMEOUT",
                "KIKI_TABLE_LOCK_TIMEOUT",
                "PGOPTIONS",
            )
        }
        environ["KIKI_RESULT_FILE"] = str(result_file)
        if url is not None:
            environ["KIKI_DATABASE_URL"] = url
        if config is not None:
            environ["ALEMBIC_CONFIG"] = str(config)
        environ.update(env or {})
        done = subprocess.run(
            [*RUNNER_COMMAND, *args],
            env=environ,
            cwd=self.work_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        lines = done.stdout.splitlines()
        assert lines, f"no stdout at all\n{done.stderr}"
        run = Run(
            list(args),
            done.returncode,
            done.stdout,
            done.stderr,
            json.loads(lines[-1]),
            result_file.read_text(encoding="utf-8") if result_file.exists() else "",
        )
        assert run.result_file == lines[-1], (
            "the result file differs from the last stdout line\n" + run.explain()
        )
        assert len(lines[-1].encode()) < 4096, "result over 4 KiB"
        assert run.result["command"] == (args[0] if args else ""), run.explain()
        assert (run.returncode == 0) == run.result["ok"], run.explain()
        if check_secrets:
            for secret in self.secrets:
                for form in {secret, quote(secret, safe=""), quote_plus(secret)}:
                    for name, text in (
                        ("stdout", run.stdout),
                        ("stderr", run.stderr),
                        ("result file", run.result_file),
                    ):
                        assert form not in text, f"password leaked into {name}\n" + run.explain()
        return run

    def ok(self, *args, **kwargs):
        run = self.run(*args, **kwargs)
        assert run.returncode == 0 and run.result["ok"] is True, run.explain()
        return run.result

    def fails(self, code, *args, **kwargs):
        run = self.run(*args, **kwargs)
        assert run.result["ok"] is False and run.error_code == code, run.explain()
        assert run.returncode == EXIT_CODES[code], run.explain()
        assert run.result["error"]["message"], run.explain()
        return run.result["error"]


# The documented exit code of each error code (README.md, "Exit codes").
EXIT_CODES = {
    "INTERNAL_ERROR": 1,
    "BAD_ARGUMENTS": 2,
    "BAD_DATABASE_URL": 2,
    "REHEARSAL_NOT_PERMITTED": 2,
    "MULTIPLE_HEADS": 3,
    "UNKNOWN_REVISION": 3,
    "UNKNOWN_CURRENT_REVISION": 3,
    "TARGET_WOULD_BRANCH": 3,
    "UNVERSIONED_DATABASE": 3,
    "BAD_VERSION_TABLE": 3,
    "PLAN_CHANGED": 3,
    "DATABASE_UNREACHABLE": 4,
    "LOCK_TIMEOUT": 4,
    "MIGRATION_FAILED": 5,
    "REHEARSAL_FAILED": 5,
    "BACKUP_FAILED": 6,
    "RESTORE_FAILED": 6,
    "WAIT_TIMEOUT": 7,
}
