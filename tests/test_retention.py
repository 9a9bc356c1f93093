"""Retention on both backends: old traces, logs, samples and points go; recent ones stay."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import text

from llmobs_store.cli import main
from llmobs_store.ingest.records import (
    LogRecord,
    MetricPointRecord,
    RequestSampleRecord,
    SpanRecord,
)
from llmobs_store.retention import ROLLUP_KEYS, parse_age, prune
from llmobs_store.store import Store
from tests.conftest import count_rows
from tests.factories import T0, make_span

NOW = T0 + timedelta(days=40)


def _fill(store: Store) -> tuple[str, str]:
    """An old trace (2 spans), a recent one, and old/recent logs, samples and points."""
    old = make_span(
        name="old root",
        input_text="old prompt",
        output_text="old answer",
        input_tokens=5,
        attributes={"gen_ai.input.messages": "[secret]", "k": 1},
    )
    old_child = make_span(trace_id=old.trace_id, parent_span_id=old.span_id, offset_ms=10)
    recent = make_span(name="recent", offset_ms=35 * 86_400_000, input_text="new prompt")
    store.write([old, old_child, recent])
    for when in (T0, T0 + timedelta(days=35)):
        store.write(
            [
                LogRecord(time=when, level="info", message="hello"),
                RequestSampleRecord(time=when, model="m", latency_s=1.0),
                MetricPointRecord(name="p", kind="gauge", series_key="s", time=when, value=1.0),
            ]
        )
    return old.trace_id, recent.trace_id


def test_prune_deletes_whole_old_traces_and_old_rows(store: Store) -> None:
    old_trace, recent_trace = _fill(store)
    result = prune(store, older_than=timedelta(days=30), now=NOW, batch_size=1)
    assert (result.num_traces, result.num_spans) == (1, 2)
    assert (result.num_logs, result.num_request_samples, result.num_metric_points) == (1, 1, 1)
    with store.connect() as conn:
        traces = conn.execute(text("SELECT trace_id FROM traces")).scalars().all()
        spans = conn.execute(text("SELECT DISTINCT trace_id FROM spans")).scalars().all()
    assert traces == [recent_trace] and spans == [recent_trace]
    for table in ("logs", "request_samples", "metric_points"):
        assert count_rows(store, table) == 1
    # Nothing left to do: a second run removes nothing.
    assert prune(store, older_than=timedelta(days=30), now=NOW) == type(result)()


def test_payloads_only_keeps_rows_and_numbers(store: Store) -> None:
    _fill(store)
    result = prune(store, older_than=timedelta(days=30), now=NOW, payloads_only=True)
    assert result.num_payloads_cleared == 1
    with store.connect() as conn:
        old = conn.execute(
            text(
                "SELECT input_text, output_text, input_tokens, attributes FROM spans "
                "WHERE name = 'old root'"
            )
        ).one()
        recent = conn.execute(text("SELECT input_text FROM spans WHERE name = 'recent'")).one()
    assert (old.input_text, old.output_text, old.input_tokens) == (None, None, 5)
    assert "gen_ai.input.messages" not in old.attributes and old.attributes["k"] == 1
    assert old.attributes["llmobs.content_dropped"] is True
    assert recent.input_text == "new prompt"
    assert count_rows(store, "spans") == 3


@pytest.mark.parametrize(
    ("text_age", "seconds"),
    [("30d", 2_592_000), ("12h", 43_200), ("2w", 1_209_600), ("90m", 5_400)],
)
def test_parse_age(text_age: str, seconds: int) -> None:
    assert parse_age(text_age).total_seconds() == seconds


def test_cli(store: Store, database_url: str) -> None:
    store.write([make_span()])  # from 2026-01-01: older than any age below
    store.close()
    runner = CliRunner()
    bad = runner.invoke(main, ["prune", "--older-than", "a month", "--db", database_url])
    assert bad.exit_code == 2 and "not an age" in bad.output
    done = runner.invoke(main, ["prune", "--older-than", "1d", "--db", database_url])
    assert done.output == (
        "deleted 1 traces (1 spans), 0 logs, 0 request samples and 0 metric points\n"
    )


# --- --keep-rollups: at ROLLUP_NOW, 30d is 2026-01-02 12:00, folded up to 00:00 that day -----
ROLLUP_NOW = T0 + timedelta(days=31)
DAY_MS = 86_400_000
GROUPS = [
    ("chat", "llm", "openai", "gpt-4o-mini"),
    ("chat", "llm", "anthropic", "claude-3-5-haiku"),
    ("batch", "llm", "acme", "in-house-7b"),  # never priced
    ("chat", "tool", None, None),
]
RAW_SUMS = """
    SELECT CAST(t.start_time AS DATE), coalesce(s.service_name, ''), s.span_type,
           coalesce(s.provider, ''), coalesce(s.model, ''), count(*),
           count(*) FILTER (WHERE s.status = 'error'), sum(s.input_tokens), sum(s.output_tokens),
           sum(s.total_tokens), sum(s.cache_read_tokens), sum(s.cache_write_tokens),
           sum(s.reasoning_tokens), sum(s.cost_usd), count(s.cost_usd), sum(s.duration_ms),
           max(s.duration_ms)
    FROM spans s JOIN traces t ON t.trace_id = s.trace_id
    WHERE t.end_time < CAST(:midnight AS TIMESTAMPTZ) GROUP BY 1, 2, 3, 4, 5
