"""The SQL lint of ``plan``: renders each planned step with Alembic's offline mode (``--sql``) and checks
the statements for what takes long or strong locks on PostgreSQL.

The rules follow what the public linters of this field check (squawk, strong_migrations, eugene); the
statements are parsed with pglast (libpg_query, the PostgreSQL server's own parser), so a statement is
judged by its syntax tree, not by its spelling. A revision waives a rule with a comment in its file:
``# kiki-lint: disable=RULE[,RULE] -- reason``. Steps that cannot be rendered offline (they read the
database, for instance through ``op.get_bind()``) are listed, never silently skipped.
"""

import io
import re
from pathlib import Path

import pglast
from alembic import command
from pglast import ast, enums

from . import log
from .database import error_text

# The result goes to a 4 KiB termination message: the first few of each list, and the counts.
FINDING_CAP = 5
STATEMENT_CHARS = 160

WAIVER = re.compile(r"#\s*kiki-lint:\s*disable=([A-Za-z0-9_,\s-]+?)\s*(?:--\s*(.*?))?\s*$", re.MULTILINE)
# Alembic's offline mode writes "-- Running upgrade A -> B" before each step's SQL.
STEP_MARKER = re.compile(r"^-- Running (upgrade|downgrade) (.*?) -> (.*?)\s*$", re.MULTILINE)

# Functions whose value differs per row: a column added with one as default is written into every row
# (a table rewrite under ACCESS EXCLUSIVE); a stable default such as now() is stored once in the catalog.
VOLATILE_FUNCTIONS = frozenset(
    {
        "random",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "uuidv4",
        "uuidv7",
        "clock_timestamp",
        "timeofday",
        "nextval",
        "txid_current",
        "statement_timestamp",
    }
)
SERIAL_TYPES = frozenset({"serial", "serial4", "serial8", "bigserial", "smallserial", "serial2"})

# rule id: (what the statement does to a running database, the safer form). The result carries the safer
# form with each finding (it is capped at 4 KiB: keep them short); the log carries both.
RULES = {
    "index-not-concurrent": (
        "CREATE INDEX without CONCURRENTLY on an existing table blocks every write to it until the index is built",
        "CREATE INDEX CONCURRENTLY (postgresql_concurrently=True) in an autocommit_block()",
    ),
    "concurrently-in-transaction": (
        "CREATE/DROP INDEX CONCURRENTLY inside a transaction block: PostgreSQL refuses it",
        "run it inside `with op.get_context().autocommit_block():`",
    ),
    "add-column-not-null-without-default": (
        "ADD COLUMN NOT NULL without a default fails on a table with rows, under an ACCESS EXCLUSIVE lock",
        "add it nullable or with a constant default, backfill in batches, then CHECK NOT VALID, VALIDATE, SET NOT NULL",
    ),
    "add-column-volatile-default": (
        "ADD COLUMN with a volatile default (or a serial type) rewrites the table under an ACCESS EXCLUSIVE lock",
        "add it without a default, then SET DEFAULT, and backfill existing rows in batches",
    ),
    "add-column-stored-generated": (
        "ADD COLUMN GENERATED ... STORED rewrites the table under an ACCESS EXCLUSIVE lock",
        "add a plain column, backfill it in batches, keep it current with a trigger",
    ),
    "alter-column-type": (
        "ALTER COLUMN TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock (unless the types are "
        "binary-coercible, e.g. varchar(n) to text, which the SQL alone does not tell: waive it then)",
        "add a column of the new type, backfill in batches, switch the application, drop the old column",
    ),
    "constraint-without-not-valid": (
        "ADD CONSTRAINT FOREIGN KEY/CHECK without NOT VALID scans the table while it blocks writes (for a foreign "
        "key, to the referenced table too)",
        "add it NOT VALID (postgresql_not_valid=True), then VALIDATE CONSTRAINT in a later step",
    ),
    "unique-constraint-without-index": (
        "ADD UNIQUE/PRIMARY KEY/EXCLUDE builds its index while it blocks every write to the table",
        "CREATE UNIQUE INDEX CONCURRENTLY in an autocommit_block(), then ADD CONSTRAINT ... USING INDEX",
    ),
    "set-not-null": (
        "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock",
        "CHECK (col IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT, then SET NOT NULL (PostgreSQL 12+ skips the scan)",
    ),
    "drop-column": (
        "DROP COLUMN breaks the running application while it still uses the column",
        "stop using the column in the application first, drop it in a later release",
    ),
    "drop-table": (
        "DROP TABLE breaks the running application while it still uses the table",
        "stop using the table in the application first, drop it in a later release",
    ),
    "rename-table": (
        "RENAME of a table breaks the running application, which still uses the old name",
        "create the new table (or a view under the new name), move the application over, drop the old",
    ),
    "rename-column": (
        "RENAME COLUMN breaks the running application, which still uses the old name",
        "add the new column, write both, backfill, move the application over, drop the old one",
    ),
}


