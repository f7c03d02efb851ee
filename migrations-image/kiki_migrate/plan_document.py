"""The full plan a reviewer reads: every step with the SQL Alembic's offline mode renders for it and the
sha256 of its script, and the hash that covers them.

The result JSON travels through the pod's 4 KiB termination message, too small for SQL, so ``plan`` also
writes this document to its log (stderr) between two marker lines; the operator reads the finished pod's
log and keeps the document in a ConfigMap. ``upgrade``/``downgrade --plan-hash H`` compute the same hash
again and refuse to run (PLAN_CHANGED) when it differs: what was reviewed is what runs.
"""

import hashlib
import json
import sys
from pathlib import Path

from alembic import util as alembic_util

from . import lint
from .database import error_text

BEGIN_MARKER = "----- BEGIN KIKI PLAN DOCUMENT -----"
END_MARKER = "----- END KIKI PLAN DOCUMENT -----"


def render_steps(config, direction, steps):
    """[{revision, scriptSha256, sql | renderError}] for the Script objects ``steps`` in execution order: the
    SQL of ``alembic upgrade|downgrade FROM:TO --sql`` (offline mode never connects; a step that reads the
    database cannot be rendered, and says why)."""
    rendered = []
    for step in steps:
        entry = {"revision": step.revision, "scriptSha256": script_sha256(step.path)}
        try:
            entry["sql"] = lint.render(
                config,
                direction,
                {
                    "revision": step.revision,
                    "downRevisions": list(alembic_util.to_tuple(step.down_revision) or ()),
                },
            )
        except Exception as exc:  # noqa: BLE001 - any failure of env.py or the script offline is reported
            entry["sql"] = None
            entry["renderError"] = error_text(exc)
        rendered.append(entry)
    return rendered


def script_sha256(path):
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except (OSError, TypeError):
        return None


def plan_hash(current, target, direction, rendered):
    """sha256 (first 16 hex digits) of the canonical JSON of what the plan runs: the database's revision,
    the target, the direction and, for each step, its revision, its script's sha256 and its rendered SQL.
    A changed script, a changed SQL, a database that moved: another hash."""
    canonical = json.dumps(
        {
            "current": sorted(current),
            "target": target,
            "direction": direction,
            "steps": [
                {"revision": s["revision"], "script": s["scriptSha256"], "sql": s.get("sql")}
                for s in rendered
            ],
        },
        separators=(",", ":"),
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def document(result, steps, rendered):
    """The plan document: the result's fields without the caps of the termination message, each step with
    its SQL."""
    by_revision = {r["revision"]: r for r in rendered}
    return {
        "planHash": result["planHash"],
        "current": result["current"],
        "target": result["target"],
        "direction": result["direction"],
        "stepCount": len(steps),
        "irreversibleSteps": [s["revision"] for s in steps if not s["reversible"]],
        "steps": [{**s, **by_revision.get(s["revision"], {})} for s in steps],
    }


def emit(doc, stream=None):
    """Writes ``doc`` to the log between the marker lines (one JSON line, so no log line splits it)."""
    stream = stream or sys.stderr
    stream.write(f"{BEGIN_MARKER}\n{json.dumps(doc, separators=(',', ':'))}\n{END_MARKER}\n")
    stream.flush()
