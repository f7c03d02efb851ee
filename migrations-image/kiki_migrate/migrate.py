"""plan, upgrade, downgrade, current, history and stamp."""

import contextlib
import time

from alembic import command
from alembic import util as alembic_util
from alembic.runtime.environment import EnvironmentContext

from . import database, lint, log, plan_document, project, version_table
from .errors import RunnerError, sentence

HISTORY_CAP = 25


def plan(ctx, args):
    if getattr(args, "then_upgrade", False):
        return _plan_then_upgrade(ctx, args)
    return _plan(ctx, args.target)


def _plan(ctx, target_argument):
    target = project.resolve_target(ctx.script, target_argument)
    current = ctx.current(target=target, require_versioned=True)
    result = project.make_plan(ctx.script, current, target)
    steps = project.steps_to(ctx.script, current, target, result["direction"])
    rendered = plan_document.render_steps(ctx.migration_config(), result["direction"], steps)
    result["planHash"] = plan_document.plan_hash(current, target, result["direction"], rendered)
    result["versionTable"] = ctx.version_table.as_result()
    result["lint"] = _lint(ctx, steps, result["direction"], rendered)
    plan_document.emit(plan_document.document(result, [project.describe(step) for step in steps], rendered))
    log.info(
        f"plan {result['planHash']}: {result['direction']} from {', '.join(current) or 'base'} to {target}, "
        f"{result['stepCount']} step(s), irreversible: {', '.join(result['irreversibleSteps']) or 'none'} "
        f"(version table {ctx.version_table.describe()}); lint: {result['lint']['findingCount']} finding(s), "
        f"{result['lint']['waivedCount']} waived, {result['lint']['unrenderableCount']} step(s) not rendered"
        f"{' (' + result['lint']['skipped'] + ')' if 'skipped' in result['lint'] else ''}"
    )
    return result


def _plan_then_upgrade(ctx, args):
    """``plan --then-upgrade``: the plan, and when it is an upgrade, the upgrade to its target in the same run,
    both under one hold of the migration lock (so nothing moves the database between them). Used by the
    operator when nothing gates between its plan and migrate stages; a plan that is not an upgrade (none, a
    downgrade) or that fails is only reported, as by ``plan``, and touches nothing. The result is the plan's,
    with the upgrade's result as ``migration``; a failed upgrade's error carries the plan as ``plan``."""
    lock_seconds = (
        ctx.table_lock_timeout
    )  # a bad KIKI_TABLE_LOCK_TIMEOUT is BAD_ARGUMENTS before anything runs
    with database.migration_lock(ctx.engine, ctx.lock_timeout):
        planned = _plan(ctx, args.target)
        if planned["direction"] != "upgrade":
            return planned
        try:
            planned["migration"] = _migrate_locked(
                ctx, "upgrade", planned["target"], args.target, lock_seconds, time.monotonic()
            )
        except RunnerError as exc:
            exc.details["plan"] = planned
            raise
    return planned


def _lint(ctx, steps, direction, rendered):
    """The SQL lint of the planned steps (lint.py) on the SQL ``plan`` rendered offline with the project's
    env.py. Its rules are PostgreSQL's: on another database the plan says the lint was skipped."""
    if ctx.url.get_backend_name() != "postgresql":
        return lint.skipped(f"the lint knows PostgreSQL's locks only, not {ctx.url.get_backend_name()}'s")
    return lint.lint_plan(
        ctx.migration_config(),
        direction,
        [
            {
                "revision": step.revision,
                "downRevisions": list(alembic_util.to_tuple(step.down_revision) or ()),
            }
            for step in steps
        ],
        {step.revision: step.path for step in steps},
        ctx.version_table.name,
        rendered={r["revision"]: r.get("sql") or RenderFailed(r.get("renderError")) for r in rendered},
    )


class RenderFailed(Exception):
    """A step ``plan`` could not render offline, handed to the lint as what its rendering raised."""


