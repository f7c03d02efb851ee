"""What every command works with, built lazily: a command that needs no database (``history``) never
parses the URL, and one that needs no project never loads it."""
import functools
import os

from . import database, project


class RunContext:
    def __init__(self, environ=os.environ):
        self.environ = environ

    @functools.cached_property
    def raw_url(self):
        return database.url_from_environment(self.environ)

    @functools.cached_property
    def url(self):
        raw, source = self.raw_url
        return database.parse_url(raw, source if source != "default" else "the default database URL")

    @functools.cached_property
    def engine(self):
        return database.create_engine(self.url)

    @functools.cached_property
    def config(self):
        return project.load_config(environ=self.environ)

    @functools.cached_property
    def script(self):
        return project.load_script(self.config)

    def migration_config(self):
        """The Alembic Config for running env.py: the URL as sqlalchemy.url as well (for env.py files
        that ignore the connection the runner passes in ``attributes["connection"]``)."""
        self.url  # parsed first: a bad URL is BAD_DATABASE_URL, not an env.py failure
        return project.load_config(self.raw_url[0], environ=self.environ)

    @property
    def lock_timeout(self):
        return database.lock_timeout_seconds(self.environ)

    def current(self, target=None):
        """The database's revisions, checked against the project (UNKNOWN_CURRENT_REVISION, naming the
        command's resolved ``target`` when it has one)."""
        current = database.read_current(self.engine)
        project.check_current_known(self.script, current, target=target)
        return current
