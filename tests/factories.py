"""Small builders of valid records for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from llmobs_store.ids import new_span_id, new_trace_id
from llmobs_store.ingest.records import LogRecord, RawSpan, SpanEvent, SpanRecord

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def make_span(
    *,
    trace_id: str | None = None,
    span_id: str | None = None,
    parent_span_id: str | None = None,
    name: str = "chat gpt-4o-mini",
    offset_ms: float = 0.0,
    duration_ms: float = 100.0,
    **columns: Any,
) -> SpanRecord:
    """A valid span starting ``offset_ms`` after ``T0``; any column can be overridden."""
    start = T0 + timedelta(milliseconds=offset_ms)
    return SpanRecord(
        trace_id=trace_id or new_trace_id(),
        span_id=span_id or new_span_id(),
        parent_span_id=parent_span_id,
        name=name,
        start_time=start,
        end_time=start + timedelta(milliseconds=duration_ms),
        **columns,
    )


def make_raw_chat_span(
    model: str,
    *,
    start: datetime = T0,
    input_tokens: int | None = None,
    output_tokens: int | None = None,
    trace_id: str | None = None,
    span_id: str | None = None,
    name: str | None = None,
    attributes: dict[str, Any] | None = None,
    events: tuple[SpanEvent, ...] = (),
) -> RawSpan:
    """A one-second GenAI ``chat`` span as an instrumentation would send it, before normalising."""
    usage = {
        "gen_ai.usage.input_tokens": input_tokens,
        "gen_ai.usage.output_tokens": output_tokens,
    }
    return RawSpan(
        trace_id=trace_id or new_trace_id(),
        span_id=span_id or new_span_id(),
        name=name or f"chat {model}",
        start_time=start,
        end_time=start + timedelta(seconds=1),
        kind="client",
        attributes={
            "gen_ai.operation.name": "chat",
            "gen_ai.request.model": model,
            **{k: v for k, v in usage.items() if v is not None},
            **(attributes or {}),
        },
        events=events,
    )


def make_log(message: str = "hello", **columns: Any) -> LogRecord:
    """A valid info log entry at ``T0``."""
    return LogRecord(time=T0, level="info", message=message, **columns)
