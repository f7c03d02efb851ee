"""rehearse: restore a backup into a scratch database, run the planned migration there (and, when every step
is reversible, back to the start and forward again), run the SQL checks on the copy, and drop the copy.

Failures that depend on the data (a unique constraint over rows that repeat, NOT NULL over NULLs, a backfill
that takes an hour) show up here, on a copy, instead of on the real database during the outage.
"""

import contextlib
import json
import time
from types import SimpleNamespace

from . import log
from .errors import RunnerError, clause

# A separate server for the scratch database (spec.rehearsal.serverSecretRef): its URL; the scratch database
# replaces the URL's database name. Unset: the scratch database goes on the real database's server.
SERVER_URL_ENV = "KIKI_REHEARSAL_SERVER_URL"
# The sql checks to run on the copy, as JSON [{"name": ..., "sql": ...}].
CHECKS_ENV = "KIKI_REHEARSAL_CHECKS"
MAX_NAME_BYTES = 63  # PostgreSQL's identifier limit (NAMEDATALEN - 1)
INSUFFICIENT_PRIVILEGE = "42501"
DUPLICATE_DATABASE = "42P04"


def rehearse(ctx, args):
    from . import backup, database, drivers, project

    if ctx.url.get_backend_name() != "postgresql":
        raise RunnerError(
            "BAD_ARGUMENTS",
            f"rehearse needs PostgreSQL (it restores a pg_dump archive), not {ctx.url.get_backend_name()}",
        )
    name = args.scratch
    if len(name.encode()) > MAX_NAME_BYTES or not name.startswith("kiki_rh_"):
        raise RunnerError(
            "BAD_ARGUMENTS",
            f"--scratch {name!r} must start with kiki_rh_ and fit {MAX_NAME_BYTES} bytes",
        )
    checks = _checks(ctx.environ.get(CHECKS_ENV))
    server_raw = ctx.environ.get(SERVER_URL_ENV)
    server = database.parse_url(server_raw, SERVER_URL_ENV) if server_raw else ctx.url
    source = backup.backup_file(args.file, args.dir, "REHEARSAL_FAILED")
    target = project.resolve_target(ctx.script, args.target)
    scratch_url = server.set(database=name)
    started = time.monotonic()
    admin = database.create_engine(server)
    try:
        _create(admin, server, name, drivers)
        try:
            result = _run(ctx, scratch_url, source, target, checks)
        finally:
            _drop(admin, name)
    finally:
        admin.dispose()
    result["scratchDatabase"] = name
    result["durationMs"] = int((time.monotonic() - started) * 1000)
    log.info(
        f"rehearsal on {name}: {result['direction']} {result['forwardMs']} ms"
        + (f", back {result['backMs']} ms, again {result['againMs']} ms" if result["roundTrip"] else "")
        + f", {len(checks)} check(s) passed; {result['durationMs']} ms in all; the scratch database is dropped"
    )
    return result


def _checks(raw):
    if not raw:
        return []
    try:
        checks = json.loads(raw)
        assert isinstance(checks, list) and all(isinstance(c.get("sql"), str) for c in checks)
        return checks
    except (ValueError, AssertionError, AttributeError):
        raise RunnerError("BAD_ARGUMENTS", f"{CHECKS_ENV} is not a JSON list of {{name, sql}}") from None


def _create(admin, server, name, drivers):
    """CREATE DATABASE, after dropping a leftover of the same name (a rehearsal of this rollout whose pod was
    killed before it dropped its copy). A role without CREATEDB gets the fix, not the bare error."""
    import sqlalchemy as sa

    from . import database

    _drop(admin, name)
    try:
        with contextlib.closing(database.connect(admin)) as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.DBAPIError as exc:
        if drivers.sqlstate(exc) == INSUFFICIENT_PRIVILEGE:
            role = server.username or "the URL's role"
            raise RunnerError(
                "REHEARSAL_NOT_PERMITTED",
                f"role {role} may not create the scratch database {name} on {server.host or 'the server'} "
                f'({clause(database.error_text(exc))}). Grant it (ALTER ROLE "{role}" CREATEDB), or give '
                "spec.rehearsal.serverSecretRef a server where the role may create databases, or turn "
                "spec.rehearsal off",
            ) from None
        raise


def _drop(admin, name):
    """DROP DATABASE ... WITH (FORCE) (PostgreSQL 13+; older servers: end its sessions, then DROP)."""
    import sqlalchemy as sa

    from . import database

    with contextlib.closing(database.connect(admin)) as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        if conn.dialect.server_version_info >= (13,):
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        else:
            conn.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))


