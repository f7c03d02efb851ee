"""The Alembic project: its configuration, its revision graph, target resolution, plans and the
reversibility of each revision."""
import ast
import functools
import hashlib
import json
import os
from pathlib import Path

from alembic import util as alembic_util
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError

from .errors import RunnerError

# In a checkout: migrations-image/alembic.ini; in the image: /app/alembic.ini (next to the package).
DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "alembic.ini"

STEP_LIST_CAP = 20
ID_LIST_CAP = 50

MERGE_HINT = ("run `alembic merge heads -m \"merge heads\"` in the project, commit the merge revision and "
              "build a new image")


def config_path(environ=os.environ):
    return Path(environ.get("ALEMBIC_CONFIG") or DEFAULT_CONFIG)


def load_config(url=None, environ=os.environ):
    """The project's Alembic Config, pointed at ``url`` (the URL string as given) when given. The string
    as given, not a re-rendered URL object: SQLAlchemy 1.4 renders a '%' in a password unescaped, so
    parse-render-parse would change the password."""
    path = config_path(environ)
    if not path.is_file():
        raise RunnerError("BAD_ARGUMENTS",
                          f"ALEMBIC_CONFIG: no Alembic configuration file at {path}. Set ALEMBIC_CONFIG to "
                          "the project's alembic.ini (in the image: /app/alembic.ini).")
    config = Config(str(path))
    location = config.get_main_option("script_location")
    if location and ":" not in location and not os.path.isabs(location) and not os.path.isdir(location):
        # A relative script_location is meant relative to the ini file, wherever the runner was started.
        beside = path.resolve().parent / location
        if beside.is_dir():
            config.set_main_option("script_location", str(beside))
    if url is not None:
        # For env.py files that build their own engine from sqlalchemy.url; ConfigParser needs %% for %.
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def load_script(config):
    """The project's ScriptDirectory with its revision map loaded (so a broken project fails here)."""
    try:
        script = ScriptDirectory.from_config(config)
        script.get_heads()
        return script
    except alembic_util.CommandError as exc:
        raise RunnerError("BAD_ARGUMENTS",
                          f"ALEMBIC_CONFIG {config.config_file_name}: cannot load the Alembic project: {exc}") \
            from None
    except RevisionError as exc:
        raise RunnerError("INTERNAL_ERROR",
                          f"the Alembic project's revision graph is broken: {exc}. Fix the revision files "
                          "and build a new image.") from None


def heads(script):
    return list(script.get_heads())


def get(script, revision_id):
    """The Script of a known revision id (the database's, or one already resolved)."""
    return script.revision_map.get_revision(revision_id)


def resolve_target(script, target):
    """``"base"`` or the full revision id that ``target`` (``head``, ``base``, an id or a unique prefix)
    names; MULTIPLE_HEADS or UNKNOWN_REVISION otherwise."""
    target = (target or "").strip()
    project_heads = heads(script)
    if target in ("head", "heads"):
        if len(project_heads) > 1:
            raise RunnerError(
                "MULTIPLE_HEADS",
                f"the project has {len(project_heads)} heads ({', '.join(project_heads)}), so 'head' is "
                f"ambiguous: {MERGE_HINT}. Targeting one of the heads instead works only for a database on "
                "that head's branch; a target on another branch is refused (TARGET_WOULD_BRANCH).",
                heads=project_heads)
        return project_heads[0] if project_heads else "base"
    if target == "base":
        return "base"
    try:
        found = script.revision_map.get_revision(target)
    except RevisionError as exc:
        found, reason = None, str(exc)
    else:
        reason = "no such revision"
    if found is None:
        raise RunnerError(
            "UNKNOWN_REVISION",
            f"revision '{target}' is not in this image's Alembic project ({reason}); the project's heads are "
            f"{', '.join(project_heads) or 'none'}. The image may be older or newer than the revision you "
            "asked for: check spec.image and spec.targetRevision.",
            heads=project_heads)
    return found.revision


