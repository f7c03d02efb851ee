"""Serves GET /healthz on :8080 (200 while the database answers and is at the head of the image's
migrations, 503 otherwise): what a DatabaseMigration's `verify.checks[].http` can probe."""

import json
import os
import subprocess
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def database_at_head():
    done = subprocess.run(
        ["kiki-migrate", "current"],
        capture_output=True,
        text=True,
        env={**os.environ, "KIKI_RESULT_FILE": "/dev/null"},
    )
    lines = done.stdout.splitlines()
    return bool(lines) and json.loads(lines[-1]).get("atHead") is True


class Health(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        status = 404 if self.path != "/healthz" else (200 if database_at_head() else 503)
        self.send_response(status)
        self.end_headers()


if __name__ == "__main__":
    ThreadingHTTPServer(("", int(os.environ.get("PORT", "8080"))), Health).serve_forever()
