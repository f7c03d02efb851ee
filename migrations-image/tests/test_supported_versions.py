"""The dependency ranges pyproject.toml declares are honest: the stack under test (each of the three runs
this) lies inside them, and its PostgreSQL driver inside the matching extra."""

import importlib.metadata
import platform
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

PYPROJECT = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
DRIVER_DISTRIBUTIONS = {"psycopg": ("psycopg",), "psycopg2": ("psycopg2-binary", "psycopg2")}


def installed_version(name):
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def test_the_stack_under_test_is_inside_the_declared_ranges():
    for line in PYPROJECT["dependencies"]:
        requirement = Requirement(line)
        version = installed_version(requirement.name)
        assert version and requirement.specifier.contains(version, prereleases=True), (line, version)


def test_the_installed_postgresql_driver_is_inside_its_extra():
    checked = []
    for extra, lines in PYPROJECT["optional-dependencies"].items():
        specifier = Requirement(lines[0]).specifier
        for distribution in DRIVER_DISTRIBUTIONS[extra]:
            version = installed_version(distribution)
            if version:
                assert specifier.contains(version, prereleases=True), (extra, distribution, version)
                checked.append(distribution)
    assert checked, "no PostgreSQL driver installed in the stack under test"


def test_the_interpreter_under_test_is_inside_requires_python():
    assert SpecifierSet(PYPROJECT["requires-python"]).contains(platform.python_version())