def check_current_known(script, current, target=None):
    """UNKNOWN_CURRENT_REVISION when the database is at a revision this project does not contain.

    ``target`` (the resolved target of the command, when it has one) goes into the error: it is the revision
    this project wants, which the operator needs when it downgrades with the image that applied the
    unknown revision (an application rollback reverted the image, ``targetRevision: head``)."""
    unknown = []
    for revision in current:
        try:
            if script.revision_map.get_revision(revision) is None:
                unknown.append(revision)
        except RevisionError:
            unknown.append(revision)
    if unknown:
        raise RunnerError(
            "UNKNOWN_CURRENT_REVISION",
            f"the database is at revision {', '.join(unknown)}, which this image's Alembic project does not "
            f"contain (its heads: {', '.join(heads(script)) or 'none'}). Run this with the image that applied "
            "that revision (status.appliedImage), which can downgrade it; only as a last resort, when you are "
            "sure the schema matches, `stamp --revision <id>` it (the seed's `alembic stamp`).",
            current=list(current), **({"target": target} if target else {}))


def ancestors(script, revisions):
    """Every revision reachable downwards from ``revisions``, including themselves."""
    seen = set()
    pending = list(revisions)
    while pending:
        revision = pending.pop()
        if revision in seen:
            continue
        seen.add(revision)
        pending.extend(alembic_util.to_tuple(get(script, revision).down_revision) or ())
    return seen


def down_revision(script_revision):
    down = script_revision.down_revision
    if isinstance(down, (tuple, list)):
        return list(down)
    return down


# Calls that only report: a downgrade() made of them (and of docstrings, pass, ... and raise) changes nothing.
_REPORTING_FUNCTIONS = {"print", "warn"}
_REPORTING_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fatal"}


def _only_reports(expression):
    """Whether ``expression`` is a call that only writes a message: ``print(...)``, ``warnings.warn(...)``,
    or a logging call such as ``log.info(...)``, ``logger.warning(...)``,
    ``logging.getLogger(__name__).error(...)``."""
    if not isinstance(expression, ast.Call):
        return False
    function = expression.func
    if isinstance(function, ast.Name):
        return function.id in _REPORTING_FUNCTIONS
    return isinstance(function, ast.Attribute) and (
        function.attr in _REPORTING_METHODS or
        (function.attr in _REPORTING_FUNCTIONS and isinstance(function.value, ast.Name)
         and function.value.id == "warnings"))


def _gets_a_logger(expression):
    """``logging.getLogger(...)`` or ``getLogger(...)``: setting up a logger changes nothing either."""
    if not isinstance(expression, ast.Call):
        return False
    function = expression.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
    return name == "getLogger"


def _does_something(function):
    """False when the function body is only docstrings, ``pass``, ``...``, ``raise`` (a downgrade that
    raises cannot undo anything either), calls that only report (``print``, ``log.info(...)``) and
    ``logger = logging.getLogger(...)``."""
    for statement in function.body:
        if isinstance(statement, (ast.Pass, ast.Raise)):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and \
                (isinstance(statement.value.value, str) or statement.value.value is Ellipsis):
            continue
        if isinstance(statement, ast.Expr) and _only_reports(statement.value):
            continue
        if isinstance(statement, ast.Assign) and _gets_a_logger(statement.value):
            continue
        return True
    return False