def _name(range_var):
    return range_var.relname if range_var is not None else None


def _is_volatile(expression):
    """Whether the default expression calls a known volatile function (anywhere inside it)."""
    for node in _walk(expression):
        if isinstance(node, ast.FuncCall):
            name = node.funcname[-1].sval if hasattr(node.funcname[-1], "sval") else str(node.funcname[-1])
            if name.lower() in VOLATILE_FUNCTIONS:
                return True
    return False


def _walk(node):
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from _walk(item)
    elif isinstance(node, ast.Node):
        yield node
        for attribute in node:
            yield from _walk(getattr(node, attribute))


def _constraints(column_def):
    return [c for c in (column_def.constraints or ()) if isinstance(c, ast.Constraint)]


def _type_name(column_def):
    names = column_def.typeName.names if column_def.typeName is not None else ()
    return names[-1].sval.lower() if names and hasattr(names[-1], "sval") else ""


def _check_add_column(column_def):
    constraints = _constraints(column_def)
    kinds = {c.contype for c in constraints}
    default = next((c.raw_expr for c in constraints if c.contype == enums.ConstrType.CONSTR_DEFAULT), None)
    if any(c.contype == enums.ConstrType.CONSTR_GENERATED for c in constraints):
        yield "add-column-stored-generated"
    if (default is not None and _is_volatile(default)) or _type_name(column_def) in SERIAL_TYPES:
        yield "add-column-volatile-default"
    if (
        (enums.ConstrType.CONSTR_NOTNULL in kinds or column_def.is_not_null)
        and default is None
        and enums.ConstrType.CONSTR_IDENTITY not in kinds
        and _type_name(column_def) not in SERIAL_TYPES
    ):
        yield "add-column-not-null-without-default"
    if kinds & {enums.ConstrType.CONSTR_UNIQUE, enums.ConstrType.CONSTR_PRIMARY}:
        yield "unique-constraint-without-index"


def _check_constraint(constraint):
    if (
        constraint.contype in (enums.ConstrType.CONSTR_FOREIGN, enums.ConstrType.CONSTR_CHECK)
        and not constraint.skip_validation
    ):
        yield "constraint-without-not-valid"
    if (
        constraint.contype
        in (
            enums.ConstrType.CONSTR_UNIQUE,
            enums.ConstrType.CONSTR_PRIMARY,
            enums.ConstrType.CONSTR_EXCLUSION,
        )
        and not constraint.indexname
    ):
        yield "unique-constraint-without-index"


def _check_alter_table(statement, created):
    if _name(statement.relation) in created:
        return
    for cmd in statement.cmds or ():
        subtype = cmd.subtype
        if subtype == enums.AlterTableType.AT_AddColumn:
            yield from _check_add_column(cmd.def_)
        elif subtype == enums.AlterTableType.AT_AlterColumnType:
            yield "alter-column-type"
        elif subtype == enums.AlterTableType.AT_AddConstraint:
            yield from _check_constraint(cmd.def_)
        elif subtype == enums.AlterTableType.AT_SetNotNull:
            yield "set-not-null"
        elif subtype == enums.AlterTableType.AT_DropColumn:
            yield "drop-column"


