"""Helpers for the KIKI Alembic project's tests: run Alembic in-process on one engine (``Migrator``) or as the
real ``alembic`` CLI (``run_alembic``), and facts about the revision graph the tests check against.
"""

import ast
import io
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url

IMAGE_DIR = Path(__file__).resolve().parents[2]
ALEMBIC_INI = IMAGE_DIR / "alembic.ini"
# The `alembic` CLI of the stack under test (`python -m alembic` is the same entry point)
ALEMBIC_CLI = [sys.executable, "-m", "alembic"]
PROJECT_PATHS = ("alembic.ini", "alembic", "shared")

HEAD = "9d0e1f2a0010"
DATA_MIGRATION = "8c9d0e1f0009"
MERGE = "6a7b8c9d0007"


def alembic_config(ini=ALEMBIC_INI):
    config = Config(str(ini), stdout=io.StringIO())
    config.attributes["configure_logger"] = False
    return config


def revisions_base_to_head():
    """Every revision of the project, parents before children."""
    return list(reversed(list(ScriptDirectory.from_config(alembic_config()).walk_revisions())))


def body_is_only_pass(path, function):
    """True if the module-level function `function` of the script at `path` is exactly `pass`."""
    tree = ast.parse(Path(path).read_text())
    body = next(
        node.body for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == function
    )
    return len(body) == 1 and isinstance(body[0], ast.Pass)


class Migrator:
    """Runs Alembic commands in-process on one engine, through the env.py ``connection`` attribute."""

    def __init__(self, url):
        self.engine = sa.create_engine(url)
        self.config = alembic_config()

    def _run(self, fn, *args):
        with self.engine.begin() as connection:
            self.config.attributes["connection"] = connection
            try:
                fn(self.config, *args)
            finally:
                del self.config.attributes["connection"]

    def upgrade(self, revision):
        self._run(command.upgrade, revision)

    def downgrade(self, revision):
        self._run(command.downgrade, revision)

    def current(self):
        with self.engine.connect() as connection:
            return set(MigrationContext.configure(connection).get_current_heads())

    def execute(self, sql, **params):
        with self.engine.begin() as connection:
            connection.execute(sa.text(sql), params)

    def rows(self, sql, **params):
        with self.engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql), params)]

    def inspect(self):
        return sa.inspect(self.engine)


def cli_env(**variables):
    """The environment for an alembic subprocess: no inherited database URL unless given."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("KIKI_DATABASE_URL", "DATABASE_URL", "ALEMBIC_CONFIG")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(variables)
    return env


def run_alembic(*args, cwd=IMAGE_DIR, env=None, check=True):
    """The real `alembic` CLI, as the seed README runs it: from the project directory, with its alembic.ini."""
    result = subprocess.run(
        [*ALEMBIC_CLI, *args],
        cwd=cwd,
        env=env if env is not None else cli_env(),
        capture_output=True,
        text=True,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"alembic {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def models_metadata():
    """``shared.models.metadata`` of the project, imported as env.py imports it."""
    if str(IMAGE_DIR) not in sys.path:
        sys.path.insert(0, str(IMAGE_DIR))
    from shared.models import metadata

    return metadata


def password_of(url):
    return make_url(url).password