def _run(ctx, scratch_url, source, target, checks):
    from . import backup
    from .context import RunContext
    from .drivers import render_url

    environ = dict(ctx.environ)
    environ["KIKI_DATABASE_URL"] = render_url(scratch_url)
    environ.pop("DATABASE_URL", None)
    scratch = RunContext(environ)
    try:
        try:
            restored = backup.restore(scratch, SimpleNamespace(file=str(source), dir=str(source.parent)))
        except RunnerError as exc:
            raise _failed("restore", None, exc) from None
        # The file is restored in full from here on: a failure below still proves it restorable, so the
        # error says so (restoreMs, restoredBytes), as the result does.
        size = _size(scratch)
        try:
            return _migrate_copy(scratch, source, restored, size, target, checks)
        except RunnerError as exc:
            exc.details.setdefault("restoreMs", restored["durationMs"])
            exc.details.setdefault("restoredBytes", size)
            raise
    finally:
        if "engine" in scratch.__dict__:
            scratch.engine.dispose()


def _migrate_copy(scratch, source, restored, size, target, checks):
    from . import project

    start = restored["current"]
    steps_plan = project.make_plan(scratch.script, start, target)
    direction = steps_plan["direction"]
    result = {
        "file": source.name,
        "from": start,
        "target": target,
        "direction": direction,
        "restoredBytes": size,
        "restoreMs": restored["durationMs"],
        "stepCount": steps_plan["stepCount"],
        "roundTrip": False,
        "forwardMs": 0,
    }
    if direction == "none":
        result["checks"] = _run_checks(scratch, checks)
        return result
    back = "downgrade" if direction == "upgrade" else "upgrade"
    start_target = "+".join(start) if start else "base"
    result["forwardMs"] = _step(scratch, direction, target, "forward")
    # Back to the start and forward again only when every step can go back (a downgrade() that does
    # nothing would leave the copy between revisions, and the second run would prove nothing).
    if direction == "upgrade" and steps_plan["irreversibleSteps"]:
        result["irreversibleSteps"] = steps_plan["irreversibleSteps"]
    elif len(start) <= 1:
        result["roundTrip"] = True
        result["backMs"] = _step(scratch, back, start_target, "back")
        result["againMs"] = _step(scratch, direction, target, "again")
    result["checks"] = _run_checks(scratch, checks)
    return result


def _step(scratch, direction, target, leg):
    from . import migrate

    try:
        return migrate._migrate(scratch, direction, target)["durationMs"]
    except RunnerError as exc:
        if exc.code in ("DATABASE_UNREACHABLE",):
            raise
        raise _failed(leg, direction, exc) from None


def _failed(leg, direction, exc):
    """What failed on the copy, once: the leg, the revision and the database's error (``cause``), not the
    migration's own message, whose "nothing was committed ... fix the migration" speaks of the database it
    ran on (the copy) and would repeat what the operator says about the real one."""
    revision = exc.details.get("revision")
    what = "restoring the backup" if leg == "restore" else f"{direction} ({leg})"
    return RunnerError(
        "REHEARSAL_FAILED",
        f"rehearsal on a restored copy failed while {what}"
        + (f" in revision {revision}" if revision else "")
        + f": {clause(exc.details.get('cause') or exc.message)}",
        leg=leg,
        revision=revision,
        cause=exc.details.get("cause") or exc.message,
        causeCode=exc.code,
    )


def _size(scratch):
    import sqlalchemy as sa

    from . import database

    with contextlib.closing(database.connect(scratch.engine)) as conn:
        return conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()


def _run_checks(scratch, checks):
    """Each check's query in a read-only transaction on the copy; a false first value (false, 0, NULL) or an
    error fails the rehearsal, as the same check would fail verification."""
    import sqlalchemy as sa

    from . import database

    for check in checks:
        name = check.get("name") or "sql"
        try:
            with contextlib.closing(database.connect(scratch.engine)) as conn:
                transaction = conn.begin()
                try:
                    conn.execute(sa.text("SET TRANSACTION READ ONLY"))
                    row = conn.execute(sa.text(check["sql"])).first()
                finally:
                    transaction.rollback()
        except sa.exc.DBAPIError as exc:
            raise RunnerError(
                "REHEARSAL_FAILED",
                f"rehearsal check {name} failed on the migrated copy: {clause(database.error_text(exc))}",
                leg="checks",
                check=name,
            ) from None
        value = None if row is None else row[0]
        if row is not None and (value is None or value is False or value == 0):
            raise RunnerError(
                "REHEARSAL_FAILED",
                f"rehearsal check {name} returned {value} on the migrated copy",
                leg="checks",
                check=name,
            )
    return len(checks)