def check_statement(statement, created, in_transaction):
    """The rule ids ``statement`` (a pglast node) breaks, given the tables ``created`` earlier in the plan
    (a new table holds no rows and no application uses it yet) and whether a transaction is open."""
    if isinstance(statement, ast.IndexStmt):
        if statement.concurrent and in_transaction:
            yield "concurrently-in-transaction"
        elif not statement.concurrent and _name(statement.relation) not in created:
            yield "index-not-concurrent"
    elif isinstance(statement, ast.AlterTableStmt):
        yield from _check_alter_table(statement, created)
    elif isinstance(statement, ast.DropStmt):
        if statement.concurrent and in_transaction:
            yield "concurrently-in-transaction"
        if statement.removeType == enums.ObjectType.OBJECT_TABLE:
            names = {obj[-1].sval for obj in statement.objects or () if obj and hasattr(obj[-1], "sval")}
            if names - created:
                yield "drop-table"
    elif isinstance(statement, ast.RenameStmt) and _name(statement.relation) not in created:
        if statement.renameType == enums.ObjectType.OBJECT_TABLE:
            yield "rename-table"
        elif statement.renameType == enums.ObjectType.OBJECT_COLUMN:
            yield "rename-column"


def _created_table(statement, created):
    """The table ``statement`` creates, or a new name it gives to a table ``created`` in the plan."""
    if (
        isinstance(statement, ast.RenameStmt)
        and statement.renameType == enums.ObjectType.OBJECT_TABLE
        and _name(statement.relation) in created
    ):
        return statement.newname
    if isinstance(statement, ast.CreateStmt):
        return _name(statement.relation)
    if isinstance(statement, ast.CreateTableAsStmt) and statement.into is not None:
        return _name(statement.into.rel)
    return None


def _transaction_effect(statement):
    """True after BEGIN, False after COMMIT/ROLLBACK, None for every other statement."""
    if not isinstance(statement, ast.TransactionStmt):
        return None
    kind = statement.kind
    if kind in (enums.TransactionStmtKind.TRANS_STMT_BEGIN, enums.TransactionStmtKind.TRANS_STMT_START):
        return True
    if kind in (enums.TransactionStmtKind.TRANS_STMT_COMMIT, enums.TransactionStmtKind.TRANS_STMT_ROLLBACK):
        return False
    return None


def statements(sql):
    """(pglast statement node, its text) for each statement of ``sql``."""
    encoded = sql.encode("utf-8")
    for raw in pglast.parse_sql(sql):
        start = raw.stmt_location or 0
        end = start + raw.stmt_len if raw.stmt_len else len(encoded)
        yield raw.stmt, encoded[start:end].decode("utf-8", "replace").strip()


def sections(rendered, revision):
    """The parts of Alembic's offline output that belong to ``revision``'s step, with the text before
    each (BEGIN/COMMIT of the transaction): a list of (belongs to the step, text)."""
    parts, position, owner = [], 0, False
    for marker in STEP_MARKER.finditer(rendered):
        parts.append((owner, rendered[position : marker.start()]))
        direction, below, above = marker.groups()
        running = above if direction == "upgrade" else below
        owner = revision in [r.strip() for r in running.split(",")]
        position = marker.end()
    parts.append((owner, rendered[position:]))
    return parts


def render(config, direction, step):
    """The SQL Alembic's offline mode writes for one step (``alembic upgrade FROM:TO --sql``)."""
    buffer = io.StringIO()
    config.output_buffer = buffer
    revision = step["revision"]
    below = ",".join(step["downRevisions"]) or "base"
    if direction == "upgrade":
        command.upgrade(
            config, f"{below.split(',')[0]}:{revision}" if below != "base" else revision, sql=True
        )
    else:
        command.downgrade(config, f"{revision}:{below.split(',')[0]}", sql=True)
    return buffer.getvalue()


def waivers(path):
    """{rule id: reason} of the ``# kiki-lint: disable=...`` comments in the revision file at ``path``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, ValueError, TypeError):
        return {}
    found = {}
    for match in WAIVER.finditer(text):
        for rule in match.group(1).split(","):
            if rule.strip():
                found[rule.strip()] = (match.group(2) or "").strip()
    return found


def check_rendered(rendered, revision, created, version_table="alembic_version"):
    """[(rule id, statement)] for ``revision``'s statements in Alembic's offline output ``rendered``,
    following BEGIN/COMMIT (an ``autocommit_block()`` renders as COMMIT ... BEGIN) and adding the tables the
    step creates to ``created``. Raises pglast's ParseError when the output does not parse."""
    parsed = [
        (owned, statement, text)
        for owned, section in sections(rendered, revision)
        for statement, text in statements(section)
    ]
    broken, in_transaction = [], False
    for owned, statement, text in parsed:
        effect = _transaction_effect(statement)
        if effect is not None:
            in_transaction = effect
            continue
        if not owned or _on_version_table(statement, version_table):
            continue
        broken.extend((rule, text) for rule in check_statement(statement, created, in_transaction))
        table = _created_table(statement, created)
        if table:
            created.add(table)
    return broken


