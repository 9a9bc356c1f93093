"""Show SQL: every analytics statement renders as text the SQL console accepts and agrees with."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Select

from llmobs_store.analytics.cache import (
    rolling_cache_hit_rate_statement,
    sample_cache_hits_statement,
)
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.analytics.latency import latency_percentiles_statement
from llmobs_store.analytics.rolling import cost_spikes_statement, rolling_error_rate_statement
from llmobs_store.analytics.statement import render_sql, sql_literal
from llmobs_store.analytics.top_traces import top_traces_statement
from llmobs_store.analytics.usage import usage_statement
from llmobs_store.sql.guard import check_read_only
from llmobs_store.sql.runner import run_query
from tests.analytics.crafted_spans import END, START, Crafted, crafted_store
from tests.conftest import BACKENDS

RANGE = SpanFilter(since=START + timedelta(minutes=20), until=END - timedelta(minutes=5))
# Quotes, a backslash, an IN list, JSON keys and both time bounds all have to survive rendering.
NARROW = SpanFilter(
    since=START,
    until=END,
    model=("gpt-4o", "claude-3-5-sonnet"),
    tenant="acme",
    attributes={"app.feature": "it's"},
)

STATEMENTS: dict[str, Select[Any]] = {
    "latency per model": latency_percentiles_statement(RANGE, group_by=["model"]),
    "ttft per tenant and hour": latency_percentiles_statement(
        NARROW, group_by=["tenant"], bucket="hour", measure="ttft"
    ),
    "usage per feature and day": usage_statement(
        RANGE, group_by=["attr:app.feature"], bucket="day"
    ),
    "usage narrow": usage_statement(NARROW),
    "usage by quoted attribute": usage_statement(SpanFilter(attributes={"it's": "a\\b"})),
    "error rate": rolling_error_rate_statement(RANGE, window=timedelta(minutes=10), step=300),
    "error rate per model": rolling_error_rate_statement(NARROW, group_by=["model"]),
    "cost spikes": cost_spikes_statement(RANGE, trailing=2, step=900, group_by=["meta:tenant"]),
    "top traces by cost": top_traces_statement(by="cost", limit=5, since=START),
    "top traces by duration": top_traces_statement(by="duration", until=END, service="search"),
    "cache hits": sample_cache_hits_statement(since=START, group_by=["model"], bucket="hour"),
    "rolling prompt-cache share": rolling_cache_hit_rate_statement(
        RANGE, window=timedelta(minutes=30), step=300, group_by=["model"]
    ),
}


@pytest.fixture(scope="module", params=BACKENDS)
def crafted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Crafted]:
    yield from crafted_store(request, tmp_path_factory)


@pytest.mark.parametrize("name", STATEMENTS)
def test_rendered_sql_runs_in_the_console_with_the_same_rows(crafted: Crafted, name: str) -> None:
    statement = STATEMENTS[name]
    with crafted.store.connect() as conn:
        sql = render_sql(statement, conn.dialect)
        expected = [tuple(row) for row in conn.execute(statement)]
    assert not re.search(r"\$\d|%\(", sql), "a bind placeholder was left in the text"
    check_read_only(sql, dialect=crafted.store.dialect_name)
    result = run_query(crafted.store, sql)
    assert result.rows == expected
    assert not result.truncated


def test_statements_have_rows_to_compare(crafted: Crafted) -> None:
    # Guard against a comparison of two empty answers.
    with crafted.store.connect() as conn:
        for name, statement in STATEMENTS.items():
            if name not in ("cache hits", "usage by quoted attribute"):
                assert conn.execute(statement).first() is not None, name


def test_literals() -> None:
    moment = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    assert sql_literal(moment) == "TIMESTAMPTZ '2026-03-01 23:30:00+00:00'"
    assert sql_literal(datetime(2026, 3, 1, 12, 0)) == "TIMESTAMPTZ '2026-03-01 12:00:00+00:00'"
    assert sql_literal("it's a \\ test") == "'it''s a \\ test'"
    assert (sql_literal(None), sql_literal(True), sql_literal(3), sql_literal(0.25)) == (
        "NULL",
        "TRUE",
        "3",
        "0.25",
    )
    with pytest.raises(ValueError):
        sql_literal(float("nan"))
    with pytest.raises(ValueError):
        sql_literal(object())
