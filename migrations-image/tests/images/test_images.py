"""The images, really built with podman and run with runc as uid 10001 against real PostgreSQL on this
machine (--network host): the runner image (scripts/build-images.sh migrations), and both ways of bringing
your own Alembic project (examples/, scripts/build-example-images.sh): an image FROM the runner image with
another project, and an application image with the kiki-migrate wheel pip-installed."""

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

IMAGE_DIR = Path(__file__).resolve().parents[2]
REPO_DIR = IMAGE_DIR.parent
CONTAINERS_CONF = REPO_DIR / "e2e" / "images" / "containers.conf"
ENV = {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}
PODMAN = ["podman", "--runtime", "runc"]


def sh(*args, timeout=1800):
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=ENV, timeout=timeout)
    assert done.returncode == 0, (
        f"{' '.join(map(str, args))} -> {done.returncode}\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


def kiki_migrate(image, url, *args):
    """``kiki-migrate ARGS`` in ``image`` as the operator's Job runs it (``command: ["kiki-migrate"]``, which
    replaces the image's entrypoint), as uid 10001 with a read-only root filesystem; the result."""
    done = subprocess.run(
        [
            *PODMAN,
            "run",
            "--rm",
            "--network",
            "host",
            "--user",
            "10001:10001",
            "--read-only",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "--tmpfs",
            "/tmp",
            "-e",
            f"KIKI_DATABASE_URL={url}",
            "--entrypoint",
            "kiki-migrate",
            image,
            *args,
        ],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )
    lines = done.stdout.splitlines()
    assert lines, done.stderr
    result = json.loads(lines[-1])
    assert done.returncode == 0 and result["ok"] is True, done.stdout + done.stderr
    return result


@pytest.fixture(scope="session")
def runner_image():
    out = sh(REPO_DIR / "scripts" / "build-images.sh", "migrations")
    return out.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def example_images():
    """(inventory image FROM the runner image, orders application image) from scripts/build-example-images.sh."""
    inventory, orders = sh(REPO_DIR / "scripts" / "build-example-images.sh").split()
    return inventory, orders


def test_the_runner_image_runs_the_kiki_project_as_uid_10001(runner_image, postgres_url):
    assert kiki_migrate(runner_image, postgres_url, "current")["current"] == []
    plan = kiki_migrate(runner_image, postgres_url, "plan", "--target", "head")
    assert plan["stepCount"] == 10 and plan["direction"] == "upgrade"
    assert kiki_migrate(runner_image, postgres_url, "upgrade", "--target", "head")["to"] == ["9d0e1f2a0010"]
    assert kiki_migrate(runner_image, postgres_url, "current")["atHead"] is True


def test_the_runner_image_takes_both_postgresql_drivers_urls(runner_image, postgres_url):
    """postgresql:// and postgresql+psycopg:// use psycopg 3; postgresql+psycopg2://, which many teams' Secrets
    already hold, keeps working with psycopg2."""
    base = postgres_url.split("://", 1)[1]
    for scheme in ("postgresql", "postgresql+psycopg", "postgresql+psycopg2"):
        assert kiki_migrate(runner_image, f"{scheme}://{base}", "current")["ok"] is True, scheme


def test_the_runner_image_has_the_pinned_stack(runner_image):
    listed = sh(
        *PODMAN,
        "run",
        "--rm",
        "--entrypoint",
        "/opt/kiki-migrate/bin/python",
        runner_image,
        "-m",
        "pip",
        "freeze",
        "--all",
    )
    pinned = dict(
        re.findall(
            r"^([a-z0-9_.-]+)==(\S+) \\$", (IMAGE_DIR / "stacks" / "image.txt").read_text(), re.MULTILINE
        )
    )
    installed = {
        name.lower().replace("_", "-"): version
        for name, version in (line.split("==") for line in listed.splitlines() if "==" in line)
    }
    for name, version in pinned.items():
        assert installed.get(name) == version, (name, version, installed)
    assert re.search(
        r"^kiki[-_]migrate @ file:///src/dist/kiki_migrate-[0-9.]+-py3-none-any.whl$",
        listed,
        re.MULTILINE | re.IGNORECASE,
    ), listed  # the runner, from the wheel the build stage made


def test_the_runner_image_pg_dump_is_the_version_the_readme_claims(runner_image, postgres_url, tmp_path):
    """pg_dump dumps servers of its own major version and older: the README's newest supported server."""
    version = sh(*PODMAN, "run", "--rm", "--entrypoint", "pg_dump", runner_image, "--version")
    major = int(re.search(r"\(PostgreSQL\) (\d+)", version).group(1))
    readme = (IMAGE_DIR / "README.md").read_text()
    assert f"PostgreSQL servers 9.2 to {major}" in readme, version
    backups = tmp_path / "backups"
    backups.mkdir()
    os.chmod(backups, 0o777)
    done = subprocess.run(
        [
            *PODMAN,
            "run",
            "--rm",
            "--network",
            "host",
            "--user",
            "10001:10001",
            "--read-only",
            "--tmpfs",
            "/tmp",
            "-v",
            f"{backups}:/backups",
            "-e",
            f"KIKI_DATABASE_URL={postgres_url}",
            runner_image,
            "backup",
        ],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )
    result = json.loads(done.stdout.splitlines()[-1])
    assert result["ok"] and result["verified"] is True, done.stdout + done.stderr


def test_an_image_from_the_runner_image_runs_another_project(example_images, postgres_url):
    image = example_images[0]
    plan = kiki_migrate(image, postgres_url, "plan", "--target", "head")
    assert plan["target"] == "b2c3d4e5f6a7" and [s["revision"] for s in plan["steps"]] == [
        "a1b2c3d4e5f6",
        "b2c3d4e5f6a7",
    ]
    assert kiki_migrate(image, postgres_url, "upgrade", "--target", "head")["to"] == ["b2c3d4e5f6a7"]


def test_an_application_image_with_the_package_installed(example_images, postgres_url):
    image = example_images[1]
    plan = kiki_migrate(image, postgres_url, "plan", "--target", "head")
    assert plan["target"] == "1b2c3d4e5f60" and plan["stepCount"] == 2
    assert kiki_migrate(image, postgres_url, "upgrade", "--target", "head")["to"] == ["1b2c3d4e5f60"]
    # the application's own stack, not the runner image's: SQLAlchemy 2.0 with psycopg2
    versions = sh(
        *PODMAN,
        "run",
        "--rm",
        "--entrypoint",
        "python",
        image,
        "-c",
        "import sqlalchemy, psycopg2, kiki_migrate; print(sqlalchemy.__version__, kiki_migrate.__file__)",
    )
    assert versions.startswith("2.0.58 /opt/orders/"), versions
