"""backup and restore: pg_dump/pg_restore for PostgreSQL, the sqlite3 backup API for SQLite."""

import contextlib
import datetime
import fcntl
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qsl, unquote

from . import environment, log
from .errors import RunnerError, clause
from .redact import add_secret, redact

# SQLAlchemy and Alembic are imported only where needed: a PostgreSQL backup given the version table's location
# (KIKI_VERSION_TABLE, set by the operator from the plan's result) imports neither, and reads the revision and
# checks the role with one psql run while pg_dump dumps.
VERSION_TABLE_ENV = "KIKI_VERSION_TABLE"
VERSION_TABLE_SCHEMA_ENV = "KIKI_VERSION_TABLE_SCHEMA"
# Same default as drivers.CONNECT_TIMEOUT_SECONDS (that module imports SQLAlchemy).
CONNECT_TIMEOUT_SECONDS = 10
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"
EXTENSIONS = {"postgresql": ".dump", "sqlite": ".sqlite"}
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,100}$")

# libpq settings that may appear in a SQLAlchemy URL's query, and the environment variable of each.
LIBPQ_QUERY_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "sslcrl": "PGSSLCRL",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "passfile": "PGPASSFILE",
    "gssencmode": "PGGSSENCMODE",
    "krbsrvname": "PGKRBSRVNAME",
}

# Before the archive's own DROP ... IF EXISTS / CREATE statements: drop what the archive does not know
# about either (tables, views, sequences and types that migrations created after the backup), so the
# restored database is exactly the backed-up one and a later upgrade does not trip over leftovers.
DROP_EVERYTHING_SQL = r"""
DO $kiki_restore$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT n.nspname, c.relname,
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                          WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END AS kind
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype IN ('e', 'a', 'i'))
  LOOP
    EXECUTE format('DROP %s IF EXISTS %I.%I CASCADE', r.kind, r.nspname, r.relname);
  END LOOP;
  FOR r IN
    SELECT n.nspname, t.typname, CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END AS kind
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd', 'r', 'c')
      AND (t.typrelid = 0 OR (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
      AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid
                      AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP %s IF EXISTS %I.%I CASCADE', r.kind, r.nspname, r.typname);
  END LOOP;
END
$kiki_restore$;
"""


# What a restore as the connected role would have to drop and recreate but cannot (``_not_restorable_by_this_role``).
NOT_RESTORABLE_SQL = r"""
        SELECT kind || ' ' || name FROM (
          SELECT 'table' AS kind, n.nspname || '.' || c.relname AS name, c.relowner AS owner, c.oid,
                 'pg_class'::regclass AS catalog
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          UNION ALL
          SELECT 'type', n.nspname || '.' || t.typname, t.typowner, t.oid, 'pg_type'::regclass
          FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND
                (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c')
          UNION ALL
          SELECT 'function', n.nspname || '.' || p.proname, p.proowner, p.oid, 'pg_proc'::regclass
          FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        ) o
        WHERE NOT pg_has_role(o.owner, 'USAGE')
          AND split_part(o.name, '.', 1) <> 'information_schema' AND o.name NOT LIKE 'pg\_%'
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = o.catalog AND d.objid = o.oid
                          AND d.deptype IN ('e', 'i', 'a'))
        ORDER BY 1 LIMIT 20"""


# "209; 3079 16385 EXTENSION - citext", "4040; 0 0 COMMENT - EXTENSION citext", "6; 2615 2200 SCHEMA - x owner"
_TOC_ENTRY = re.compile(
    r"^\d+; \d+ \d+ (?:(?P<what>COMMENT|ACL) - )?(?P<kind>EXTENSION|SCHEMA)(?: -)? "
    r"(?P<name>[^\s]+)"
)


def _not_restorable_by_this_role(engine):
    """Objects a restore as the connected role would have to drop and recreate but cannot, because another
    role (which this one is not a member of) owns them: tables, views, sequences, types and functions
    outside the system schemas and outside extensions. Extensions and schemas owned by others are left
    out of a restore instead (``_kept_by_others``). At most 20 ``kind schema.name`` strings."""
    import sqlalchemy as sa

    from . import database

    with contextlib.closing(database.connect(engine)) as conn:
        return [row[0] for row in conn.execute(sa.text(NOT_RESTORABLE_SQL))]


