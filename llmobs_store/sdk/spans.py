"""The SDK's span and trace objects, and their conversion to and from stored spans."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from llmobs_store.analytics.traces import StoredSpan
from llmobs_store.db.types import as_utc
from llmobs_store.ingest.records import RawSpan, SpanEvent

SCOPE_NAME = "llmobs.sdk"


# Not frozen, unlike the records: the tracer fills in attributes, events and the end of an
# open span as the traced code runs (always under its lock).
@dataclass
class Span:
    """A span in a trace; times are epoch seconds (UTC), ``end_time`` is None while open."""

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    start_time: float
    end_time: float | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    status: str = "ok"
    kind: str = "internal"
    status_message: str | None = None

    @property
    def duration_ms(self) -> float:
        """Milliseconds from start to end; 0.0 while the span is open."""
        if self.end_time is None:
            return 0.0
        return (self.end_time - self.start_time) * 1000.0


@dataclass
class Trace:
    """A trace: its spans, ordered by start time."""

    trace_id: str
    spans: list[Span] = field(default_factory=list)

    @property
    def root_span(self) -> Span | None:
        """The span without a parent, if the trace holds one."""
        for span in self.spans:
            if span.parent_id is None:
                return span
        return None

    @property
    def total_duration_ms(self) -> float:
        """Duration of the root span (0.0 without a root)."""
        root = self.root_span
        return root.duration_ms if root else 0.0


def exception_event(exc: BaseException, timestamp: float) -> dict[str, Any]:
    """An OpenTelemetry ``exception`` event for ``exc`` in the seed's event shape."""
    cls = type(exc)
    type_name = (
        cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    )
    return {
        "name": "exception",
        "timestamp": timestamp,
        "attributes": {
            "exception.type": type_name,
            "exception.message": str(exc),
            "exception.stacktrace": "".join(traceback.format_exception(exc)),
        },
    }


def to_raw_span(span: Span, resource_attributes: dict[str, Any]) -> RawSpan:
    """The ``RawSpan`` a finished ``span`` is exported as."""
    end_time = span.end_time if span.end_time is not None else span.start_time
    return RawSpan(
        trace_id=span.trace_id,
        span_id=span.span_id,
        parent_span_id=span.parent_id,
        name=span.name,
        kind=span.kind,
        # The wall clock can step back between start and end; a span never ends before it began.
        start_time=_utc(span.start_time),
        end_time=_utc(max(end_time, span.start_time)),
        status=span.status,
        status_message=span.status_message,
        attributes=dict(span.attributes),
        events=tuple(_span_event(event, span.start_time) for event in span.events),
        resource_attributes=dict(resource_attributes),
        scope_name=SCOPE_NAME,
    )


def from_stored_span(stored: StoredSpan) -> Span:
    """The SDK ``Span`` for a row read back from the ``spans`` table."""
    return Span(
        trace_id=stored.trace_id,
        span_id=stored.span_id,
        parent_id=stored.parent_span_id,
        name=stored.name,
        start_time=stored.start_time.timestamp(),
        end_time=stored.end_time.timestamp(),
        attributes=dict(stored.attributes),
        events=[_event_dict(event) for event in stored.events],
        status=stored.status,
        kind=stored.kind,
        status_message=stored.status_message,
    )


def _utc(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def _span_event(event: dict[str, Any], default_time: float) -> SpanEvent:
    # Events are plain dicts callers may have built themselves: take what is usable.
    timestamp = event.get("timestamp")
    when = timestamp if isinstance(timestamp, int | float) else default_time
    attributes = event.get("attributes")
    return SpanEvent(
        name=str(event.get("name", "")),
        time=_utc(float(when)),
        attributes=dict(attributes) if isinstance(attributes, dict) else {},
    )


def _event_dict(stored: Any) -> dict[str, Any]:
    """A stored event ``{name, time, attributes}`` in the seed's ``{name, timestamp, …}`` shape."""
    if not isinstance(stored, dict):
        return {"name": str(stored), "timestamp": None, "attributes": {}}
    return {
        "name": stored.get("name"),
        "timestamp": _epoch_seconds(stored.get("time", stored.get("timestamp"))),
        "attributes": dict(stored.get("attributes") or {}),
    }


def _epoch_seconds(value: Any) -> float | None:
    if isinstance(value, str):
        try:
            return as_utc(datetime.fromisoformat(value)).timestamp()
        except ValueError:
            return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        # OTLP carries nanoseconds; anything this large cannot be seconds.
        return value / 1e9 if value > 1e14 else float(value)
    return None
