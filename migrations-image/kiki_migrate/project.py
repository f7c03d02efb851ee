"""The Alembic project: its configuration, its revision graph, target resolution, plans and the
reversibility of each revision."""

import ast
import functools
import os
from pathlib import Path

from alembic import util as alembic_util
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError

from .errors import RunnerError, clause

# In a checkout: migrations-image/alembic.ini, next to the package. Installed with pip, the package sits in
# site-packages, where no project is: then ./alembic.ini, where the `alembic` command looks.
BESIDE_PACKAGE_CONFIG = Path(__file__).resolve().parent.parent / "alembic.ini"
WORKING_DIRECTORY_CONFIG = Path("alembic.ini")

STEP_LIST_CAP = 20
ID_LIST_CAP = 50

MERGE_HINT = (
    'run `alembic merge heads -m "merge heads"` in the project, commit the merge revision and '
    "build a new image"
)


def config_path(environ=os.environ):
    """ALEMBIC_CONFIG, else the alembic.ini next to the package (a checkout), else ./alembic.ini."""
    if environ.get("ALEMBIC_CONFIG"):
        return Path(environ["ALEMBIC_CONFIG"])
    return BESIDE_PACKAGE_CONFIG if BESIDE_PACKAGE_CONFIG.is_file() else WORKING_DIRECTORY_CONFIG


def load_config(url=None, environ=os.environ):
    """The project's Alembic Config, pointed at ``url`` (the URL string as given) when given. The string
    as given, not a re-rendered URL object: SQLAlchemy 1.4 renders a '%' in a password unescaped, so
    parse-render-parse would change the password."""
    path = config_path(environ)
    if not path.is_file():
        raise RunnerError(
            "BAD_ARGUMENTS",
            f"ALEMBIC_CONFIG: no Alembic configuration file at {path.absolute()}. Set ALEMBIC_CONFIG to "
            "the project's alembic.ini (in the image: /app/alembic.ini).",
        )
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
        raise RunnerError(
            "BAD_ARGUMENTS",
            f"ALEMBIC_CONFIG {config.config_file_name}: cannot load the Alembic project: {exc}",
        ) from None
    except RevisionError as exc:
        raise RunnerError(
            "INTERNAL_ERROR",
            f"the Alembic project's revision graph is broken: {clause(str(exc))}. Fix the revision files "
            "and build a new image.",
        ) from None


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
                heads=project_heads,
            )
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
            heads=project_heads,
        )
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
            current=list(current),
            unknown=unknown,
            heads=heads(script),
            **({"target": target} if target else {}),
        )


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


# A downgrade() made only of statements that cannot touch the database changes nothing: docstrings and other
# constants, pass, ..., return without a value, raise, imports, and calls that only report (print, the
# warnings and logging modules' functions, logger methods) through whatever name an import gave them.
_REPORTING_MODULES = {"logging", "warnings"}
_REPORTING_FUNCTIONS = {"print", "warn"}
_REPORTING_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fatal"}


def _import_aliases(statements):
    """{name: "module" or "module.function"} for the names that the imports among ``statements`` bind to the
    logging and warnings modules and their functions (``import logging as lg``, ``from warnings import warn
    as complain``)."""
    aliases = {}
    for statement in statements:
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.name in _REPORTING_MODULES:
                    aliases[alias.asname or alias.name] = alias.name
        elif isinstance(statement, ast.ImportFrom) and statement.module in _REPORTING_MODULES:
            for alias in statement.names:
                aliases[alias.asname or alias.name] = f"{statement.module}.{alias.name}"
    return aliases


def _called_name(function, aliases):
    """The name a call refers to, with import aliases resolved: ``print``, ``warnings.warn``, ``getLogger``,
    ``logging.info``; the attribute name for any other attribute call (``log.info`` is ``info``)."""
    if isinstance(function, ast.Name):
        return aliases.get(function.id, function.id)
    if isinstance(function, ast.Attribute):
        if isinstance(function.value, ast.Name) and aliases.get(function.value.id) in _REPORTING_MODULES:
            return f"{aliases[function.value.id]}.{function.attr}"
        return function.attr
    return None