def _backend(ctx, code):
    backend = ctx.url.get_backend_name()
    if backend not in EXTENSIONS:
        raise RunnerError(code, f"backup and restore support postgresql and sqlite databases, not {backend}")
    return backend


def _libpq(url):
    """(connection arguments, environment) for pg_dump/pg_restore/psql. The password goes into the
    environment (PGPASSWORD), never into argv where `ps` would show it."""
    args = []
    query = dict(url.query)
    host = url.host or query.pop("host", None)
    if host:
        args += ["--host", str(host)]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    env.setdefault("PGCONNECT_TIMEOUT", str(CONNECT_TIMEOUT_SECONDS))
    for key, value in query.items():
        if key in LIBPQ_QUERY_ENV:
            env[LIBPQ_QUERY_ENV[key]] = value if isinstance(value, str) else value[-1]
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return args, env, url.database or ""


def _tool(name, code):
    path = shutil.which(name)
    if not path:
        raise RunnerError(code, f"{name} is not installed in this image (Debian package postgresql-client)")
    return path


_NEEDED_LINE = re.compile(r"\b(error|fatal|detail|hint)\b", re.IGNORECASE)


def _stderr_summary(text, cap=6):
    """What pg_dump, pg_restore or psql said that a person needs: the ERROR/FATAL lines with their DETAIL and
    HINT lines (first ``cap``), redacted; else the first lines."""
    lines = [line.strip() for line in redact(text or "").splitlines() if line.strip()]
    needed = [line for line in lines if _NEEDED_LINE.search(line)]
    return "; ".join((needed or lines)[:cap]) or "no error output"


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_path(url, code):
    path = url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        raise RunnerError(code, "backup and restore need a SQLite database file, not an in-memory database")
    return Path(path)


def backup(ctx, args):
    name, keep = args.name, args.keep
    if not NAME_PATTERN.match(name):
        raise RunnerError(
            "BAD_ARGUMENTS",
            f"--name '{name}' must be letters, digits, '.', '_' or '-' "
            "(it is the prefix of the backup file names)",
        )
    if keep < 0:
        raise RunnerError("BAD_ARGUMENTS", "--keep must be 0 (keep every backup) or a positive number")
    light = _light_target(ctx.environ)
    backend = "postgresql" if light else _backend(ctx, "BACKUP_FAILED")
    directory = Path(args.dir)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunnerError(
            "BACKUP_FAILED", f"cannot create the backup directory {directory}: {exc.strerror or exc}"
        ) from None
    started = time.monotonic()
    # Named once the revision is known; a dot file until it is complete and verified.
    partial = directory / f".{name}-{os.getpid()}.partial"
    try:
        if backend == "postgresql":
            # pg_dump starts first; the revision and the role check are read while it dumps.
            dump = _PgDump(light[0] if light else ctx.url, partial, ctx.lock_timeout)
            try:
                if light:
                    rows, unrestorable = _psql_probe(*light)
                    current = sorted(r for r in rows or [] if r)
                else:
                    current = sorted(r for r in ctx.rows() or [] if r)
                    unrestorable = _not_restorable_by_this_role(ctx.engine)
            except BaseException:
                dump.abort()
                raise
            size, sha256 = dump.finish()
        else:
            current = sorted(r for r in ctx.rows() or [] if r)
            _sqlite_copy(_sqlite_path(ctx.url, "BACKUP_FAILED"), partial, "BACKUP_FAILED")
            unrestorable = []
            size, sha256 = partial.stat().st_size, _sha256(partial)
        revision = "+".join(current) or "base"
        final = _free_name(directory, name, revision, EXTENSIONS[backend])
        os.replace(partial, final)
    except OSError as exc:
        raise RunnerError(
            "BACKUP_FAILED", f"cannot write the backup in {directory}: {exc.strerror or exc}"
        ) from None
    finally:
        with contextlib.suppress(OSError):
            partial.unlink()
    removed = _apply_retention(directory, name, keep)
    duration_ms = int((time.monotonic() - started) * 1000)
    log.info(
        f"backup {final.name}: {size} bytes at revision {revision} in {duration_ms} ms"
        + (f", removed {len(removed)} old backup(s)" if removed else "")
    )
    outcome = {
        "file": final.name,
        "path": str(final.resolve()),
        "sizeBytes": size,
        "sha256": sha256,
        "revision": revision,
        "verified": not unrestorable,
        "durationMs": duration_ms,
        "removed": removed[:50],
        "removedCount": len(removed),
    }
    if unrestorable:
        outcome["unrestorable"] = unrestorable[:10]
        outcome["verifyMessage"] = (
            f"the archive reads back, but the role in the URL could not restore it: it does not own "
            f"{', '.join(unrestorable[:10])}{' and more' if len(unrestorable) > 10 else ''}, which a restore "
            "drops and recreates. Migrate as the role that owns the database's objects (ALTER ... OWNER TO), "
            "or restore by hand as their owner."
        )
        log.warning(f"backup {final.name} is not verified: {outcome['verifyMessage']}")
    return outcome


