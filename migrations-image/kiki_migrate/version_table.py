"""The version table: where the project's ``env.py`` keeps it, its rows read raw, and those rows validated as
a whole against the revision graph.

Alembic writes the table its ``env.py`` names in ``context.configure(version_table=...,
version_table_schema=...)`` (default ``alembic_version``, no schema: the connection's search_path). The
runner learns the name the way ``alembic current`` does: it runs ``env.py`` with a work function that
changes nothing (``dont_mutate=True``) and reads ``MigrationContext.version_table`` and
``version_table_schema``. Reading ``public.alembic_version`` instead would see another application's
revisions, or base while the project is at its head.
"""

import contextlib
from dataclasses import dataclass

import sqlalchemy as sa
from alembic.runtime.environment import EnvironmentContext
from sqlalchemy.exc import DBAPIError

from . import database, project
from .errors import RunnerError, sentence

ALEMBIC_DEFAULT_TABLE = "alembic_version"


@dataclass(frozen=True)
class Location:
    """``schema`` is None when env.py names none (the connection's search_path decides)."""

    schema: object
    name: str

    def describe(self):
        return f"{self.schema}.{self.name}" if self.schema else self.name

    def as_result(self):
        return {"schema": self.schema, "name": self.name}


def locate(config, script, engine):
    """The version table ``env.py`` configures, found by running ``env.py`` without changing anything.

    DATABASE_UNREACHABLE when env.py cannot reach the database; MIGRATION_FAILED when env.py itself raises
    (it is the project's code: the message names it)."""
    found = {}

    def capture(_heads, migration_context):
        found["location"] = Location(migration_context.version_table_schema, migration_context.version_table)
        return []

    try:
        with contextlib.closing(database.connect(engine)) as conn:
            config.attributes["connection"] = conn
            with EnvironmentContext(config, script, fn=capture, dont_mutate=True):
                script.run_env()
    except RunnerError:
        raise
    except DBAPIError as exc:
        raise RunnerError(
            "DATABASE_UNREACHABLE", f"env.py could not read the version table: {database.error_text(exc)}"
        ) from None
    except Exception as exc:  # noqa: BLE001 - the project's env.py raised
        raise RunnerError(
            "MIGRATION_FAILED",
            f"the project's env.py failed while the runner looked up its version table: "
            f"{sentence(database.error_text(exc))} Fix env.py and build a new image.",
            cause=database.error_text(exc),
        ) from None
    finally:
        config.attributes.pop("connection", None)
    if "location" not in found:
        raise RunnerError(
            "MIGRATION_FAILED",
            "the project's env.py did not call context.run_migrations() in online mode, so the "
            "runner cannot tell which version table it uses. Fix env.py (see Alembic's env.py "
            "template) and build a new image.",
        )
    return found["location"]


def read_rows(engine, location):
    """The raw ``version_num`` values of the table at ``location`` (in table order), or None when the table
    does not exist."""
    with contextlib.closing(database.connect(engine)) as conn:
        try:
            if not sa.inspect(conn).has_table(location.name, schema=location.schema):
                return None
            table = sa.Table(
                location.name, sa.MetaData(), sa.Column("version_num", sa.String()), schema=location.schema
            )
            return [row[0] for row in conn.execute(sa.select(table.c.version_num))]
        except DBAPIError as exc:
            raise RunnerError(
                "DATABASE_UNREACHABLE",
                f"cannot read the version table {location.describe()}: {database.error_text(exc)}",
            ) from None


def validate(script, rows, location, target=None):
    """The rows as the sorted list of current revisions, if they are a set Alembic could have written.

    BAD_VERSION_TABLE for empty or duplicate values, or a revision next to one of its own ancestors (Alembic
    replaces a revision by its descendant, never keeps both); UNKNOWN_CURRENT_REVISION for a revision the
    project does not contain. ``rows`` None (no table) is base."""
    if not rows:
        return []
    where = location.describe()
    blank = [row for row in rows if not (row or "").strip()]
    duplicates = sorted({row for row in rows if rows.count(row) > 1})
    if blank or duplicates:
        what = (
            "empty version_num values" if blank else f"the revision(s) {', '.join(duplicates)} more than once"
        )
        raise RunnerError(
            "BAD_VERSION_TABLE",
            f"the version table {where} holds {what}; Alembic never writes that. Someone edited the table by "
            f"hand: inspect it (SELECT * FROM {where}), then set it right with `stamp --revision <id>` and retry "
            "(under the operator: change spec.retryToken).",
            current=sorted(r for r in rows if r),
        )
    current = sorted(rows)
    project.check_current_known(script, current, target=target)
    for revision in current:
        older = sorted(
            other for other in current if other != revision and other in project.ancestors(script, [revision])
        )
        if older:
            raise RunnerError(
                "BAD_VERSION_TABLE",
                f"the version table {where} holds {revision} together with its own ancestor(s) "
                f"{', '.join(older)}; Alembic replaces a revision by its descendant and never keeps both, so "
                f"this set of rows was not written by a migration. Inspect the schema, then set the table "
                f"right with `stamp --revision {revision}` (or the revision the schema really is at) and retry "
                "(under the operator: change spec.retryToken).",
                current=current,
            )
    return current


def user_tables(engine, location):
    """Tables of the database outside the system schemas, excluding Alembic version tables (of this project or
    of another application sharing the database): what makes a database without a version table
    "unversioned" rather than empty. At most 10 names, qualified by schema."""
    found = []
    with contextlib.closing(database.connect(engine)) as conn:
        inspector = sa.inspect(conn)
        schemas = (
            [None]
            if engine.dialect.name == "sqlite"
            else [
                s
                for s in inspector.get_schema_names()
                if s != "information_schema" and not s.startswith("pg_")
            ]
        )
        for schema in schemas:
            for name in inspector.get_table_names(schema=schema):
                columns = [c["name"] for c in inspector.get_columns(name, schema=schema)]
                if columns == ["version_num"] or name == location.name:
                    continue
                found.append(f"{schema}.{name}" if schema else name)
                if len(found) >= 10:
                    return found
    return found


def check_versioned(engine, location, rows, script):
    """UNVERSIONED_DATABASE when there is no version table but there are tables: the schema was made some
    other way (``metadata.create_all``, by hand, a restore without the table), and running the migrations
    from base would fail on the first CREATE TABLE. The message names the ``stamp`` to run."""
    if rows is not None:
        return
    tables = user_tables(engine, location)
    if not tables:
        return
    project_heads = project.heads(script)
    head = project_heads[0] if len(project_heads) == 1 else "<revision>"
    raise RunnerError(
        "UNVERSIONED_DATABASE",
        f"the database has tables ({', '.join(tables)}) but no version table {location.describe()}, so "
        "upgrading from base could recreate what exists. Record where it is without migrating (`kiki-migrate "
        "stamp`, as `alembic stamp` would): if these are the project's tables (made with create_all, by hand, "
        f"or restored without the version table), `stamp --revision {head}` (the project's head when the schema "
        "was made from the current models, else the revision it matches); if they belong to another "
        "application sharing the database and none of the project's tables exist yet, `stamp --revision base`, "
        "which creates an empty version table so the migrations run from the start. Then retry (under the "
        "operator: change spec.retryToken; applying the same spec again starts nothing). Nothing was changed.",
        current=[],
        tables=tables,
    )
