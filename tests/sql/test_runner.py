"""The runner on real databases: refusals change nothing, runaways stop, the store lives on."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime

import pytest

import llmobs_store.sql.runner as runner_module
from llmobs_store.errors import InvalidSql, QueryTimeout
from llmobs_store.sql.guard import check_read_only
from llmobs_store.sql.runner import run_query
from llmobs_store.store import Store
from tests.conftest import count_rows
from tests.factories import make_log, make_span
from tests.sql.test_guard import ESCAPES

RUNAWAY = {
    "duckdb": "SELECT count(*) FROM range(100000000) a, range(100000) b",
    "postgresql": (
        "SELECT count(*) FROM generate_series(1, 100000000) a, generate_series(1, 100000) b"
    ),
}


@pytest.fixture
def filled(store: Store) -> Iterator[Store]:
    store.write(
        [
            make_span(name="chat gpt-4o", model="gpt-4o", input_tokens=10),
            make_span(name="chat gpt-4o", model="gpt-4o", input_tokens=30),
            make_span(name="chat claude", model="claude", input_tokens=5),
            make_log("hello"),
        ]
    )
    yield store


def _counts(store: Store) -> tuple[int, int]:
    return count_rows(store, "spans"), count_rows(store, "logs")


def test_escape_attempts_are_refused_and_change_nothing(filled: Store) -> None:
    # One store for the whole corpus (a store per attempt triples the suite's run time).
    before = _counts(filled)
    not_refused = []
    for sql in ESCAPES:
        try:
            run_query(filled, sql)
        except InvalidSql:
            continue
        not_refused.append(sql)
    assert not_refused == []
    assert _counts(filled) == before
    assert run_query(filled, "SELECT count(*) AS n FROM spans").rows == [(3,)]


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM spans",
        "UPDATE spans SET name = 'x'",
        "INSERT INTO logs (time, level, message) VALUES (now(), 'info', 'x')",
        "CREATE TABLE x (a INT)",
        "DROP TABLE logs",
    ],
)
def test_read_only_transaction_holds_without_the_guard(
    filled: Store, sql: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Defence in depth: with the allow-list switched off, the READ ONLY transaction refuses.
    monkeypatch.setattr(runner_module, "check_read_only", lambda sql, *, dialect: None)
    before = _counts(filled)
    with pytest.raises(InvalidSql):
        run_query(filled, sql)
    assert _counts(filled) == before
    assert run_query(filled, "SELECT count(*) AS n FROM spans").rows == [(3,)]


def test_duckdb_file_access_is_off_without_the_guard(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    if store.dialect_name != "duckdb":
        pytest.skip("DuckDB's enable_external_access")
    monkeypatch.setattr(runner_module, "check_read_only", lambda sql, *, dialect: None)
    with pytest.raises(InvalidSql, match="disabled by configuration"):
        run_query(store, "SELECT * FROM read_text('/etc/hostname')")


def test_runaway_query_stops_and_the_store_keeps_working(filled: Store) -> None:
    check_read_only(RUNAWAY[filled.dialect_name], dialect=filled.dialect_name)
    started = time.perf_counter()
    with pytest.raises(QueryTimeout) as caught:
        run_query(filled, RUNAWAY[filled.dialect_name], time_limit_ms=300)
    assert time.perf_counter() - started < 5
    assert str(caught.value) == "query stopped after the 300 ms time limit"
    # Every pooled connection still answers, and the writer still commits.
    for _ in range(filled.settings.pool_size + 1):
        assert run_query(filled, "SELECT count(*) AS n FROM spans").rows == [(3,)]
    filled.write([make_span(name="after the timeout", model="m")])
    result = run_query(filled, "SELECT name FROM spans WHERE name = :n", {"n": "after the timeout"})
    assert result.rows == [("after the timeout",)]


def test_named_parameters(filled: Store) -> None:
    result = run_query(
        filled,
        "SELECT model, sum(input_tokens) AS tokens FROM spans "
        "WHERE model = :model AND input_tokens >= :least GROUP BY model",
        {"model": "gpt-4o", "least": 10},
    )
    assert result.columns == ["model", "tokens"]
    assert [(m, int(t)) for m, t in result.rows] == [("gpt-4o", 40)]


def test_missing_parameter_is_named(filled: Store) -> None:
    with pytest.raises(InvalidSql, match="model"):
        run_query(filled, "SELECT * FROM spans WHERE model = :model")


def test_row_cap_sets_truncated(filled: Store) -> None:
    capped = run_query(filled, "SELECT name FROM spans ORDER BY name", max_rows=2)
    assert capped.rows == [("chat claude",), ("chat gpt-4o",)]
    assert capped.truncated is True
    exact = run_query(filled, "SELECT name FROM spans", max_rows=3)
    assert len(exact.rows) == 3 and exact.truncated is False
    assert exact.elapsed_ms > 0


def test_row_cap_does_not_compute_the_whole_answer(filled: Store) -> None:
    # PostgreSQL materialises a set-returning function in FROM, but streams one in SELECT.
    sql = {
        "duckdb": "SELECT * FROM range(0, 500000000) AS t(i)",
        "postgresql": "SELECT generate_series(0, 499999999) AS i",
    }
    started = time.perf_counter()
    result = run_query(filled, sql[filled.dialect_name], max_rows=5, time_limit_ms=4000)
    assert len(result.rows) == 5 and result.truncated
    assert time.perf_counter() - started < 1


def test_unknown_table_gives_the_database_message(filled: Store) -> None:
    with pytest.raises(InvalidSql) as caught:
        run_query(filled, "SELECT * FROM no_such_table")
    assert "no_such_table" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_values_keep_their_types(filled: Store) -> None:
    result = run_query(filled, "SELECT start_time, input_tokens FROM spans ORDER BY 2 LIMIT 1")
    assert isinstance(result.rows[0][0], datetime)
    assert result.rows[0][1] == 5