class _LightUrl:
    """The parts of a PostgreSQL URL ``_libpq`` uses, parsed without SQLAlchemy the way ``make_url`` parses
    them (user name and password percent-decoded)."""

    def __init__(self, host, port, username, password, database, query):
        self.host, self.port, self.username, self.password = host, port, username, password
        self.database, self.query = database, query


_PLAIN_POSTGRESQL_URL = re.compile(
    r"^postgresql(?:\+psycopg2?)?://"
    r"(?:(?P<username>[^:/?#@]*)(?::(?P<password>[^/?#@]*))?@)?"
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|[^/?#@:\[\]]*)(?::(?P<port>\d{1,5}))?"
    r"(?:/(?P<database>[^?#%]*))?(?:\?(?P<query>[^#]*))?$"
)


def _light_url(raw):
    """A ``_LightUrl`` of ``raw`` when it is a plain PostgreSQL URL (host, port, database, each query key once), or
    None: then the caller takes SQLAlchemy's path, which also says what is wrong with a bad URL."""
    match = _PLAIN_POSTGRESQL_URL.match(raw)
    if not match:
        return None
    pairs = parse_qsl(match.group("query") or "", keep_blank_values=True)
    query = dict(pairs)
    if len(query) != len(pairs):
        return None
    username, password = match.group("username"), match.group("password")
    return _LightUrl(
        host=match.group("host").strip("[]") or None,
        port=int(match.group("port")) if match.group("port") else None,
        username=unquote(username) if username else None,
        password=unquote(password) if password is not None else None,
        database=match.group("database") or None,
        query=query,
    )


def _light_target(environ):
    """(URL, version table schema, version table name) for a backup without SQLAlchemy and Alembic, or None: the
    operator names the version table (KIKI_VERSION_TABLE, KIKI_VERSION_TABLE_SCHEMA) and the URL is a plain
    PostgreSQL one. Without them (an older operator, kiki-migrate run by hand, SQLite) the backup runs env.py."""
    table = environ.get(VERSION_TABLE_ENV, "").strip()
    if not table:
        return None
    raw, source = environment.url_from_environment(environ)
    problem = environment.url_encoding_problem(raw)
    if problem:
        raise RunnerError("BAD_DATABASE_URL", f"{source} has {problem}. {environment.ENCODING_ADVICE}.")
    url = _light_url(raw)
    if url is None:
        return None
    add_secret(url.password)
    return url, environ.get(VERSION_TABLE_SCHEMA_ENV, "").strip() or None, table


def _psql_probe(url, schema, table):
    """(the version table's raw rows or None when it does not exist, ``NOT_RESTORABLE_SQL``'s list), read by one
    psql run: what ``ctx.rows()`` and ``_not_restorable_by_this_role`` read through SQLAlchemy. psql quotes the
    names itself (``:'var'``, ``:"var"``)."""
    regclass = "quote_ident(:'kiki_table')"
    identifier = ':"kiki_table"'
    if schema:
        regclass = "quote_ident(:'kiki_schema') || '.' || " + regclass
        identifier = ':"kiki_schema".' + identifier
    script = (
        f"SELECT to_regclass({regclass}) IS NOT NULL AS kiki_present \\gset\n"
        "SELECT 'T', :'kiki_present';\n"
        "\\if :kiki_present\n"
        f"SELECT 'R', version_num FROM {identifier};\n"
        "\\endif\n"
        f"SELECT 'U', o FROM ({NOT_RESTORABLE_SQL}) AS u(o);\n"
    )
    args, env, dbname = _libpq(url)
    probe = subprocess.run(
        [
            _tool("psql", "BACKUP_FAILED"),
            "--no-psqlrc",
            "--quiet",
            "--no-password",
            "--no-align",
            "--tuples-only",
            "--field-separator=\t",
            "--record-separator-zero",
            "--set",
            "ON_ERROR_STOP=1",
            "--set",
            f"kiki_table={table}",
            "--set",
            f"kiki_schema={schema or ''}",
            *args,
            "--dbname",
            dbname,
        ],
        input=script,
        capture_output=True,
        text=True,
        env=env,
    )
    where = f"{schema}.{table}" if schema else table
    if probe.returncode != 0:
        raise RunnerError(
            "DATABASE_UNREACHABLE",
            f"cannot read the version table {where} (psql exit {probe.returncode}: "
            f"{clause(_stderr_summary(probe.stderr))}). Check that the server runs and is reachable from this pod, "
            "and the host, port, database name, user and password in the URL Secret.",
        )
    present, rows, unrestorable = None, [], []
    for record in probe.stdout.split("\0"):
        kind, _, value = record.strip("\n").partition("\t")
        if kind == "T":
            present = value == "t"
        elif kind == "R":
            rows.append(value)
        elif kind == "U":
            unrestorable.append(value)
    if present is None:
        raise RunnerError("DATABASE_UNREACHABLE", f"psql printed no answer reading the version table {where}")
    return (rows if present else None), unrestorable


def _free_name(directory, name, revision, extension):
    """``<name>-<UTC yyyymmddTHHMMSSZ>-<revision><ext>``, waiting for the next second if taken."""
    for _ in range(3):
        stamp = datetime.datetime.now(datetime.UTC).strftime(TIMESTAMP_FORMAT)
        candidate = directory / f"{name}-{stamp}-{revision}{extension}"
        if not candidate.exists():
            return candidate
        time.sleep(1.0)
    raise RunnerError("BACKUP_FAILED", f"backup file {candidate.name} already exists")


class _PgDump:
    """``pg_dump --format=custom`` streamed into ``target``, hashed on the way (one pass over the bytes: the
    sha256 is of exactly what pg_dump wrote), then verified: ``pg_restore --list`` reads the archive's header
    and table of contents back from the file (not its data). A table locked by a running migration fails the
    dump after KIKI_LOCK_TIMEOUT (--lock-wait-timeout) instead of waiting for ever.

    Written to a pipe, the archive carries no data offsets in its table of contents, exactly as
    ``pg_dump -Fc > file`` makes it: pg_restore reads it, finding each table's data by reading forward."""

    CHUNK = 1 << 16

    def __init__(self, url, target, lock_timeout_seconds):
        args, env, dbname = _libpq(url)
        self.target = target
        self.size = 0
        self.digest = hashlib.sha256()
        self.failure = None
        self.stderr = tempfile.TemporaryFile()
        self.out = open(target, "wb")
        self.process = subprocess.Popen(
            [
                _tool("pg_dump", "BACKUP_FAILED"),
                "--format=custom",
                "--no-password",
                f"--lock-wait-timeout={max(int(lock_timeout_seconds * 1000), 1)}",
                *args,
                "--dbname",
                dbname,
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            stdin=subprocess.DEVNULL,
        )
        with contextlib.suppress(OSError, AttributeError):
            # A pipe as large as Linux allows, so pg_dump seldom waits for this process (busy meanwhile
            # importing Alembic for the revision) to read.
            fcntl.fcntl(self.process.stdout.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
        self.copier = threading.Thread(target=self._copy, name="pg_dump-copy", daemon=True)
        self.copier.start()

    def _copy(self):
        try:
            read = (
                self.process.stdout.read1
                if hasattr(self.process.stdout, "read1")
                else self.process.stdout.read
            )
            for chunk in iter(lambda: read(self.CHUNK), b""):
                self.digest.update(chunk)
                self.out.write(chunk)
                self.size += len(chunk)
            self.out.flush()
            os.fsync(self.out.fileno())
        except OSError as exc:
            self.failure = exc
            self.process.kill()

    def abort(self):
        self.process.kill()
        self.process.wait()
        self.copier.join()
        self.out.close()
        self.stderr.close()

    def finish(self):
        """(size in bytes, sha256) of the verified archive, or BACKUP_FAILED."""
        returncode = self.process.wait()
        self.copier.join()
        self.out.close()
        self.stderr.seek(0)
        stderr = self.stderr.read().decode("utf-8", "replace")
        self.stderr.close()
        if self.failure is not None:
            raise self.failure
        if returncode != 0:
            locked = (
                " (a table stayed locked longer than KIKI_LOCK_TIMEOUT: is a migration running?)"
                if "statement timeout" in stderr or "lock" in stderr
                else ""
            )
            raise RunnerError(
                "BACKUP_FAILED",
                f"pg_dump failed (exit {returncode}): "
                f"{clause(_stderr_summary(stderr))}{locked}; no backup file was written",
            )
        listing = subprocess.run(
            [_tool("pg_restore", "BACKUP_FAILED"), "--list", str(self.target)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if listing.returncode != 0:
            raise RunnerError(
                "BACKUP_FAILED",
                "the dump does not verify (pg_restore --list failed: "
                f"{_stderr_summary(listing.stderr)}); no backup file was kept",
            )
        return self.size, self.digest.hexdigest()


def _sqlite_copy(source, target, code):
    """A consistent copy through SQLite's online backup API, then an integrity check of the copy."""
    if not source.is_file():
        raise RunnerError(code, f"the SQLite database file {source} does not exist")
    try:
        _sqlite_backup_api(source, target)
        status = _sqlite_integrity(target)
    except sqlite3.Error as exc:
        raise RunnerError(code, f"SQLite copy of {source} failed: {exc}") from None
    if status != "ok":
        raise RunnerError(code, f"the SQLite copy does not verify (integrity_check: {status})")


def _sqlite_backup_api(source, target):
    """Copy the database file ``source`` (opened read-only) over ``target`` with SQLite's backup API."""
    with (
        contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
        contextlib.closing(sqlite3.connect(str(target))) as dst,
    ):
        src.backup(dst)


def _sqlite_integrity(path):
    """``PRAGMA integrity_check`` of the database file at ``path``, opened read-only ("ok" when sound)."""
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as check:
        return check.execute("PRAGMA integrity_check").fetchone()[0]


def _apply_retention(directory, name, keep):
    """Delete the oldest ``<name>-<timestamp>-...`` backups beyond the newest ``keep`` (0: keep all)."""
    if keep == 0:
        return []
    pattern = re.compile(rf"^{re.escape(name)}-(\d{{8}}T\d{{6}}Z)-.+\.(dump|sqlite)$")
    backups = sorted(
        (m.group(1), entry.name)
        for entry in directory.iterdir()
        if entry.is_file() and (m := pattern.match(entry.name))
    )
    removed = []
    for _, filename in backups[:-keep] if len(backups) > keep else []:
        try:
            (directory / filename).unlink()
            removed.append(filename)
        except OSError as exc:
            log.warning(f"retention: cannot delete {filename}: {exc.strerror or exc}")
    return removed


def restore(ctx, args):
    backend = _backend(ctx, "RESTORE_FAILED")
    source = backup_file(args.file, args.dir, "RESTORE_FAILED")
    from . import database

    started = time.monotonic()
    ctx.version_table  # noqa: B018 (read for its effect: env.py runs before anything changes)
    with database.migration_lock(ctx.engine, ctx.lock_timeout):
        if backend == "postgresql":
            _pg_restore(ctx.url, ctx.engine, source)
        else:
            _sqlite_restore(_sqlite_path(ctx.url, "RESTORE_FAILED"), source)
        current = sorted(r for r in ctx.rows() or [] if r)
    revision = "+".join(current) or "base"
    duration_ms = int((time.monotonic() - started) * 1000)
    log.info(f"restored {source.name}: the database is at revision {revision} ({duration_ms} ms)")
    return {"file": source.name, "revision": revision, "current": current, "durationMs": duration_ms}


def backup_file(file, directory, code):
    """The backup at ``file``, or a bare file name (as in status.lastBackup.file) in ``directory``."""
    source = Path(file)
    if not source.is_file() and not source.is_absolute() and len(source.parts) == 1:
        source = Path(directory) / source
    if not source.is_file():
        raise RunnerError(code, f"no backup file at {file} (nor in {directory}); nothing was changed")
    return source


def _kept_by_others(engine):
    """{"EXTENSION": names, "SCHEMA": names} that exist in the database and that the connected role neither
    owns nor may act for (``pg_has_role(owner, 'USAGE')``; a superuser may act for everyone): a restore
    as this role can neither drop nor recreate them, and needs not, since they are still there (an
    extension a superuser created, such as citext, in a database the application's role owns)."""
    import sqlalchemy as sa

    from . import database

    query = sa.text(
        "SELECT 'EXTENSION', extname FROM pg_extension WHERE NOT pg_has_role(extowner, 'USAGE') "
        "UNION ALL SELECT 'SCHEMA', nspname FROM pg_namespace WHERE NOT pg_has_role(nspowner, 'USAGE')"
    )
    kept = {"EXTENSION": set(), "SCHEMA": set()}
    with contextlib.closing(database.connect(engine)) as conn:
        for kind, name in conn.execute(query):
            kept[kind].add(name)
    return kept


def _restorable_entries(pg_restore, source, kept):
    """The archive's table of contents (``pg_restore --list``) without the entries of objects in ``kept``
    (their CREATE/DROP, COMMENT and ACL): the list a restore as this role can run."""
    listed = subprocess.run(
        [pg_restore, "--list", str(source)], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if listed.returncode != 0:
        raise RunnerError(
            "RESTORE_FAILED",
            f"{source.name} is not a readable pg_dump archive (pg_restore "
            f"exit {listed.returncode}: {_stderr_summary(listed.stderr)}); "
            "nothing was changed",
        )
    left_out = []
    lines = []
    for line in listed.stdout.splitlines():
        entry = _TOC_ENTRY.match(line)
        if entry and entry.group("name") in kept.get(entry.group("kind"), ()):
            left_out.append(" ".join(part for part in entry.group("what", "kind", "name") if part))
            continue
        lines.append(line)
    if left_out:
        log.info("restore leaves out what exists and belongs to another role: " + "; ".join(left_out))
    return "\n".join(lines) + "\n"


def _pg_restore(url, engine, source):
    """pg_restore's SQL script of the archive (``--clean --if-exists --no-owner``, without the entries
    ``_restorable_entries`` leaves out), run by psql after
    DROP_EVERYTHING_SQL in one transaction (``--single-transaction``, ON_ERROR_STOP): either the database
    is exactly the backup afterwards, or it is unchanged. The script is written to a file first, so an
    archive that breaks half-way is caught before anything runs (a pipe would hand psql a truncated
    script, which it would commit)."""
    pg_restore, psql = _tool("pg_restore", "RESTORE_FAILED"), _tool("psql", "RESTORE_FAILED")
    work_parent = source.parent if os.access(source.parent, os.W_OK) else None
    with tempfile.TemporaryDirectory(prefix=".kiki-restore.", dir=work_parent) as work:
        preamble = Path(work) / "drop-everything.sql"
        preamble.write_text(DROP_EVERYTHING_SQL, encoding="utf-8")
        script = Path(work) / "restore.sql"
        listing = Path(work) / "restore.list"
        listing.write_text(_restorable_entries(pg_restore, source, _kept_by_others(engine)), encoding="utf-8")
        render = subprocess.run(
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--use-list",
                str(listing),
                "--file",
                str(script),
                str(source),
            ],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        if render.returncode != 0:
            raise RunnerError(
                "RESTORE_FAILED",
                f"{source.name} is not a readable pg_dump archive (pg_restore "
                f"exit {render.returncode}: {_stderr_summary(render.stderr)}); "
                "nothing was changed",
            )
        args, env, dbname = _libpq(url)
        apply = subprocess.run(
            [
                psql,
                "--no-psqlrc",
                "--quiet",
                "--no-password",
                "--set",
                "ON_ERROR_STOP=1",
                "--single-transaction",
                *args,
                "--dbname",
                dbname,
                "--file",
                str(preamble),
                "--file",
                str(script),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    if apply.returncode != 0:
        raise RunnerError(
            "RESTORE_FAILED",
            f"restoring {source.name} failed (psql exit {apply.returncode}): "
            f"{clause(_stderr_summary(apply.stderr))}; the restore was rolled back and "
            "the database is unchanged",
        )


def _sqlite_restore(target, source):
    """Copy the backup over the database with SQLite's backup API (one write transaction)."""
    try:
        status = _sqlite_integrity(source)
        if status != "ok":
            raise RunnerError(
                "RESTORE_FAILED",
                f"{source.name} is not a sound SQLite database "
                f"(integrity_check: {status}); nothing was changed",
            )
        _sqlite_backup_api(source, target)
    except sqlite3.Error as exc:
        raise RunnerError("RESTORE_FAILED", f"restoring {source.name} into {target} failed: {exc}") from None
