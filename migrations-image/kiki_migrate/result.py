"""The result object: one JSON line on stdout (the last one) and the same object in the result file.

The operator reads it from the pod's ``terminated.message``, which Kubernetes caps at 4096 bytes, so the
object is kept under ``LIMIT`` bytes: commands cap their lists and give counts, and ``fit`` shortens long
strings and halves the longest list (setting ``truncated: true``) as a last resort.
"""

import json
import os

from . import log
from .redact import redact

LIMIT = 4000
DEFAULT_RESULT_FILE = "/dev/termination-log"
MAX_STRING = 1000


def _redact_values(value):
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redact_values(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact_values(v) for k, v in value.items()}
    return value


def _serialize(result):
    return json.dumps(result, separators=(",", ":"), ensure_ascii=True)


def _shorten_strings(value):
    if isinstance(value, str) and len(value) > MAX_STRING:
        return value[: MAX_STRING - 3] + "..."
    if isinstance(value, list):
        return [_shorten_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: _shorten_strings(v) for k, v in value.items()}
    return value


def _longest_list(value):
    """(size in bytes, the list) of the list whose serialization is longest, anywhere in ``value``."""
    best = (0, None)
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    if isinstance(value, list) and value:
        best = (len(_serialize(value)), value)
    for child in children:
        if isinstance(child, (list, dict)):
            candidate = _longest_list(child)
            if candidate[0] > best[0]:
                best = candidate
    return best


def fit(result):
    """``result`` made small enough for a termination message."""
    if len(_serialize(result)) <= LIMIT:
        return result
    result = _shorten_strings(result)
    while len(_serialize(result)) > LIMIT:
        _, longest = _longest_list(result)
        if not longest:
            break
        del longest[len(longest) // 2 :]
        result["truncated"] = True
    return result


def result_file_path():
    configured = os.environ.get("KIKI_RESULT_FILE")
    if configured:
        return configured
    if os.path.exists(DEFAULT_RESULT_FILE) and os.access(DEFAULT_RESULT_FILE, os.W_OK):
        return DEFAULT_RESULT_FILE
    return None


def emit(result, stdout):
    """Print ``result`` as the last stdout line and write it to the result file."""
    text = redact(_serialize(fit(_redact_values(result))))
    path = result_file_path()
    if path:
        try:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        except OSError as exc:
            log.warning(f"could not write the result file {path}: {exc.strerror or exc}")
    stdout.write(text + "\n")
    stdout.flush()
    return text
