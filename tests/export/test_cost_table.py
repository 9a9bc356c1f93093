"""The cost table: report rows of a period and service, totals, and unpriced models."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from llmobs_store.export.cost_report import stream_cost_csv
from llmobs_store.export.cost_table import (
    build_cost_table,
    list_unpriced_models,
)
from llmobs_store.ingest.records import SpanRecord
from llmobs_store.store import Store
from tests.factories import make_span

DAY = datetime(2026, 1, 1, tzinfo=UTC)  # the factories' spans start at noon that day


def _call(
    n: int, *, model: str, service: str, cost: float | None, error: bool = False
) -> SpanRecord:
    return make_span(
        trace_id=f"{n:032x}",
        span_id=f"{n:016x}",
        offset_ms=n * 3_600_000,
        span_type="llm",
        model=model,
        service_name=service,
        input_tokens=100,
        output_tokens=10,
        cost_usd=cost,
        status="error" if error else "ok",
    )


@pytest.fixture
def calls(store: Store) -> Store:
    store.write(
        [
            _call(1, model="a", service="api", cost=0.5),
            _call(2, model="a", service="web", cost=0.25, error=True),
            _call(3, model="b", service="api", cost=None),
            _call(30, model="a", service="api", cost=9.0),  # the next day: outside the period
        ]
    )
    return store


def test_rows_and_totals_of_the_period(calls: Store) -> None:
    table = build_cost_table(calls, ["model"], since=DAY, until=DAY + timedelta(days=1))
    assert table.columns[:3] == ["model", "requests", "errors"]
    assert [(row[0], row[1], row[2], row[8]) for row in table.rows] == [
        ("a", 2, 1, 0.75),
        ("b", 1, 0, None),
    ]
    totals = table.totals
    assert (totals.requests, totals.errors, totals.cost_usd) == (3, 1, 0.75)
    assert (totals.input_tokens, totals.output_tokens) == (300, 30)
    assert (totals.unpriced, totals.priced) == (1, 2)
    assert totals.price_coverage == pytest.approx(2 / 3)
    assert not table.truncated


def test_one_service_only(calls: Store) -> None:
    table = build_cost_table(
        calls, ["model", "day"], since=DAY, until=DAY + timedelta(days=1), service="api"
    )
    assert [(row[0], row[1].isoformat(), row[2]) for row in table.rows] == [
        ("a", "2026-01-01", 1),
        ("b", "2026-01-01", 1),
    ]
    assert table.totals.requests == 2
    grouped = build_cost_table(
        calls, ["service"], since=DAY, until=DAY + timedelta(days=1), service="web"
    )
    assert [(row[0], row[1]) for row in grouped.rows] == [("web", 1)]


def test_truncation_and_csv(calls: Store) -> None:
    end = DAY + timedelta(days=1)
    table = build_cost_table(calls, "model", since=DAY, until=end, max_rows=1)
    assert table.truncated and len(table.rows) == 1
    text = b"".join(stream_cost_csv(calls, "model", DAY, end, service="api")).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["model"], r["requests"], r["cost_usd"]) for r in rows] == [
        ("a", "1", "0.5"),
        ("b", "1", ""),
    ]
    with pytest.raises(ValueError):
        stream_cost_csv(calls, "no such!", DAY, end)


def test_unpriced_models(calls: Store) -> None:
    (model,) = list_unpriced_models(calls, since=DAY, until=DAY + timedelta(days=1))
    assert (model.model, model.num_calls, model.input_tokens, model.output_tokens) == (
        "b",
        1,
        100,
        10,
    )
    assert (
        list_unpriced_models(calls, since=DAY, until=DAY + timedelta(days=1), service="web") == []
    )
