"""What every command works with, built lazily: a command that needs no database (``history``) never
parses the URL, and one that needs no project never loads it (nor imports Alembic: a backup starts its
pg_dump before the project is loaded)."""

import functools
import os

from . import environment


class RunContext:
    def __init__(self, environ=os.environ):
        self.environ = environ

    @functools.cached_property
    def raw_url(self):
        return environment.url_from_environment(self.environ)

    @functools.cached_property
    def url(self):
        from . import database

        raw, source = self.raw_url
        return database.parse_url(raw, source if source != "default" else "the default database URL")

    @functools.cached_property
    def engine(self):
        from . import database

        return database.create_engine(self.url)

    @functools.cached_property
    def config(self):
        from . import project

        return project.load_config(environ=self.environ)

    @functools.cached_property
    def script(self):
        from . import project

        return project.load_script(self.config)

    def migration_config(self):
        """The Alembic Config for running env.py: the URL as sqlalchemy.url as well (for env.py files
        that ignore the connection the runner passes in ``attributes["connection"]``)."""
        from . import project

        self.url  # noqa: B018 (parsed first: a bad URL is BAD_DATABASE_URL, not an env.py failure)
        return project.load_config(self.raw_url[0], environ=self.environ)

    @functools.cached_property
    def version_table(self):
        """Where the project's env.py keeps its version table (a ``version_table.Location``)."""
        from . import version_table

        return version_table.locate(self.migration_config(), self.script, self.engine)

    @property
    def lock_timeout(self):
        return environment.lock_timeout_seconds(self.environ)

    @property
    def table_lock_timeout(self):
        return environment.table_lock_timeout_seconds(self.environ)

    def rows(self):
        """The version table's raw rows (None: no table)."""
        from . import version_table

        return version_table.read_rows(self.engine, self.version_table)

    def current(self, target=None, require_versioned=False):
        """The database's revisions, read from the project's version table and validated as a whole
        (BAD_VERSION_TABLE, UNKNOWN_CURRENT_REVISION naming the command's resolved ``target``), and with
        ``require_versioned`` UNVERSIONED_DATABASE for tables without a version table."""
        from . import version_table

        rows = self.rows()
        if require_versioned:
            version_table.check_versioned(self.engine, self.version_table, rows, self.script)
        return version_table.validate(self.script, rows, self.version_table, target=target)