def _only_reports(expression, aliases):
    """Whether ``expression`` is a call that only writes a message: ``print(...)``, ``warnings.warn(...)``, a
    logging call such as ``log.info(...)``, ``logging.getLogger(__name__).error(...)``, ``lg.warning(...)``."""
    if not isinstance(expression, ast.Call):
        return False
    name = _called_name(expression.func, aliases) or ""
    module, _, member = name.rpartition(".")
    if module in _REPORTING_MODULES:
        return member in _REPORTING_FUNCTIONS | _REPORTING_METHODS
    return name in _REPORTING_FUNCTIONS or (
        isinstance(expression.func, ast.Attribute) and name in _REPORTING_METHODS
    )


def _gets_a_logger(expression, aliases):
    """``logging.getLogger(...)``, ``getLogger(...)`` under any import name: setting up a logger changes
    nothing either."""
    if not isinstance(expression, ast.Call):
        return False
    return (_called_name(expression.func, aliases) or "").rpartition(".")[2] == "getLogger"


def _does_something(function, module_aliases=None):
    """False when the function body is only statements that cannot touch the database (see above), and
    ``logger = logging.getLogger(...)``."""
    aliases = {**(module_aliases or {}), **_import_aliases(function.body)}
    for statement in function.body:
        if isinstance(statement, (ast.Pass, ast.Raise, ast.Import, ast.ImportFrom)):
            continue
        if isinstance(statement, ast.Return) and (
            statement.value is None
            or (isinstance(statement.value, ast.Constant) and statement.value.value is None)
        ):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue
        if isinstance(statement, ast.Expr) and _only_reports(statement.value, aliases):
            continue
        if isinstance(statement, ast.Assign) and _gets_a_logger(statement.value, aliases):
            continue
        return True
    return False


@functools.cache
def _module(path):
    """The parsed revision file at ``path``, or None when it cannot be parsed."""
    try:
        return ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)
    except (OSError, SyntaxError, ValueError):
        return None


def _functions(path):
    """The top-level functions of the revision file at ``path`` by name, or None when it cannot be parsed."""
    tree = _module(path)
    if tree is None:
        return None
    return {
        node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def _reversible_source(path):
    functions = _functions(path)
    if functions is None:
        return False  # unreadable (e.g. sourceless): assume it cannot be undone, the safe side
    aliases = _import_aliases(_module(path).body)
    upgrade, downgrade = functions.get("upgrade"), functions.get("downgrade")
    if upgrade is not None and not _does_something(upgrade, aliases):
        return True  # nothing to undo (a merge revision, for instance)
    return downgrade is not None and _does_something(downgrade, aliases)


def uses_autocommit_block(script_revision, direction):
    """Whether the revision's ``upgrade()`` (or ``downgrade()``) uses ``autocommit_block()``: entering it commits
    the run's transaction so far and runs the block outside any transaction, so a later failure rolls back
    neither. Unreadable files count as using it (the safe side: never claim a rollback that may not be)."""
    functions = _functions(script_revision.path)
    if functions is None:
        return True
    function = functions.get(direction)
    return function is not None and any(
        isinstance(node, ast.Attribute) and node.attr == "autocommit_block" for node in ast.walk(function)
    )


def is_reversible(script_revision):
    """Whether the revision's ``downgrade()`` really undoes its ``upgrade()``: false when ``upgrade()``
    does something and ``downgrade()`` is missing or made only of statements that cannot touch the database
    (docstrings, ``pass``, ``...``, ``return``, ``raise``, imports, logging, ``warnings`` and ``print`` calls),
    as in the seed's data migration example."""
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
        raise RunnerError(
            "BAD_ARGUMENTS", f"cannot {direction} from {', '.join(current) or 'base'} to {target}: {exc}"
        ) from None
    return [step.revision for step in steps]


def revision_steps(script, direction, target, heads):
    """Alembic's own RevisionStep list from ``heads`` to ``target`` for ``direction`` ("upgrade" or
    "downgrade"): what ``plan`` reports and what ``upgrade``/``downgrade`` run."""
    if direction == "upgrade":
        return script._upgrade_revs(target, tuple(heads))
    return script._downgrade_revs(target, tuple(heads))


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
            "revision; under the operator, the new spec.targetRevision or spec.image starts the next rollout, no "
            "retryToken needed). Nothing was changed.",
            current=list(current),
            heads=heads(script),
        )
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
    }