def _check_plan_hash(ctx, before, target, expected):
    """PLAN_CHANGED unless the plan from ``before`` to ``target`` hashes to ``expected``, the hash of the
    plan the operator recorded (and a person approved): scripts, SQL and the database's revision are what
    they were."""
    direction = project.direction_to(ctx.script, before, target)
    steps = project.steps_to(ctx.script, before, target, direction)
    rendered = plan_document.render_steps(ctx.migration_config(), direction, steps)
    actual = plan_document.plan_hash(before, target, direction, rendered)
    if actual != expected:
        raise RunnerError(
            "PLAN_CHANGED",
            f"the plan from {', '.join(before) or 'base'} to {target} now hashes to {actual}, not to the "
            f"planned (and approved) {expected}: a script, its SQL or the database's revision changed since the "
            "plan. Nothing was run. Plan again (under the operator: change spec.retryToken) and review the new "
            "plan.",
            current=before,
            planHash=actual,
        )
    log.info(f"plan hash {actual} matches the planned one")


def upgrade(ctx, args):
    return _migrate(ctx, "upgrade", args.target, args.plan_hash)


def downgrade(ctx, args):
    return _migrate(ctx, "downgrade", args.target, args.plan_hash)


def _migrate(ctx, wanted, target_argument, expected_hash=None):
    target = project.resolve_target(ctx.script, target_argument)
    lock_seconds = (
        ctx.table_lock_timeout
    )  # a bad KIKI_TABLE_LOCK_TIMEOUT is BAD_ARGUMENTS before anything runs
    started = time.monotonic()  # durationMs includes the wait for the migration lock
    with database.migration_lock(ctx.engine, ctx.lock_timeout):
        return _migrate_locked(ctx, wanted, target, target_argument, lock_seconds, started, expected_hash)


def _migrate_locked(ctx, wanted, target, target_argument, lock_seconds, started, expected_hash=None):
    """The migration itself, the migration lock held by the caller; ``durationMs`` counts from ``started``;
    with ``expected_hash``, PLAN_CHANGED unless the plan from the database's revision hashes to it."""
    before = ctx.current(target=target, require_versioned=True)
    direction = project.direction_to(ctx.script, before, target)
    if direction not in (wanted, "none"):
        _refuse_other_direction(ctx.script, before, target, target_argument, wanted)
        raise RunnerError(
            "BAD_ARGUMENTS",
            f"target {target} is {'behind' if direction == 'downgrade' else 'ahead of'} the database "
            f"(at {', '.join(before) or 'base'}): use `{direction} --target {target_argument}`.",
            current=before,
        )
    if expected_hash:
        _check_plan_hash(ctx, before, target, expected_hash)
    expected = project.make_plan(ctx.script, before, target)["expectedCurrent"]
    applied = _run_steps(ctx, wanted, target, before, lock_seconds) if direction != "none" else []
    after, problem = _read_back(ctx)
    if problem or sorted(after) != sorted(expected):
        raise RunnerError(
            "MIGRATION_FAILED",
            f"{wanted} to {target} ended without an error, but the version table "
            f"{ctx.version_table.describe()} holds {', '.join(after) or 'base'}, not "
            f"{', '.join(expected) or 'base'}{f' ({problem})' if problem else ''}. Either a migration or env.py "
            "wrote the version table itself (what the run did is committed), or env.py does not commit "
            "(context.begin_transaction()). Check the schema, set the table right with `stamp --revision <id>`, "
            "fix the project and build a new image.",
            current=after,
            revision=applied[-1] if applied else None,
        )
    duration_ms = int((time.monotonic() - started) * 1000)
    log.info(
        f"{wanted}: {', '.join(before) or 'base'} -> {', '.join(after) or 'base'}, "
        f"{len(applied)} revision(s) in {duration_ms} ms"
    )
    return {
        "from": before,
        "to": after,
        "target": target,
        "applied": applied[: project.ID_LIST_CAP],
        "appliedCount": len(applied),
        "durationMs": duration_ms,
    }


