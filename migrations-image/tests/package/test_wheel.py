"""kiki-migrate as a package: the wheel built from pyproject.toml, installed into a clean virtual
environment next to a PyPI stack's pinned requirements (``pip install --require-hashes``), runs the KIKI
project through its ``kiki-migrate`` console script against real PostgreSQL, from the project's directory
as a team's application image would (no ALEMBIC_CONFIG: ./alembic.ini)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

IMAGE_DIR = Path(__file__).resolve().parents[2]
STACKS = IMAGE_DIR / "stacks"
sys.path.insert(0, str(IMAGE_DIR))

from kiki_migrate import __version__  # noqa: E402

# The build tool, not the interpreter under test: Debian's python3 has setuptools and wheel, so the build
# needs nothing from PyPI.
BUILD_PYTHON = "/usr/bin/python3"
# The base interpreter of scripts/python-stacks.sh's venvs.
VENV_PYTHON = shutil.which(os.environ.get("KIKI_VENV_PYTHON", "python3"))
KIKI_HEAD = "9d0e1f2a0010"


def run(*args, **kwargs):
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert done.returncode == 0, (
        f"{' '.join(map(str, args))} -> {done.returncode}\n{done.stdout}\n{done.stderr}"
    )
    return done


@pytest.fixture(scope="session")
def wheel(tmp_path_factory):
    """The wheel, built from a copy of the sources (the checkout stays clean of build/ and egg-info)."""
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(IMAGE_DIR / name, source / name)
    shutil.copytree(
        IMAGE_DIR / "kiki_migrate",
        source / "kiki_migrate",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    dist = tmp_path_factory.mktemp("dist")
    run(
        BUILD_PYTHON,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "--no-index",
        "-w",
        dist,
        source,
    )
    [built] = dist.glob("*.whl")
    return built


def test_the_wheel_holds_the_package_and_the_console_script(wheel):
    import zipfile

    assert wheel.name == f"kiki_migrate-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = archive.read(f"kiki_migrate-{__version__}.dist-info/entry_points.txt").decode()
        metadata = archive.read(f"kiki_migrate-{__version__}.dist-info/METADATA").decode()
    assert "kiki_migrate/drivers.py" in names and "kiki_migrate/cli.py" in names
    assert not [n for n in names if n.startswith(("tests/", "alembic/", "shared/")) or n.endswith(".pyc")]
    assert "kiki-migrate = kiki_migrate.cli:main" in entry_points
    assert "Requires-Dist: alembic" in metadata and "Requires-Dist: sqlalchemy" in metadata


@pytest.fixture
def kiki_project(tmp_path):
    """A copy of the KIKI Alembic project, as an application image would hold it."""
    project = tmp_path / "app"
    project.mkdir()
    shutil.copy2(IMAGE_DIR / "alembic.ini", project / "alembic.ini")
    for name in ("alembic", "shared"):
        shutil.copytree(IMAGE_DIR / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    return project


@pytest.mark.parametrize("stack", ["sqlalchemy20-psycopg2", "sqlalchemy21-psycopg3"])
def test_the_wheel_works_in_a_clean_venv_with_a_pinned_stack(
    wheel, stack, tmp_path, kiki_project, postgres_url
):
    venv = tmp_path / "venv"
    run(VENV_PYTHON, "-m", "venv", venv)
    pip = [venv / "bin" / "python", "-m", "pip", "--disable-pip-version-check"]
    run(*pip, "install", "--quiet", "--require-hashes", "--no-deps", "-r", STACKS / f"{stack}.txt")
    run(*pip, "install", "--quiet", "--no-deps", "--no-index", wheel)
    run(*pip, "check")  # the stack satisfies the package's declared dependency ranges
    installed = run(
        venv / "bin" / "python", "-c", "import kiki_migrate; print(kiki_migrate.__file__)", cwd=tmp_path
    ).stdout.strip()
    assert installed.startswith(str(venv)), installed

    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "KIKI_DATABASE_URL": postgres_url,
        "KIKI_RESULT_FILE": str(tmp_path / "result.json"),
    }

    def kiki_migrate(*args):
        done = subprocess.run(
            [venv / "bin" / "kiki-migrate", *args],
            cwd=kiki_project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        result = json.loads(done.stdout.splitlines()[-1])
        assert done.returncode == 0 and result["ok"], done.stdout + done.stderr
        return result

    plan = kiki_migrate("plan", "--target", "head")
    assert plan["current"] == [] and plan["target"] == KIKI_HEAD and plan["stepCount"] == 10
    assert kiki_migrate("upgrade", "--target", "head")["to"] == [KIKI_HEAD]
    assert kiki_migrate("current")["atHead"] is True