@functools.lru_cache(maxsize=None)
def _functions(path):
    """The top-level functions of the revision file at ``path`` by name, or None when it cannot be parsed."""
    try:
        tree = ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)
    except (OSError, SyntaxError, ValueError):
        return None
    return {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def _reversible_source(path):
    functions = _functions(path)
    if functions is None:
        return False  # unreadable (e.g. sourceless): assume it cannot be undone, the safe side
    upgrade, downgrade = functions.get("upgrade"), functions.get("downgrade")
    if upgrade is not None and not _does_something(upgrade):
        return True  # nothing to undo (a merge revision, for instance)
    return downgrade is not None and _does_something(downgrade)


def uses_autocommit_block(script_revision, direction):
    """Whether the revision's ``upgrade()`` (or ``downgrade()``) uses ``autocommit_block()``: entering it commits
    the run's transaction so far and runs the block outside any transaction, so a later failure rolls back
    neither. Unreadable files count as using it (the safe side: never claim a rollback that may not be)."""
    functions = _functions(script_revision.path)
    if functions is None:
        return True
    function = functions.get(direction)
    return function is not None and any(
        isinstance(node, ast.Attribute) and node.attr == "autocommit_block" for node in ast.walk(function))


def is_reversible(script_revision):
    """Whether the revision's ``downgrade()`` really undoes its ``upgrade()``: false when ``upgrade()``
    does something and ``downgrade()`` is missing or only docstring/``pass``/``...``/``raise`` and
    logging or ``print`` calls, as in the seed's data migration example."""
    return _reversible_source(script_revision.path)


def describe(script_revision):
    return {
        "revision": script_revision.revision,
        "downRevision": down_revision(script_revision),
        "message": (script_revision.doc or "").strip()[:200],
        "reversible": is_reversible(script_revision),
    }


def direction_to(script, current, target):
    """``upgrade``, ``downgrade`` or ``none``: how to get from ``current`` to ``target``."""
    if target == "base":
        return "downgrade" if current else "none"
    if target in current:
        return "none"
    if current and target in ancestors(script, current):
        return "downgrade"
    return "upgrade"


def steps_to(script, current, target, direction):
    """The Script objects Alembic would run, in execution order."""
    if direction == "none":
        return []
    try:
        steps = revision_steps(script, direction, target, current)
    except alembic_util.CommandError as exc:
        raise RunnerError("BAD_ARGUMENTS",
                          f"cannot {direction} from {', '.join(current) or 'base'} to {target}: {exc}") \
            from None
    return [step.revision for step in steps]


def revision_steps(script, direction, target, heads):
    """Alembic's own RevisionStep list from ``heads`` to ``target`` for ``direction`` ("upgrade" or
    "downgrade"): what ``plan`` reports and what ``upgrade``/``downgrade`` run."""
    if direction == "upgrade":
        return script._upgrade_revs(target, tuple(heads))
    return script._downgrade_revs(target, tuple(heads))


def plan_hash(current, target, direction, step_ids):
    """sha256 (first 16 hex digits) of the canonical JSON of what the plan would do. The operator stores
    it and a Manual approval must name it."""
    canonical = json.dumps({"current": sorted(current), "target": target, "direction": direction,
                            "steps": list(step_ids)}, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def applied_set(script, current, direction, step_ids):
    """Every revision applied after running ``step_ids`` in ``direction`` from ``current``."""
    applied = ancestors(script, current) if current else set()
    return applied | set(step_ids) if direction == "upgrade" else applied - set(step_ids)


def resulting_heads(script, current, direction, step_ids):
    """The version table's rows after the run, sorted: the applied revisions that no other applied revision
    descends from directly (what Alembic's head bookkeeping leaves)."""
    applied = applied_set(script, current, direction, step_ids)
    below = set()
    for revision in applied:
        below.update(alembic_util.to_tuple(get(script, revision).down_revision) or ())
    return sorted(applied - below)


def make_plan(script, current, target):
    """The plan result fields for moving the database from ``current`` to the resolved ``target``.

    TARGET_WOULD_BRANCH when the database would end up at more than one revision: a target on another
    branch than the database's (Alembic would add it as a second current revision, which no rollback,
    ``head`` or application expects)."""
    direction = direction_to(script, current, target)
    steps = steps_to(script, current, target, direction)
    described = [describe(step) for step in steps]
    step_ids = [step["revision"] for step in described]
    expected = resulting_heads(script, current, direction, step_ids)
    if len(expected) > 1 and len(expected) > len(current):
        raise RunnerError(
            "TARGET_WOULD_BRANCH",
            f"{direction} to {target} would leave the database at {len(expected)} revisions "
            f"({', '.join(expected)}), not one: {target} is on another branch than the database's "
            f"{', '.join(current) or 'base'}. Target a revision that descends from "
            f"{', '.join(current) or 'base'} (merge the branches: {MERGE_HINT}, then target the merge "
            "revision). Nothing was changed.", current=list(current), heads=heads(script))
    irreversible = [step["revision"] for step in described if not step["reversible"]]
    return {
        "current": list(current),
        "heads": heads(script),
        "target": target,
        "direction": direction,
        "steps": described[:STEP_LIST_CAP],
        "stepCount": len(described),
        "irreversibleSteps": irreversible[:ID_LIST_CAP],
        "expectedCurrent": expected[:ID_LIST_CAP],
        "planHash": plan_hash(current, target, direction, step_ids),
    }