def _read_back(ctx):
    """(the version table's revisions, None) after a run, or (its raw rows, what is wrong with them) when a
    migration left rows Alembic would not write (BAD_VERSION_TABLE, UNKNOWN_CURRENT_REVISION): the run's
    failure, which the caller reports as MIGRATION_FAILED."""
    rows = ctx.rows()
    try:
        return version_table.validate(ctx.script, rows, ctx.version_table), None
    except RunnerError as exc:
        if exc.code not in ("BAD_VERSION_TABLE", "UNKNOWN_CURRENT_REVISION"):
            raise
        return sorted(r for r in rows or [] if r), f"{exc.code}: {exc.message.split(';')[0]}"


def _refuse_other_direction(script, before, target, target_argument, wanted):
    """When ``target`` is on the other side of the database than ``wanted`` says and the other direction would
    be refused as well (a target on another branch: TARGET_WOULD_BRANCH), that refusal, so that the message
    never suggests a command that fails in its turn."""
    try:
        project.make_plan(script, before, target)
    except RunnerError as refused:
        raise RunnerError(
            refused.code,
            f"`{wanted} --target {target_argument}`: {target} is not {'below' if wanted == 'downgrade' else 'above'} "
            f"the database's {', '.join(before) or 'base'}, and the other direction is refused too: "
            f"{refused.message}",
            **refused.details,
        ) from None


def _run_steps(ctx, direction, target, before, lock_seconds):
    """Run env.py with Alembic's own step list for ``direction`` on a connection the runner opens and hands
    in as ``config.attributes["connection"]`` (Alembic's cookbook pattern), outside any transaction of the
    runner's: env.py's ``context.begin_transaction()`` decides, so ``transaction_per_migration`` and
    ``autocommit_block()`` work as under plain ``alembic``. With Alembic's default, one transaction for
    the whole run, a failure on PostgreSQL leaves the database where it was. Returns the revisions applied."""
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
        with (
            database.statement_lock_timeout(lock_seconds),
            contextlib.closing(database.connect(ctx.engine)) as conn,
        ):
            config.attributes["connection"] = conn
            with EnvironmentContext(config, script, fn=steps, destination_rev=target):
                script.run_env()
            if conn.in_transaction():
                # an env.py without context.begin_transaction() on SQLAlchemy 2 (autobegin): keep its work
                conn.get_transaction().commit()
    except RunnerError:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure of a migration script or env.py
        raise _failure(ctx, direction, target, before, progress, exc, lock_seconds) from None
    return progress["applied"]


def _failure(ctx, direction, target, before, progress, exc, lock_seconds):
    """The RunnerError for a failed run: where it failed and, read back from the version table, what is
    committed (autocommit blocks and transaction_per_migration commit before the end of the run)."""
    failed = progress["running"]
    try:
        rows = ctx.rows()
        now = sorted(r for r in rows or [] if r)
    except RunnerError:
        now = None
    if failed:
        where = f"revision {failed}"
    elif progress["applied"]:
        where = f"the final commit, after revision {progress['applied'][-1]}"
    else:
        where = "env.py, before any revision ran"
    cause = database.error_text(exc)
    state = _committed_state(
        ctx.script, direction, before, now, progress["applied"] + ([failed] if failed else [])
    )
    if database.is_lock_timeout(exc):
        blockers = database.lock_blockers(ctx.engine, getattr(exc, "statement", None))
        held = (
            "; ".join(
                f"table {b['table']} held by pid {b['pid']} (application '{b['application']}', {b['state']} for "
                f"{b['since']}s, last query: {b['query']})"
                for b in blockers
            )
            or "the blocking session ended before it could be named"
        )
        log.error(f"{direction} hit the lock timeout in {where}: {held}")
        return RunnerError(
            "LOCK_TIMEOUT",
            f"{direction} to {target}: {where} waited {lock_seconds:g}s (KIKI_TABLE_LOCK_TIMEOUT, "
            f"spec.timeouts.lock) for a lock another session holds: {held}. {state} An open transaction of "
            "the application blocks the migration; a retry may find the table free. If it keeps failing, end "
            "that transaction (pg_terminate_backend(pid)), migrate when the application is quiet, or raise "
            "spec.timeouts.lock.",
            revision=failed,
            current=now,
            cause=cause,
            blockers=blockers,
        )
    log.error(f"{direction} failed in {where}: {cause}")
    return RunnerError(
        "MIGRATION_FAILED",
        f"{direction} to {target} failed in {where}: {sentence(cause)} {state} Fix the migration and build a new image.",
        revision=failed,
        current=now,
        cause=cause,
    )


