"""Demo telemetry: deterministic, realistic in shape and statistics, and loaded faithfully."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from llmobs_store.db.models import AlertRule
from llmobs_store.ingest.records import (
    LogRecord,
    MetricPointRecord,
    RawSpan,
    RequestSampleRecord,
)
from llmobs_store.store import Store
from seed_data import DemoBatch, generate, load_demo
from seed_data.catalogue import TOOL_ERRORS
from seed_data.loader import demo_rules
from tests.conftest import count_rows

END = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
DAYS = 3.0
USAGE_KEYS = (
    "gen_ai.usage.input_tokens",
    "gen_ai.usage.output_tokens",
    "gen_ai.usage.cache_read.input_tokens",
    "gen_ai.usage.cache_creation.input_tokens",
    "gen_ai.usage.reasoning.output_tokens",
)
TENANTS = {"acme", "globex", "initech", "umbrella", "hooli"}


@pytest.fixture(scope="module")
def batches() -> list[DemoBatch]:
    return list(generate(num_traces=2_000, days=DAYS, seed=7, end=END))


@pytest.fixture(scope="module")
def spans(batches: list[DemoBatch]) -> list[RawSpan]:
    return [s for b in batches for s in b.spans]


@pytest.fixture(scope="module")
def chat_spans(spans: list[RawSpan]) -> list[RawSpan]:
    return [s for s in spans if s.attributes.get("gen_ai.operation.name") == "chat"]


def logs_of(batches: list[DemoBatch]) -> list[LogRecord]:
    return [r for b in batches for r in b.logs]


def samples_of(batches: list[DemoBatch]) -> list[RequestSampleRecord]:
    return [r for b in batches for r in b.request_samples]


def points_of(batches: list[DemoBatch]) -> list[MetricPointRecord]:
    return [r for b in batches for r in b.metric_points]


def digest(batches: list[DemoBatch]) -> str:
    return hashlib.sha256(repr(batches).encode()).hexdigest()


def test_same_arguments_give_identical_batches() -> None:
    first = list(generate(num_traces=600, days=2, seed=1, end=END))
    again = list(generate(num_traces=600, days=2, seed=1, end=END))
    assert first == again  # ids, times, attributes, events, logs, samples and points
    other = list(generate(num_traces=600, days=2, seed=2, end=END))
    assert [s.trace_id for s in first[0].spans] != [s.trace_id for s in other[0].spans]
    assert first[0].spans[0].start_time != other[0].spans[0].start_time


def test_output_does_not_depend_on_the_process() -> None:
    """Another interpreter, with another string-hash seed, produces the very same bytes."""
    code = (
        "import hashlib, datetime as d; from seed_data import generate; "
        "end = d.datetime(2025, 3, 3, 12, tzinfo=d.UTC); "
        "b = list(generate(num_traces=300, days=1, seed=5, end=end)); "
        "print(hashlib.sha256(repr(b).encode()).hexdigest())"
    )
    env = {"PYTHONHASHSEED": "12345", "PATH": ""}
    root = Path(__file__).parents[2]
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root, check=True
    )
    here = list(generate(num_traces=300, days=1, seed=5, end=END))
    assert result.stdout.strip() == digest(here)


def test_rejects_impossible_arguments() -> None:
    with pytest.raises(ValueError, match="num_traces"):
        next(generate(num_traces=-1, days=1, seed=1, end=END))
    with pytest.raises(ValueError, match="days"):
        next(generate(num_traces=10, days=0, seed=1, end=END))


def test_batches_come_in_time_order_inside_the_window(batches: list[DemoBatch]) -> None:
    assert [b.num_traces for b in batches] == [500, 500, 500, 500]
    roots = [s for b in batches for s in b.spans if s.parent_span_id is None]
    starts = [r.start_time for r in roots]
    assert starts == sorted(starts)
    assert starts[0] >= END - timedelta(days=DAYS)
    assert max(s.end_time for b in batches for s in b.spans) < END


def test_traffic_follows_a_daily_rhythm(spans: list[RawSpan]) -> None:
    hours = Counter(s.start_time.hour for s in spans if s.parent_span_id is None)
    working = sum(hours[h] for h in range(9, 18))
    night = sum(hours[h] for h in (0, 1, 2, 3, 4, 22, 23, 21, 20))
    assert working > 4 * night


def test_every_trace_is_one_tree_of_nested_spans(spans: list[RawSpan]) -> None:
    by_id = {(s.trace_id, s.span_id): s for s in spans}
    assert len(by_id) == len(spans)
    roots = Counter(s.trace_id for s in spans if s.parent_span_id is None)
    assert set(roots) == {s.trace_id for s in spans}
    assert set(roots.values()) == {1}
    for span in spans:
        assert span.start_time < span.end_time
        if span.parent_span_id is not None:
            parent = by_id[(span.trace_id, span.parent_span_id)]
            assert parent.start_time <= span.start_time
            assert span.end_time <= parent.end_time


def test_trace_shapes_vary(spans: list[RawSpan]) -> None:
    per_trace: dict[str, Counter[str]] = {}
    for span in spans:
        operation = span.attributes.get("gen_ai.operation.name", "other")
        per_trace.setdefault(span.trace_id, Counter())[operation] += 1
    shapes = Counter(tuple(sorted(ops.items())) for ops in per_trace.values())
    assert len(shapes) >= 8
    assert any(ops["execute_tool"] >= 2 and ops["invoke_agent"] == 1 for ops in per_trace.values())
    assert any(ops["embeddings"] == 1 for ops in per_trace.values())
    assert any(ops == Counter(invoke_workflow=1, chat=1) for ops in per_trace.values())


def test_about_three_percent_of_llm_calls_fail_without_tokens(chat_spans: list[RawSpan]) -> None:
    failed = [s for s in chat_spans if s.status == "error"]
    assert 0.015 <= len(failed) / len(chat_spans) <= 0.05
    for span in failed:
        assert not any(key in span.attributes for key in USAGE_KEYS)
        assert span.attributes["error.type"]
        assert span.status_message
        (event,) = span.events
        assert event.name == "exception"
        assert {"exception.type", "exception.message", "exception.stacktrace"} <= set(
            event.attributes
        )
    for span in chat_spans:
        if span.status != "error":
            assert span.attributes["gen_ai.usage.input_tokens"] > 0
            assert span.attributes["gen_ai.usage.output_tokens"] > 0
            assert span.attributes["gen_ai.response.model"]


def test_some_tools_fail_too(spans: list[RawSpan]) -> None:
    tools = [s for s in spans if s.attributes.get("gen_ai.operation.name") == "execute_tool"]
    failed = [s for s in tools if s.status == "error"]
    assert 0 < len(failed) < 0.1 * len(tools)
    assert {s.attributes["error.type"] for s in failed} <= {e.error_type for e in TOOL_ERRORS}


def test_models_providers_and_tenants(spans: list[RawSpan], chat_spans: list[RawSpan]) -> None:
    models = Counter(s.attributes["gen_ai.request.model"] for s in chat_spans)
    assert len(models) >= 6
    assert 0 < models["acme-llm-7b"] < 0.06 * len(chat_spans)  # rare and unpriced
    providers = {s.attributes["gen_ai.provider.name"] for s in chat_spans}
    assert {"openai", "anthropic", "gcp.gemini", "mistral_ai", "vllm"} <= providers
    roots = [s for s in spans if s.parent_span_id is None]
    for span in roots + chat_spans:
        assert span.attributes["metadata.tenant"] in TENANTS
        assert span.attributes["metadata.feature"] in {"chat", "search", "summarise"}
        assert span.attributes["user.id"].startswith("user-")
    assert {s.attributes["metadata.tenant"] for s in roots} == TENANTS
    services = {s.resource_attributes["service.name"] for s in spans}
    assert services == {"support-bot", "search-api", "summariser"}


def test_sessions_and_users(spans: list[RawSpan]) -> None:
    roots = [s for s in spans if s.parent_span_id is None]
    sessions = Counter(
        s.attributes["gen_ai.conversation.id"]
        for s in roots
        if "gen_ai.conversation.id" in s.attributes
    )
    assert sum(sessions.values()) / len(sessions) >= 1.8  # several requests per conversation
    users = Counter(s.attributes["user.id"] for s in roots)
    assert 100 <= len(users) <= 400
    busiest = sum(n for _, n in users.most_common(len(users) // 10))
    assert busiest > 0.3 * len(roots)  # Zipf-like: a tenth of the users make a third of calls


def test_ttft_only_on_streaming_calls(chat_spans: list[RawSpan]) -> None:
    ok = [s for s in chat_spans if s.status != "error"]
    streamed = [s for s in ok if s.attributes["gen_ai.request.stream"]]
    assert 0 < len(streamed) < len(ok)
    for span in ok:
        ttft = span.attributes.get("gen_ai.response.time_to_first_chunk")
        assert (ttft is not None) == span.attributes["gen_ai.request.stream"]
        if ttft is not None:
            assert 0 < ttft <= (span.end_time - span.start_time).total_seconds()


def test_cache_and_reasoning_tokens(chat_spans: list[RawSpan]) -> None:
    ok = [s.attributes for s in chat_spans if s.status != "error"]
    cached = [a for a in ok if "gen_ai.usage.cache_read.input_tokens" in a]
    written = [a for a in ok if "gen_ai.usage.cache_creation.input_tokens" in a]
    reasoned = [a for a in ok if "gen_ai.usage.reasoning.output_tokens" in a]
    assert cached and written and reasoned
    for a in cached + written:
        cache = a.get("gen_ai.usage.cache_read.input_tokens", 0)
        cache += a.get("gen_ai.usage.cache_creation.input_tokens", 0)
        assert cache < a["gen_ai.usage.input_tokens"]  # included in the input count
    assert {a["gen_ai.provider.name"] for a in written} == {"anthropic"}
    assert {a["gen_ai.request.model"] for a in reasoned} == {"o3-mini"}
    for a in reasoned:
        assert a["gen_ai.usage.reasoning.output_tokens"] < a["gen_ai.usage.output_tokens"]


def test_messages_have_the_genai_shape(chat_spans: list[RawSpan]) -> None:
    for span in chat_spans[:300]:
        for message in json.loads(span.attributes["gen_ai.input.messages"]):
            assert message["role"] in {"user", "assistant", "tool"}
            assert message["parts"][0]["type"] in {"text", "tool_call", "tool_call_response"}
        if span.status != "error":
            (output,) = json.loads(span.attributes["gen_ai.output.messages"])
            assert output["role"] == "assistant"
            assert output["finish_reason"] in {"stop", "tool_call", "length"}
            assert isinstance(span.attributes["gen_ai.response.finish_reasons"], list)
    instructions = [s for s in chat_spans if "gen_ai.system_instructions" in s.attributes]
    assert 0 < len(instructions) < len(chat_spans)
    texts = {s.attributes["gen_ai.input.messages"] for s in chat_spans}
    assert any("reset my password" in t for t in texts)


def test_logs_and_samples_follow_the_calls(
    batches: list[DemoBatch], spans: list[RawSpan], chat_spans: list[RawSpan]
) -> None:
    span_ids = {s.span_id: s for s in spans}
    logs, samples = logs_of(batches), samples_of(batches)
    assert {r.trace_id for r in logs} == {s.trace_id for s in spans}
    assert all(r.span_id in span_ids for r in logs)
    levels = Counter(r.level for r in logs)
    assert levels["info"] > levels["error"] > 0 and levels["warning"] > 0
    for entry in logs:
        if entry.level == "error":
            assert entry.error_type
    assert all(r.span_id in span_ids for r in samples)
    assert len([r for r in samples if r.cache_hit is not True]) == len(chat_spans)
    for sample in samples:
        if not sample.success:
            assert sample.input_tokens is None and sample.cost_usd is None
    hits = [r for r in samples if r.cache_hit is not None]
    assert 0.2 < sum(bool(r.cache_hit) for r in hits) / len(hits) < 0.45
    unpriced = {r.model for r in samples if r.success and r.cost_usd is None}
    assert unpriced == {"acme-llm-7b"}


def test_metric_points(batches: list[DemoBatch], chat_spans: list[RawSpan]) -> None:
    points = points_of(batches)
    names = Counter(p.name for p in points)
    assert set(names) == {
        "gen_ai.client.operation.duration",
        "gen_ai.client.token.usage",
        "app.queue.depth",
    }
    series: dict[str, tuple[str, Any]] = {}
    for point in points:
        identity = (point.name, json.dumps(point.attributes, sort_keys=True))
        assert series.setdefault(point.series_key, identity) == identity
        assert len(point.series_key) == 64
        if point.kind == "histogram":
            assert point.temporality == "delta"
            assert point.explicit_bounds is not None and point.bucket_counts is not None
            assert len(point.bucket_counts) == len(point.explicit_bounds) + 1
            assert sum(point.bucket_counts) == point.count
            assert point.start_time is not None and point.start_time < point.time
    durations = [p for p in points if p.name == "gen_ai.client.operation.duration"]
    assert sum(p.count or 0 for p in durations) == len(chat_spans)
    assert durations[0].explicit_bounds is not None and durations[0].explicit_bounds[0] == 0.01


def test_rules_file_fits_the_alert_rules_table() -> None:
    columns = set(AlertRule.__table__.columns.keys())
    rules = demo_rules()
    assert {r["name"] for r in rules} >= {
        "high_error_rate",
        "high_latency",
        "cost_spike",
        "low_cache_hit_rate",
    }
    assert any(r["group_by"] == ["metadata.tenant"] for r in rules)
    for rule in rules:
        assert set(rule) <= columns - {"id", "created_at", "updated_at"}


def test_load_demo_writes_what_it_reports(store: Store) -> None:
    done: list[int] = []
    summary = load_demo(store, num_traces=200, days=1, seed=3, end=END, progress=done.append)
    assert done == [200]
    assert summary.num_traces == count_rows(store, "traces") == 200
    assert summary.num_spans == count_rows(store, "spans")
    assert summary.num_logs == count_rows(store, "logs")
    assert summary.num_request_samples == count_rows(store, "request_samples")
    assert summary.num_metric_points == count_rows(store, "metric_points")
    assert summary.num_rules == count_rows(store, "alert_rules") == len(demo_rules())

    again = load_demo(store, num_traces=20, days=1, seed=4, end=END)
    assert again.num_rules == 0
    assert count_rows(store, "alert_rules") == len(demo_rules())
    with store.connect() as conn:
        orphans = conn.execute(
            text("SELECT count(*) FROM logs WHERE trace_id NOT IN (SELECT trace_id FROM traces)")
        ).scalar_one()
        rows = conn.execute(
            text(
                "SELECT request_model, count(cost_usd) > 0 FROM spans"
                " WHERE span_type = 'llm' AND status <> 'error' GROUP BY request_model"
            )
        ).all()
    priced: dict[str, bool] = {model: bool(has_cost) for model, has_cost in rows}
    assert orphans == 0
    assert priced.pop("acme-llm-7b", False) is False
    assert priced and all(priced.values())
