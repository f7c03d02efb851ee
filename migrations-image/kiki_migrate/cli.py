"""Command line: parse, run one command, print its result (see README.md for the contract)."""

import argparse
import contextlib
import importlib
import signal
import sys
import traceback

from . import log, redact, result
from .errors import EXIT_INTERNAL, EXIT_OK, RunnerError

# command -> (module, function). Imported when the command runs: Alembic and SQLAlchemy take longer to import
# than a backup's pg_dump of a small database takes to run, and only the commands that need them pay for them.
COMMANDS = {
    "plan": ("migrate", "plan"),
    "upgrade": ("migrate", "upgrade"),
    "downgrade": ("migrate", "downgrade"),
    "current": ("migrate", "current"),
    "history": ("migrate", "history"),
    "stamp": ("migrate", "stamp"),
    "backup": ("backup", "backup"),
    "restore": ("backup", "restore"),
    "wait": ("wait", "wait"),
    "rehearse": ("rehearse", "rehearse"),
}
DEFAULT_BACKUP_DIR = "/backups"


def _command(name):
    module, function = COMMANDS[name]
    return getattr(importlib.import_module(f".{module}", __package__), function)


class ArgumentProblem(Exception):
    pass


class Terminated(Exception):
    """SIGTERM (a Job's activeDeadlineSeconds, a deleted pod): unwinds like a failure, so the open
    transaction rolls back, the lock is released and a result is still written."""


def _terminate(signum, _frame):
    raise Terminated(f"received {signal.Signals(signum).name}, stopping")


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise ArgumentProblem(f"{message} (usage: {self.format_usage().strip().removeprefix('usage: ')})")


def build_parser():
    parser = _Parser(
        prog="kiki-migrate",
        description="Run the image's Alembic project against KIKI_DATABASE_URL and report "
        "the outcome as one JSON object on the last stdout line.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    target_help = "a revision id or unique prefix, 'head' or 'base'"
    plan_hash_help = "refuse to run (PLAN_CHANGED) unless the plan hashes to HASH, as `plan` printed it"
    plan_parser = commands.add_parser("plan", help="what upgrade/downgrade to REV would run")
    plan_parser.add_argument("--target", required=True, metavar="REV", help=target_help)
    plan_parser.add_argument(
        "--then-upgrade",
        action="store_true",
        help="when the plan is an upgrade, run it in the same run, under the same migration lock",
    )
    upgrade_parser = commands.add_parser("upgrade", help="upgrade to REV")
    upgrade_parser.add_argument("--target", required=True, metavar="REV", help=target_help)
    upgrade_parser.add_argument("--plan-hash", metavar="HASH", help=plan_hash_help)
    downgrade_parser = commands.add_parser("downgrade", help="downgrade to REV")
    downgrade_parser.add_argument("--target", required=True, metavar="REV", help=target_help)
    downgrade_parser.add_argument("--plan-hash", metavar="HASH", help=plan_hash_help)
    commands.add_parser("current", help="the database's revision")
    commands.add_parser("history", help="the project's revisions, newest first")
    commands.add_parser("stamp", help="set the database's revision without migrating").add_argument(
        "--revision", required=True, metavar="REV", help=target_help
    )
    backup_parser = commands.add_parser("backup", help="pg_dump (or SQLite copy) into DIR")
    backup_parser.add_argument("--dir", default=DEFAULT_BACKUP_DIR, help="directory (default /backups)")
    backup_parser.add_argument("--name", default="kiki", help="file name prefix (default kiki)")
    backup_parser.add_argument(
        "--keep", type=int, default=0, help="keep the newest K backups with this prefix (default 0: keep all)"
    )
    restore_parser = commands.add_parser("restore", help="restore a backup into the database")
    restore_parser.add_argument(
        "--file", required=True, help="backup file (a bare name is looked up in --dir)"
    )
    restore_parser.add_argument(
        "--dir", default=DEFAULT_BACKUP_DIR, help="directory of bare file names (default /backups)"
    )
    rehearse_parser = commands.add_parser(
        "rehearse",
        help="restore a backup into a scratch database, migrate it to REV (and back and forth when every step "
        "is reversible), run the checks of KIKI_REHEARSAL_CHECKS there, then drop it",
    )
    rehearse_parser.add_argument(
        "--file", required=True, help="backup file (a bare name is looked up in --dir)"
    )
    rehearse_parser.add_argument(
        "--dir", default=DEFAULT_BACKUP_DIR, help="directory of bare file names (default /backups)"
    )
    rehearse_parser.add_argument("--target", required=True, metavar="REV", help=target_help)
    rehearse_parser.add_argument(
        "--scratch",
        required=True,
        metavar="NAME",
        help="the scratch database (kiki_rh_..., at most 63 bytes)",
    )
    wait_parser = commands.add_parser("wait", help="block until the database is at REV or past it")
    wait_parser.add_argument("--revision", required=True, metavar="REV", help=target_help)
    wait_parser.add_argument("--timeout", type=float, required=True, metavar="SECONDS")
    return parser


def _command_name(argv):
    return next((a for a in argv if a in COMMANDS), argv[0] if argv and not argv[0].startswith("-") else "")


def main(argv=None):
    redact.install()
    signal.signal(signal.SIGTERM, _terminate)
    argv = list(sys.argv[1:] if argv is None else argv)
    stdout = sys.stdout
    name = _command_name(argv)
    try:
        try:
            args = build_parser().parse_args(argv)
        except ArgumentProblem as exc:
            raise RunnerError("BAD_ARGUMENTS", str(exc)) from None
        name = args.command
        # Only the result goes to stdout: whatever Alembic or env.py print goes to stderr.
        with contextlib.redirect_stdout(sys.stderr):
            from .context import RunContext

            outcome = _command(name)(RunContext(), args)
        body = {"ok": True, "command": name, **outcome}
        exit_code = EXIT_OK
    except RunnerError as exc:
        log.error(f"{exc.code}: {exc.message}")
        body = {
            "ok": False,
            "command": name,
            "error": {
                "code": exc.code,
                "message": exc.message,
                **{k: v for k, v in exc.details.items() if v is not None},
            },
        }
        exit_code = exc.exit_code
    except Exception as exc:  # noqa: BLE001 - the contract promises a result object even for bugs
        traceback.print_exc(file=sys.stderr)
        from .database import error_text

        body = {
            "ok": False,
            "command": name,
            "error": {
                "code": "INTERNAL_ERROR",
                "message": f"unexpected error: {error_text(exc)} (see the log)",
            },
        }
        exit_code = EXIT_INTERNAL
    result.emit(body, stdout)
    sys.stderr.flush()
    return exit_code
