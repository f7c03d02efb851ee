"""wait: block until the database is at a revision or past it (for application init containers)."""

import time

from . import log, project
from .errors import RunnerError, clause

POLL_INTERVAL_SECONDS = 2.0


def wait(ctx, args):
    if args.timeout < 0:
        raise RunnerError("BAD_ARGUMENTS", "--timeout must be a number of seconds >= 0")
    wanted = project.resolve_target(ctx.script, args.revision)
    started = time.monotonic()
    deadline = started + args.timeout
    current, last_problem = None, None
    while True:
        try:
            current = ctx.current()
            last_problem = None
            if wanted == "base" or wanted in project.ancestors(ctx.script, current):
                waited_ms = int((time.monotonic() - started) * 1000)
                log.info(f"the database is at {current or 'base'}, at or past {wanted}")
                return {"current": current, "revision": wanted, "waitedMs": waited_ms}
        except RunnerError as exc:
            if exc.code != "DATABASE_UNREACHABLE":
                raise
            last_problem = exc.message  # the database may still be starting: keep waiting
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        log.info(
            f"waiting for revision {wanted}: the database is at "
            f"{clause(last_problem or (', '.join(current) or 'base'))}; {remaining:.0f}s left"
        )
        time.sleep(min(POLL_INTERVAL_SECONDS, remaining))
    state = (
        f"the last attempt failed: {clause(last_problem)}"
        if last_problem
        else f"the database is at {', '.join(current) or 'base'}"
    )
    raise RunnerError(
        "WAIT_TIMEOUT",
        f"the database did not reach revision {wanted} within {args.timeout:g}s; {state}. "
        "Check the DatabaseMigration resource (kubectl get dbm) for the migration's progress.",
        current=current,
    )
