"""``POST /api/sql`` over real HTTP: rows as JSON, refusals and timeouts as 400, API keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from llmobs_store.config import Settings
from tests.conftest import count_rows
from tests.factories import make_span
from tests.live_server import LiveServer, serving_new_store


@pytest.fixture
def server(database_url: str, settings: Settings) -> Iterator[LiveServer]:
    """A server with a short time limit and a row ceiling of 2, over three spans."""
    tight = settings.replace(sql_time_limit_ms=300, max_returned_rows=2)
    with serving_new_store(database_url, tight) as live:
        live.store.write(
            [
                make_span(name="chat gpt-4o", model="gpt-4o", input_tokens=10),
                make_span(name="chat gpt-4o", model="gpt-4o", input_tokens=30),
                make_span(name="chat claude", model="claude", input_tokens=5),
            ]
        )
        yield live


def _sql(server: LiveServer, body: object, **headers: str) -> requests.Response:
    return requests.post(server.url + "/api/sql", json=body, headers=headers, timeout=30)


def test_rows_as_json(server: LiveServer) -> None:
    response = _sql(
        server,
        {
            "sql": "SELECT model, sum(input_tokens) AS tokens, min(start_time) AS first "
            "FROM spans WHERE model = :m GROUP BY model",
            "params": {"m": "gpt-4o"},
        },
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["columns"] == ["model", "tokens", "first"]
    # PostgreSQL's NUMERIC sum stays a number; the timestamp is ISO 8601.
    assert answer["rows"] == [["gpt-4o", 40, "2026-01-01T12:00:00+00:00"]]
    assert answer["truncated"] is False
    assert answer["elapsed_ms"] >= 0


def test_rows_are_capped_by_the_server(server: LiveServer) -> None:
    answer = _sql(server, {"sql": "SELECT name FROM spans ORDER BY name", "max_rows": 50}).json()
    assert answer["rows"] == [["chat claude"], ["chat gpt-4o"]] and answer["truncated"] is True
    answer = _sql(server, {"sql": "SELECT name FROM spans ORDER BY name", "max_rows": 1}).json()
    assert answer["rows"] == [["chat claude"]] and answer["truncated"] is True


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("DELETE FROM spans", "only SELECT queries are allowed, not DELETE"),
        ("SELECT * FROM read_csv('/etc/passwd')", "the function read_csv() is not allowed"),
        ("SELECT 1; DROP TABLE spans", "send exactly one statement (got 2)"),
    ],
)
def test_refusals_are_400(server: LiveServer, sql: str, message: str) -> None:
    response = _sql(server, {"sql": sql})
    assert response.status_code == 400
    assert response.json() == {"error": message}
    assert count_rows(server.store, "spans") == 3


def test_database_errors_are_400_with_its_message(server: LiveServer) -> None:
    response = _sql(server, {"sql": "SELECT * FROM no_such_table"})
    assert response.status_code == 400
    assert "no_such_table" in response.json()["error"]


def test_timeout_is_400_and_the_server_keeps_answering(server: LiveServer) -> None:
    runaway = {
        "duckdb": "SELECT count(*) FROM range(100000000) a, range(100000) b",
        "postgresql": "SELECT count(*) FROM generate_series(1, 100000000) a, "
        "generate_series(1, 100000) b",
    }[server.store.dialect_name]
    response = _sql(server, {"sql": runaway})
    assert response.status_code == 400
    assert response.json()["error"].startswith("query stopped after the 300 ms time limit")
    assert _sql(server, {"sql": "SELECT count(*) AS n FROM spans"}).json()["rows"] == [[3]]


@pytest.mark.parametrize(
    "body",
    [{}, {"sql": 1}, [], {"sql": "SELECT 1", "params": [1]}, {"sql": "SELECT 1", "max_rows": 0}],
)
def test_malformed_bodies_are_400(server: LiveServer, body: object) -> None:
    response = _sql(server, body)
    assert response.status_code == 400
    assert response.json()["error"]


def test_body_must_be_json(server: LiveServer) -> None:
    response = requests.post(server.url + "/api/sql", data="SELECT 1", timeout=30)
    assert response.status_code == 415


def test_api_key_is_required_when_configured(keyed_server: LiveServer) -> None:
    body = {"sql": "SELECT 1 AS one"}
    assert _sql(keyed_server, body).status_code == 401
    assert _sql(keyed_server, body, Authorization="Bearer wrong").status_code == 401
    answer = _sql(keyed_server, body, Authorization="Bearer k-one").json()
    assert answer["rows"] == [[1]]
