"""The one redaction function for everything the runner prints: stdout, stderr, the result file.

Secrets are registered once (the database password, raw and URL-encoded) and every line printed passes
through ``redact``. ``install`` wraps ``sys.stdout`` and ``sys.stderr`` so that output written by Alembic,
by a project's ``env.py`` logging, by tracebacks or by warnings is redacted as well.
"""

import re
import sys
from urllib.parse import quote, quote_plus

MASK = "***"

# scheme://user:password@host  ->  scheme://user:***@host (also for URLs whose password we never saw). The
# password runs to the last '@' of the URL, as the operator's Redaction reads it: an unencoded '@' in a password
# leaves no part of it behind.
_URL_PASSWORD = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s]*:)(?P<password>\S*)@")
# libpq key/value strings and environment-style assignments: password=secret, PGPASSWORD=secret
_KEY_VALUE_PASSWORD = re.compile(
    r"(?P<head>\b(?:password|PGPASSWORD)\s*=\s*)(?P<password>'[^']*'|\S+)", re.IGNORECASE
)

_secrets = set()


def add_secret(value):
    """Never print ``value``, nor its URL-encoded forms."""
    if not value:
        return
    for form in (value, quote(value, safe=""), quote_plus(value), value.replace("%", "%%")):
        if form:
            _secrets.add(form)


def redact(text):
    """``text`` with every registered secret and every URL or key/value password replaced by ``***``."""
    if not text:
        return text
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + MASK + "@", text)
    text = _KEY_VALUE_PASSWORD.sub(lambda m: m.group("head") + MASK, text)
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


class RedactingStream:
    """A text stream that redacts whole lines before passing them on (a secret split across two writes
    of one line is still caught)."""

    def __init__(self, target):
        self._target = target
        self._pending = ""

    def write(self, text):
        self._pending += text
        if "\n" in self._pending:
            complete, self._pending = self._pending.rsplit("\n", 1)
            self._target.write(redact(complete) + "\n")
        return len(text)

    def flush(self):
        if self._pending:
            self._target.write(redact(self._pending))
            self._pending = ""
        self._target.flush()

    def __getattr__(self, name):
        return getattr(self._target, name)


def install():
    """Route ``sys.stdout`` and ``sys.stderr`` through the redaction (idempotent)."""
    if not isinstance(sys.stdout, RedactingStream):
        sys.stdout = RedactingStream(sys.stdout)
    if not isinstance(sys.stderr, RedactingStream):
        sys.stderr = RedactingStream(sys.stderr)
