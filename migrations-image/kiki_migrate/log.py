"""The runner's own log lines: plain lines on stderr (which ``redact.install`` has wrapped).

Not the ``logging`` module on purpose: a project's ``env.py`` usually calls ``logging.config.fileConfig``,
which replaces root handlers and disables loggers it does not name, and the runner's lines must survive it.
"""

import sys
import time


def _line(level, message):
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    sys.stderr.write(f"{stamp} {level:<5} [kiki-migrate] {message}\n")
    sys.stderr.flush()


def info(message):
    _line("INFO", message)


def warning(message):
    _line("WARN", message)


def error(message):
    _line("ERROR", message)
