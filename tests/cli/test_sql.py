"""``llmobs sql``: read-only queries printed as a table, CSV or JSON."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from llmobs_store.cli import main
from llmobs_store.store import Store
from tests.factories import make_span
from tests.live_server import LiveServer


@pytest.fixture
def filled_url(store: Store, database_url: str) -> str:
    store.write(
        [
            make_span(name="chat gpt-4o", model="gpt-4o", input_tokens=10),
            make_span(name="chat gpt-4o", model="gpt-4o", input_tokens=30),
            make_span(name="chat claude", model="claude", input_tokens=5),
        ]
    )
    store.close()
    return database_url


QUERY = "SELECT model, sum(input_tokens) AS tokens FROM spans GROUP BY model ORDER BY model"


def test_table_output(filled_url: str) -> None:
    result = CliRunner().invoke(main, ["sql", QUERY, "--db", filled_url])
    assert result.exit_code == 0, result.output
    assert result.output == ("model   tokens\n------  ------\nclaude  5\ngpt-4o  40\n(2 rows)\n")


def test_csv_and_json_output(filled_url: str) -> None:
    runner = CliRunner()
    csv_out = runner.invoke(main, ["sql", QUERY, "--format", "csv", "--db", filled_url])
    assert csv_out.output == "model,tokens\nclaude,5\ngpt-4o,40\n"
    json_out = runner.invoke(main, ["sql", QUERY, "--format", "json", "--db", filled_url])
    assert json.loads(json_out.output) == [
        {"model": "claude", "tokens": 5},
        {"model": "gpt-4o", "tokens": 40},
    ]


def test_named_parameters_and_row_cap(filled_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main,
        ["sql", "SELECT name FROM spans WHERE model = :m", "-p", "m=claude", "--db", filled_url],
    )
    assert result.output == "name\n-----------\nchat claude\n(1 row)\n"
    capped = runner.invoke(
        main,
        ["sql", "SELECT name FROM spans", "--max-rows", "2", "--format", "csv", "--db", filled_url],
    )
    assert capped.stdout.count("\n") == 3
    assert "(truncated at 2 rows; use --max-rows)" in capped.stderr


@pytest.mark.parametrize(
    "query",
    [
        "DELETE FROM spans",
        "SELECT 1; DROP TABLE spans",
        "CREATE TABLE x (a INT)",
        "SELECT nextval('logs_id_seq')",
    ],
)
def test_writes_are_refused(filled_url: str, query: str) -> None:
    result = CliRunner().invoke(main, ["sql", query, "--db", filled_url])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    with Store.open(filled_url) as store, store.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT count(*) FROM spans")).scalar_one() == 3


def test_url_runs_the_query_on_a_running_server(live_server: LiveServer) -> None:
    live_server.store.write(
        [
            make_span(name="chat gpt-4o", model="gpt-4o", input_tokens=10),
            make_span(name="chat gpt-4o", model="gpt-4o", input_tokens=30),
            make_span(name="chat claude", model="claude", input_tokens=5),
        ]
    )
    runner = CliRunner()
    table = runner.invoke(main, ["sql", QUERY, "--url", live_server.url])
    assert table.exit_code == 0, table.output
    assert table.output == ("model   tokens\n------  ------\nclaude  5\ngpt-4o  40\n(2 rows)\n")
    csv_out = runner.invoke(main, ["sql", QUERY, "--format", "csv", "--url", live_server.url])
    assert csv_out.output == "model,tokens\nclaude,5\ngpt-4o,40\n"
    capped = runner.invoke(
        main,
        ["sql", "SELECT name FROM spans WHERE model = :m", "-p", "m=gpt-4o", "--max-rows", "1"]
        + ["--format", "json", "--url", live_server.url],
    )
    assert json.loads(capped.stdout) == [{"name": "chat gpt-4o"}]
    assert "(truncated at 1 rows; use --max-rows)" in capped.stderr
    refused = runner.invoke(main, ["sql", "DELETE FROM spans", "--url", live_server.url])
    assert refused.exit_code == 1
    assert refused.output == "Error: only SELECT queries are allowed, not DELETE\n"


def test_url_sends_the_api_key(keyed_server: LiveServer) -> None:
    runner = CliRunner()
    args = ["sql", "SELECT 1 AS one", "--format", "csv", "--url", keyed_server.url]
    refused = runner.invoke(main, args)
    assert refused.exit_code == 1
    assert refused.output == "Error: HTTP 401: missing or invalid API key\n"
    assert runner.invoke(main, [*args, "--api-key", "k-one"]).output == "one\n1\n"
    with_env = runner.invoke(main, args, env={"LLMOBS_API_KEY": "k-two"})
    assert with_env.output == "one\n1\n"


def test_url_that_does_not_answer() -> None:
    result = CliRunner().invoke(main, ["sql", "SELECT 1", "--url", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: could not reach http://127.0.0.1:9: ")