def _on_version_table(statement, version_table):
    """Whether ``statement`` is Alembic's own bookkeeping: creating, filling or dropping the version table."""
    relations = [statement.relation] if hasattr(statement, "relation") else []
    if isinstance(statement, ast.DropStmt):
        return all(obj and getattr(obj[-1], "sval", None) == version_table for obj in statement.objects or ())
    return any(_name(r) == version_table for r in relations)


def lint_plan(config, direction, steps, revision_paths, version_table="alembic_version", rendered=None):
    """The ``lint`` object of the plan: ``steps`` as ``[{"revision", "downRevisions"}]`` in execution
    order, ``revision_paths`` maps each revision to its file, ``version_table`` is the name of the table
    Alembic keeps the revision in (its statements are not linted). ``config`` is the Alembic Config that
    env.py reads (with the database URL, so the dialect is the real one; offline mode never connects).
    ``rendered`` maps revisions to SQL the caller rendered already (or the exception rendering raised)."""
    findings, waived, unrenderable, declared = [], [], [], []
    created = set()
    for step in steps:
        revision = step["revision"]
        step_waivers = waivers(revision_paths.get(revision))
        for rule, reason in step_waivers.items():
            entry = {"revision": revision, "rule": rule, "reason": _short(reason)}
            if rule not in RULES:
                entry["problem"] = f"unknown rule (known: {', '.join(sorted(RULES))})"
            declared.append(entry)
        try:
            text = (rendered or {}).get(revision)
            if isinstance(text, Exception):
                raise text
            text = text if text is not None else render(config, direction, step)
        except Exception as exc:  # noqa: BLE001 - any failure of env.py or the script offline is reported
            unrenderable.append({"revision": revision, "reason": _short(error_text(exc))})
            log.warning(
                f"lint {revision}: cannot be rendered offline (--sql), so it is not linted: {error_text(exc)}"
            )
            continue
        try:
            broken = check_rendered(text, revision, created, version_table)
        except pglast.parser.ParseError as exc:
            unrenderable.append(
                {"revision": revision, "reason": _short(f"the rendered SQL does not parse: {exc}")}
            )
            log.warning(f"lint {revision}: the rendered SQL does not parse, so it is not linted: {exc}")
            continue
        for rule, statement_text in broken:
            finding = {
                "revision": revision,
                "rule": rule,
                "statement": _short(statement_text),
                "saferForm": RULES[rule][1],
            }
            if rule in step_waivers:
                waived.append(finding)
                log.info(f"lint {revision} {rule} (waived: {step_waivers[rule]}): {statement_text}")
            else:
                findings.append(finding)
                log.warning(
                    f"lint {revision} {rule}: {statement_text} -- {RULES[rule][0]}; safer: {RULES[rule][1]}"
                )
    for entry in declared:
        entry["waived"] = sum(
            1 for w in waived if (w["revision"], w["rule"]) == (entry["revision"], entry["rule"])
        )
    return {
        "findingCount": len(findings),
        "findings": findings[:FINDING_CAP],
        "waivedCount": len(waived),
        "waiverCount": len(declared),
        "waivers": declared[:FINDING_CAP],
        "unrenderableCount": len(unrenderable),
        "unrenderable": unrenderable[:FINDING_CAP],
    }


def skipped(reason):
    """The ``lint`` object of a plan that was not linted, and why."""
    return {
        "findingCount": 0,
        "findings": [],
        "waivedCount": 0,
        "waiverCount": 0,
        "waivers": [],
        "unrenderableCount": 0,
        "unrenderable": [],
        "skipped": reason,
    }


def _short(text):
    text = " ".join(str(text).split())
    return text if len(text) <= STATEMENT_CHARS else text[: STATEMENT_CHARS - 3] + "..."
