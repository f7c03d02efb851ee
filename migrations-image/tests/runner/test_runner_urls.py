"""One meaning for every database URL: the cases in tests/fixtures/database-urls.json, which the operator's
SqlAlchemyUrlSharedCasesTest reads as well. A URL both sides can read gives the same user, password, host,
port and database; any other is refused by both, saying to URL-encode, without printing the password."""
import json

import pytest
from runner_harness import FIXTURES

from kiki_migrate import database
from kiki_migrate.errors import RunnerError

CASES = json.loads((FIXTURES / "database-urls.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", [c for c in CASES if not c.get("refused")], ids=lambda c: c["url"])
def test_the_runner_reads_the_url_as_the_shared_table_says(case):
    url = database.parse_url(case["url"])
    assert (url.username, url.password, url.host, url.port, url.database) == (
        case["user"], case["password"], case["host"], case["port"], case["database"])


@pytest.mark.parametrize("case", [c for c in CASES if c.get("refused")], ids=lambda c: c["url"])
def test_the_runner_refuses_the_url_as_the_shared_table_says(runner, case):
    with pytest.raises(RunnerError) as refused:
        database.parse_url(case["url"])
    assert refused.value.code == "BAD_DATABASE_URL"
    runner.secrets.append(case["password"])  # checked in stdout, stderr and the result, encoded forms too

    error = runner.fails("BAD_DATABASE_URL", "plan", "--target", "head", url=case["url"])

    assert "URL-encode the password" in error["message"] and case["encode"] in error["message"]
    assert error["message"] == refused.value.message
