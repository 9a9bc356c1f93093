"""Crafted telemetry for alert tests: LLM spans and request samples at chosen times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from llmobs_store.alerts.rules import Rule, save_rule
from llmobs_store.ids import new_span_id, new_trace_id
from llmobs_store.ingest.records import RequestSampleRecord, SpanRecord
from llmobs_store.store import Store

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def llm_span(at: datetime, *, duration_ms: float = 100.0, **columns: Any) -> SpanRecord:
    """A finished LLM span starting at ``at``; any column can be overridden."""
    values: dict[str, Any] = {"span_type": "llm", "status": "ok", "model": "gpt-4o-mini"}
    values.update(columns)
    return SpanRecord(
        trace_id=new_trace_id(),
        span_id=new_span_id(),
        name="chat",
        start_time=at,
        end_time=at + timedelta(milliseconds=duration_ms),
        **values,
    )


def spread(start: datetime, count: int, every_s: float, **columns: Any) -> list[SpanRecord]:
    """``count`` LLM spans, one every ``every_s`` seconds from ``start``."""
    return [llm_span(start + timedelta(seconds=i * every_s), **columns) for i in range(count)]


def cache_samples(start: datetime, hits: int, misses: int, every_s: float = 1.0) -> list[Any]:
    """Request samples with ``hits`` cache hits then ``misses`` misses."""
    return [
        RequestSampleRecord(
            time=start + timedelta(seconds=i * every_s),
            model="gpt-4o-mini",
            latency_s=0.1,
            cache_hit=i < hits,
        )
        for i in range(hits + misses)
    ]


def stored(store: Store, rule: Rule) -> Rule:
    """``rule`` saved in alert_rules, with its id."""
    with store.engine.begin() as conn:
        return save_rule(conn, rule, now=NOON)
