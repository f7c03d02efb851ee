"""What the runner reads from its environment before any database library is imported: the database URL
(its password registered for redaction first) and the lock timeouts. Imports nothing heavy, so that a command
that needs neither SQLAlchemy nor Alembic (``backup`` given the version table's location) starts fast."""

import os
import re
from urllib.parse import quote

from .errors import RunnerError
from .redact import add_secret

DEFAULT_URL = "sqlite:///./kiki_campaigns.db"
DEFAULT_LOCK_TIMEOUT_SECONDS = 60
DEFAULT_TABLE_LOCK_TIMEOUT_SECONDS = 5

# scheme://user:PASSWORD@ up to the last '@' (as the operator reads it): registered as a secret before
# anything else, so that no part of a password with an unencoded '@' is ever printed.
_ROUGH_PASSWORD = re.compile(r"://[^:/@\s]*:(.*)@")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
# Characters that end or split a URL's user name and password (RFC 3986 gen-delims other than ':'), and
# whitespace: unencoded there, parsers disagree about where the host starts.
_USERINFO_DELIMITERS = "/?#[]"
# How to encode, word for word as the operator's SqlAlchemyUrl says it (tests/fixtures/database-urls.json).
# Java's URLEncoder is meant for HTML forms: alone it writes a space as '+', which a URL parser reads back as a '+'.
ENCODING_ADVICE = (
    'URL-encode the password (and user name) in the Secret: urllib.parse.quote(password, safe="") in Python, '
    'URLEncoder.encode(password, UTF_8).replace("+", "%20") in Java (URLEncoder alone writes a space as \'+\', '
    "which every URL parser reads back as a '+'); '@' is %40, '/' is %2F, ':' is %3A, '%' is %25, a space is %20"
)


def url_from_environment(environ=os.environ):
    """(URL string, the name of the variable it came from): KIKI_DATABASE_URL, else DATABASE_URL, else
    the seed's SQLite default."""
    for name in ("KIKI_DATABASE_URL", "DATABASE_URL"):
        value = environ.get(name, "").strip()
        if value:
            match = _ROUGH_PASSWORD.search(value)
            if match:
                # registered before parsing, so that even a malformed URL's password is never printed
                add_secret(match.group(1))
            return value, name
    return DEFAULT_URL, "default"


def _escape(character):
    return "%20" if character == " " else quote(character, safe="")


def url_encoding_problem(raw):
    """What in ``raw`` must be URL-encoded before any parser can agree on its meaning, or None.

    The rule the operator's parser (``SqlAlchemyUrl.java``) applies as well, so the two read a URL the same
    way or refuse it the same way (shared cases: ``tests/fixtures/database-urls.json``): after
    ``scheme://``, at most one '@' (the one before the host); no '/', '?', '#', '[', ']' or whitespace before
    it (in the user name or password); every '%' starts a %XX escape. The text never contains the URL."""
    scheme = _SCHEME.match(raw)
    if not scheme or raw[scheme.end() :].startswith("/"):
        return None  # no authority (sqlite:///path): nothing to mistake for a host
    if _BAD_ESCAPE.search(raw):
        return "a '%' that does not start a %XX escape (write '%' as %25)"
    rest = raw[scheme.end() :]
    if rest.count("@") > 1:
        return (
            f"{rest.count('@')} '@' characters, but only the one before the host may be unencoded "
            "(write '@' in a password or user name as %40)"
        )
    if "@" in rest:
        userinfo = rest[: rest.index("@")]
        found = sorted({c for c in userinfo if c in _USERINFO_DELIMITERS or c.isspace()})
        if found:
            listed = ", ".join(f"'{c}' as {_escape(c)}" for c in found)
            return f"a user name or password with characters that end it early (write {listed})"
    return None


def _positive_seconds(environ, name, default):
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if value <= 0:
        raise RunnerError("BAD_ARGUMENTS", f"{name} must be a positive number of seconds, got '{raw}'")
    return value


def lock_timeout_seconds(environ=os.environ):
    """How long to wait for the migration (advisory) lock, and for table locks in pg_dump: KIKI_LOCK_TIMEOUT."""
    return _positive_seconds(environ, "KIKI_LOCK_TIMEOUT", DEFAULT_LOCK_TIMEOUT_SECONDS)


def table_lock_timeout_seconds(environ=os.environ):
    """How long one statement of a migration waits for a lock another session holds (PostgreSQL's
    ``lock_timeout``): KIKI_TABLE_LOCK_TIMEOUT, the operator's ``spec.timeouts.lock``."""
    return _positive_seconds(environ, "KIKI_TABLE_LOCK_TIMEOUT", DEFAULT_TABLE_LOCK_TIMEOUT_SECONDS)