def _committed_state(script, direction, before, now, attempted):
    """What the failed run left committed, from the version table as read back and from the revisions that
    ran an ``autocommit_block()`` (committed whatever the version table says)."""
    was = ", ".join(before) or "base"
    if now is None:
        return (
            f"The database's revision could not be read back (it was at {was}): check it before retrying."
            + _partly_applied(script, direction, attempted, None)
        )
    reached, started = project.ancestors(script, now), project.ancestors(script, before)
    if direction == "upgrade":
        done = [r for r in attempted if r in reached and r not in started]
        verb = "applied and committed"
    else:
        done = [r for r in attempted if r in started and r not in reached]
        verb = "downgraded and committed"
    partly = _partly_applied(script, direction, [r for r in attempted if r not in done], now)
    if sorted(now) == sorted(before):
        if partly:
            return f"The version table is unchanged at {was}.{partly}"
        return f"Nothing was committed: the database is unchanged at {was}."
    return (
        f"Revision(s) {', '.join(done) or 'unknown'} were {verb} before the failure (autocommit_block or "
        f"transaction_per_migration commit as they go): the version table is at {', '.join(now) or 'base'}, "
        f"no longer at {was}.{partly}"
    )


def _partly_applied(script, direction, unrecorded, now):
    """A sentence on the revisions that ran in the failed run, are not recorded as done, and use
    ``autocommit_block()``: their work up to the end of the block was committed all the same."""
    partly = [r for r in unrecorded if project.uses_autocommit_block(project.get(script, r), direction)]
    if not partly:
        return ""
    recorded = f" (the version table says {', '.join(now) or 'base'})" if now is not None else ""
    return (
        f" But revision(s) {', '.join(partly)} ran an autocommit_block in {direction}(), which committed "
        f"their work up to the end of the block although they are not recorded{recorded}: the database may "
        f"be partly {'upgraded to' if direction == 'upgrade' else 'downgraded from'} {', '.join(partly)}, "
        'and re-running them may fail (on "already exists", for instance). Check the schema; make the '
        "block's statements idempotent (IF NOT EXISTS) before retrying."
    )


def _finish(progress):
    if progress["running"]:
        progress["applied"].append(progress["running"])
        progress["running"] = None


def current(ctx, args):
    revisions = ctx.current()
    project_heads = project.heads(ctx.script)
    # atHead: nothing left to upgrade on the database's branch(es), i.e. each current revision is a head. With
    # two unmerged heads a database on one of them is at head (its branch's); `heads` lists the others.
    return {
        "current": revisions,
        "heads": project_heads,
        "atHead": bool(revisions) and set(revisions) <= set(project_heads),
        "versionTable": ctx.version_table.as_result(),
    }


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
        rows = ctx.rows()
        before = sorted(r for r in rows or [] if r)
        try:
            version_table.validate(ctx.script, rows, ctx.version_table)
            purge = False
        except RunnerError as exc:
            # The seed's last resort for "Can't locate revision" (and for rows set by hand): replace them.
            log.warning(f"the version table holds {before} ({exc.code}): replacing its rows")
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
            cause = database.error_text(exc)
            raise RunnerError(
                "MIGRATION_FAILED",
                f"stamp {target} failed: {sentence(cause)} The database is unchanged at "
                f"{', '.join(before) or 'base'}.",
                revision=target,
                current=before,
                cause=cause,
            ) from None
        after = ctx.current()
    log.info(f"stamp: {', '.join(before) or 'base'} -> {', '.join(after) or 'base'} (no migration ran)")
    return {"from": before, "to": after, "versionTable": ctx.version_table.as_result()}
