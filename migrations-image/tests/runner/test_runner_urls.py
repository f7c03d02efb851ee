"""One meaning for every database URL: the cases in tests/fixtures/database-urls.json, which the operator's
SqlAlchemyUrlSharedCasesTest reads as well. A URL both sides can read gives the same user, password, host,
port and database; any other is refused by both, saying to URL-encode, without printing the password."""

import json
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from kiki_migrate import database
from kiki_migrate.errors import RunnerError
from runner_harness import FIXTURES

TABLE = json.loads((FIXTURES / "database-urls.json").read_text(encoding="utf-8"))
CASES = TABLE["cases"]


@pytest.mark.parametrize("case", [c for c in CASES if not c.get("refused")], ids=lambda c: c["url"])
def test_the_runner_reads_the_url_as_the_shared_table_says(case):
    url = database.parse_url(case["url"])
    assert (url.username, url.password, url.host, url.port, url.database) == (
        case["user"],
        case["password"],
        case["host"],
        case["port"],
        case["database"],
    )


@pytest.mark.parametrize("case", [c for c in CASES if c.get("refused")], ids=lambda c: c["url"])
def test_the_runner_refuses_the_url_as_the_shared_table_says(runner, case):
    with pytest.raises(RunnerError) as refused:
        database.parse_url(case["url"])
    assert refused.value.code == "BAD_DATABASE_URL"
    runner.secrets.append(case["password"])  # checked in stdout, stderr and the result, encoded forms too

    error = runner.fails("BAD_DATABASE_URL", "plan", "--target", "head", url=case["url"])

    assert TABLE["advice"] in error["message"] and case["encode"] in error["message"]
    assert error["message"] == refused.value.message


@pytest.mark.parametrize("encoded", TABLE["encoded"], ids=lambda e: e["python"])
def test_following_the_advice_gives_a_url_the_runner_reads_back_to_the_password(encoded):
    """The advice's Python recipe writes the table's form, and the runner reads both recipes' forms (the
    operator's test checks the Java recipe and reads both as well)."""
    assert quote(encoded["password"], safe="") == encoded["python"]
    for form in (encoded["python"], encoded["java"]):
        assert (
            database.parse_url(f"postgresql://kiki:{form}@127.0.0.1:5432/kiki").password
            == encoded["password"]
        )


def test_a_password_encoded_as_advised_logs_in(runner, postgres_url, sql, tmp_path):
    """A role whose password has a space, a '+' and an '@': the advised encoding connects; the form Java's
    URLEncoder alone writes ('+' for the space) is read as another password, which the server refuses."""
    encoded = TABLE["encoded"][0]
    role = "kiki_enc_" + tmp_path.name[-8:].lower().replace("-", "_")
    sql(postgres_url, f"CREATE ROLE \"{role}\" LOGIN PASSWORD '{encoded['password']}'")
    admin = sa.engine.make_url(postgres_url)
    runner.secrets.append(encoded["password"])
    try:
        for form in (encoded["python"], encoded["java"]):
            url = f"postgresql://{role}:{form}@{admin.host}:{admin.port}/{admin.database}"
            assert runner.ok("current", url=url)["current"] == []
        form_encoded = encoded["python"].replace("%20", "+")
        url = f"postgresql://{role}:{form_encoded}@{admin.host}:{admin.port}/{admin.database}"
        error = runner.fails("DATABASE_UNREACHABLE", "current", url=url)
        assert "password authentication failed" in error["message"]
    finally:
        sql(postgres_url, f'DROP ROLE "{role}"')
