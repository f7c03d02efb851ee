"""plan, upgrade, downgrade, current, history and stamp."""
import time

from alembic import command
from alembic.runtime.environment import EnvironmentContext

from . import database, log, project
from .errors import RunnerError

HISTORY_CAP = 25


def plan(ctx, args):
    target = project.resolve_target(ctx.script, args.target)
    current = ctx.current(target=target)
    result = project.make_plan(ctx.script, current, target)
    log.info(f"plan: {result['direction']} from {', '.join(current) or 'base'} to {target}, "
             f"{result['stepCount']} step(s), irreversible: {', '.join(result['irreversibleSteps']) or 'none'}")
    return result


def upgrade(ctx, args):
    return _migrate(ctx, "upgrade", args.target)


def downgrade(ctx, args):
    return _migrate(ctx, "downgrade", args.target)


def _migrate(ctx, wanted, target_argument):
    target = project.resolve_target(ctx.script, target_argument)
    started = time.monotonic()
    with database.migration_lock(ctx.engine, ctx.lock_timeout):
        before = ctx.current(target=target)
        direction = project.direction_to(ctx.script, before, target)
        if direction not in (wanted, "none"):
            raise RunnerError(
                "BAD_ARGUMENTS",
                f"target {target} is {'behind' if direction == 'downgrade' else 'ahead of'} the database "
                f"(at {', '.join(before) or 'base'}): use `{direction} --target {target_argument}`.",
                current=before)
        applied = _run_steps(ctx, wanted, target, before) if direction != "none" else []
        after = database.read_current(ctx.engine)
    duration_ms = int((time.monotonic() - started) * 1000)
    log.info(f"{wanted}: {', '.join(before) or 'base'} -> {', '.join(after) or 'base'}, "
             f"{len(applied)} revision(s) in {duration_ms} ms")
    return {"from": before, "to": after, "target": target, "applied": applied[:project.ID_LIST_CAP],
            "appliedCount": len(applied), "durationMs": duration_ms}


def _run_steps(ctx, direction, target, before):
    """Run env.py with Alembic's own step list for ``direction``, inside one transaction on a connection
    the runner owns (passed as ``config.attributes["connection"]``, Alembic's cookbook pattern): a
    failure rolls everything back on databases with transactional DDL. Returns the revisions applied."""
    script = ctx.script
    config = ctx.migration_config()
    progress = {"running": None, "applied": []}

    def steps(heads, _migration_context):
        # A generator: Alembic pulls the next step only once the previous one has run, so "running" is
        # the revision in progress when a step fails.
        for step in project.revision_steps(script, direction, target, heads):
            _finish(progress)
            progress["running"] = step.revision.revision
            log.info(f"{direction} {step.revision.revision}: {(step.revision.doc or '').strip()}")
            yield step
        _finish(progress)

    try:
        with database.connect(ctx.engine) as conn:
            with conn.begin():
                config.attributes["connection"] = conn
                with EnvironmentContext(config, script, fn=steps, destination_rev=target):
                    script.run_env()
    except RunnerError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a migration script or env.py
        failed = progress["running"]
        try:
            now = database.read_current(ctx.engine)
        except RunnerError:
            now = None
        if failed:
            where = f"revision {failed}"
        elif progress["applied"]:
            where = f"the final commit, after revision {progress['applied'][-1]}"
        else:
            where = "env.py, before any revision ran"
        state = f"The database is at {', '.join(now) or 'base'}" if now is not None \
            else "The database's revision could not be read"
        log.error(f"{direction} failed in {where}: {database.first_line(exc)}")
        raise RunnerError(
            "MIGRATION_FAILED",
            f"{direction} to {target} failed in {where}: {database.first_line(exc)}. {state} "
            f"(it was at {', '.join(before) or 'base'}). Fix the migration and build a new image; on "
            "PostgreSQL the failed run was rolled back as a whole.",
            revision=failed, current=now, cause=database.first_line(exc)) from None
    return progress["applied"]


def _finish(progress):
    if progress["running"]:
        progress["applied"].append(progress["running"])
        progress["running"] = None


def current(ctx, args):
    revisions = ctx.current()
    project_heads = project.heads(ctx.script)
    return {"current": revisions, "heads": project_heads,
            "atHead": bool(revisions) and sorted(revisions) == sorted(project_heads)}


def history(ctx, args):
    script = ctx.script
    project_heads = set(project.heads(script))
    revisions = []
    count = 0
    for script_revision in script.walk_revisions():
        count += 1
        if len(revisions) < HISTORY_CAP:
            described = project.describe(script_revision)
            described["isHead"] = script_revision.revision in project_heads
            revisions.append(described)
    return {"revisions": revisions, "count": count, "heads": sorted(project_heads)}


def stamp(ctx, args):
    target = project.resolve_target(ctx.script, args.revision)
    with database.migration_lock(ctx.engine, ctx.lock_timeout):
        before = database.read_current(ctx.engine)
        try:
            project.check_current_known(ctx.script, before)
            purge = False
        except RunnerError:
            # The seed's last resort for "Can't locate revision": replace the unknown revision.
            log.warning(f"the database is at unknown revision(s) {before}: replacing them")
            purge = True
        config = ctx.migration_config()
        try:
            with database.connect(ctx.engine) as conn:
                with conn.begin():
                    config.attributes["connection"] = conn
                    command.stamp(config, target, purge=purge)
        except RunnerError:
            raise
        except Exception as exc:  # noqa: BLE001 - env.py or the database refused the stamp
            raise RunnerError("MIGRATION_FAILED",
                              f"stamp {target} failed: {database.first_line(exc)}; the database is unchanged "
                              f"at {', '.join(before) or 'base'}.", revision=target, current=before) from None
        after = database.read_current(ctx.engine)
    log.info(f"stamp: {', '.join(before) or 'base'} -> {', '.join(after) or 'base'} (no migration ran)")
    return {"from": before, "to": after}
