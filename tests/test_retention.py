"""Retention on both backends: old traces, logs, samples and points go; recent ones stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from llmobs_store.cli import main
from llmobs_store.ingest.records import LogRecord, MetricPointRecord, RequestSampleRecord
from llmobs_store.retention import parse_age, prune
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