"""
ROLLUP_SUMS = """
    SELECT CAST(day_start AS DATE), service_name, span_type, provider, model, num_spans,
           num_errors, input_tokens, output_tokens, total_tokens, cache_read_tokens,
           cache_write_tokens, reasoning_tokens, cost_usd, num_priced, duration_ms_sum,
           duration_ms_max
    FROM daily_rollups
"""
Sums = dict[tuple[Any, ...], tuple[Any, ...]]


def _traces(rng: random.Random, first_ms: float, num_traces: int) -> list[SpanRecord]:
    """``num_traces`` 3-span traces a minute apart (an agent root, two children of any group)."""
    spans = []
    for i in range(num_traces):
        start_ms = first_ms + i * 60_000
        root = make_span(name="agent", span_type="agent", offset_ms=start_ms, duration_ms=5_000)
        spans.append(root)
        for j in range(2):
            service, span_type, provider, model = rng.choice(GROUPS)
            llm = span_type == "llm"
            tokens_in, tokens_out = (rng.randint(10, 2_000), rng.randint(1, 500)) if llm else (0, 0)
            spans.append(
                make_span(
                    trace_id=root.trace_id,
                    parent_span_id=root.span_id,
                    offset_ms=start_ms + 10 + j * 100,
                    duration_ms=round(rng.lognormvariate(6, 1), 3),
                    service_name=service,
                    span_type=span_type,
                    provider=provider,
                    model=model,
                    status="error" if rng.random() < 0.1 else "ok",
                    input_tokens=tokens_in or None,
                    output_tokens=tokens_out or None,
                    total_tokens=(tokens_in + tokens_out) or None,
                    cache_read_tokens=rng.randint(0, 10) if llm else None,
                    reasoning_tokens=rng.randint(0, 5) if model == "gpt-4o-mini" else None,
                    cost_usd=tokens_in * 1e-7 + tokens_out * 4e-7
                    if llm and model != "in-house-7b"
                    else None,
                )
            )
    return spans


def _sums(store: Store, query: str, midnight: str = "") -> Sums:
    """Rows keyed by (day, group), numbers normalised so both backends compare equal."""
    with store.connect() as conn:
        rows = conn.execute(text(query), {"midnight": midnight} if midnight else {})
        return {
            tuple(row[:5]): tuple(
                None if v is None else round(float(v), 6) if isinstance(v, float) else int(v)
                for v in row[5:]
            )
            for row in rows
        }


@pytest.fixture
def old_day(store: Store) -> list[SpanRecord]:
    """Three old days of 20 traces each (the last day's are returned), plus traces that stay.

    One trace starts at 23:59:59 on the last old day and ends after midnight, one starts at
    06:00 on the cutoff's day, five are recent.
    """
    rng = random.Random(7)
    last_day = _traces(rng, 0, 20)  # T0 is 2026-01-01 12:00
    store.write(_traces(rng, -2 * DAY_MS, 20) + _traces(rng, -DAY_MS, 20) + last_day)
    store.write(_traces(rng, 43_199_000, 1) + _traces(rng, 64_800_000, 1))
    store.write(_traces(rng, 35 * DAY_MS, 5))
    return last_day


def test_keep_rollups_folds_whole_days_equal_to_raw_sums(
    store: Store, old_day: list[SpanRecord]
) -> None:
    raw = _sums(store, RAW_SUMS, "2026-01-02 00:00:00+00")
    assert len(raw) >= 12 and count_rows(store, "spans") == 201
    result = prune(store, older_than=timedelta(days=30), now=ROLLUP_NOW, keep_rollups=True)
    assert (result.num_days_rolled_up, result.num_traces, result.num_spans) == (3, 60, 180)
    assert _sums(store, ROLLUP_SUMS) == raw
    assert count_rows(store, "traces") == 7 and count_rows(store, "spans") == 21
    with store.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT model, num_parts, num_unpriced, duration_ms_p50, duration_ms_p95, "
                "duration_ms_p99 FROM daily_rollups "
                "WHERE day_start = TIMESTAMPTZ '2026-01-01 00:00:00+00' AND span_type = 'llm'"
            )
        ).all()
    assert len(rows) == 3 and {row.num_parts for row in rows} == {1}
    for row in rows:
        durations = [s.duration_ms for s in old_day if s.model == row.model]
        expected = np.percentile(durations, [50, 95, 99])
        assert row[3:] == pytest.approx(expected, rel=1e-9)
        assert (row.num_unpriced > 0) == (row.model == "in-house-7b")
    # A rerun finds nothing left to fold: nothing is counted twice.
    again = prune(store, older_than=timedelta(days=30), now=ROLLUP_NOW, keep_rollups=True)
    assert again == type(result)()
    assert _sums(store, ROLLUP_SUMS) == raw


def test_keep_rollups_merges_a_day_folded_in_two_runs(
    store: Store, old_day: list[SpanRecord]
) -> None:
    raw = _sums(store, RAW_SUMS, "2026-01-03 00:00:00+00")
    prune(store, older_than=timedelta(days=30), now=ROLLUP_NOW, keep_rollups=True)
    with store.connect() as conn:
        first = conn.execute(text("SELECT * FROM daily_rollups")).mappings().all()
    # A day later the trace that crossed midnight ends before the cutoff, as does the 06:00 one.
    later = prune(
        store, older_than=timedelta(days=30), now=ROLLUP_NOW + timedelta(days=1), keep_rollups=True
    )
    assert (later.num_days_rolled_up, later.num_traces, later.num_spans) == (2, 2, 6)
    assert _sums(store, ROLLUP_SUMS) == raw
    with store.connect() as conn:
        merged = conn.execute(text("SELECT * FROM daily_rollups")).mappings().all()
    before = {tuple(r[k] for k in ROLLUP_KEYS): r for r in first}
    parts = {r["num_parts"] for r in merged if r["day_start"] == T0.replace(hour=0)}
    assert parts == {1, 2}  # the groups the crossing trace touched were merged
    for row in merged:
        key = tuple(row[k] for k in ROLLUP_KEYS)
        if row["num_parts"] == 2:  # the first part is far larger: its percentiles stay
            assert row["duration_ms_p95"] == before[key]["duration_ms_p95"]
            assert row["num_spans"] > before[key]["num_spans"]


def test_merged_percentiles_come_from_the_larger_part(store: Store) -> None:
    store.write(_traces(random.Random(1), -10 * DAY_MS, 1))  # one trace, folded first
    prune(store, older_than=timedelta(days=30), now=ROLLUP_NOW, keep_rollups=True)
    late = _traces(random.Random(2), -10 * DAY_MS + 120_000, 30)  # late arrivals, same day
    store.write(late)
    prune(store, older_than=timedelta(days=30), now=ROLLUP_NOW, keep_rollups=True)
    with store.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT span_type, model, num_spans, duration_ms_p99 FROM daily_rollups "
                "WHERE num_parts = 2 AND span_type <> 'agent'"
            )
        ).all()
    assert rows  # the first trace's children share a group with the late ones
    for row in rows:
        durations = [s.duration_ms for s in late if (s.span_type, s.model or "") == tuple(row[:2])]
        assert row.num_spans > len(durations)
        assert row.duration_ms_p99 == pytest.approx(np.percentile(durations, 99), rel=1e-9)


def test_cli_keep_rollups(store: Store, database_url: str) -> None:
    store.write([make_span(model="m", span_type="llm")])
    store.close()
    runner = CliRunner()
    both = ["--keep-rollups", "--payloads-only"]
    bad = runner.invoke(main, ["prune", "--older-than", "1d", *both, "--db", database_url])
    assert bad.exit_code == 2 and "pick one" in bad.output
    done = runner.invoke(
        main, ["prune", "--older-than", "1d", "--keep-rollups", "--db", database_url]
    )
    assert done.exit_code == 0, done.output
    assert done.output.startswith("folded 1 days into daily_rollups; deleted 1 traces (1 spans)")
