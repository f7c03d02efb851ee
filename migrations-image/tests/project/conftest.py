"""Fixtures for the KIKI Alembic project's tests, on the fresh per-test database of ``tests/conftest.py``."""

import shutil

import pytest
from kiki_alembic_project import IMAGE_DIR, PROJECT_PATHS, Migrator


@pytest.fixture
def migrator(database_url):
    m = Migrator(database_url)
    yield m
    m.engine.dispose()


@pytest.fixture
def project_copy(tmp_path):
    """A copy of the Alembic project (alembic.ini, alembic/, shared/) that a test may change."""
    target = tmp_path / "project"
    target.mkdir()
    for name in PROJECT_PATHS:
        source = IMAGE_DIR / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / name)
    return target
