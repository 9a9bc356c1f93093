"""A producer's span to its stored record: canonical columns plus the JSON columns."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from llmobs_store.ingest.attribute_values import scalar_text
from llmobs_store.ingest.canonical_columns import canonical_columns
from llmobs_store.ingest.records import RawSpan, SpanEvent, SpanLink, SpanRecord


def normalise_span(raw: RawSpan) -> SpanRecord:
    """The canonical columns of ``raw`` (cost is left to pricing; see ``docs/schema.md``)."""
    c = canonical_columns(
        raw.name, raw.status, raw.status_message, raw.start_time, raw.attributes, raw.events
    )
    return SpanRecord(
        trace_id=raw.trace_id,
        span_id=raw.span_id,
        parent_span_id=raw.parent_span_id,
        name=raw.name,
        start_time=raw.start_time,
        end_time=raw.end_time,
        kind=raw.kind,
        span_type=c.span_type,
        status=raw.status,
        status_message=c.status_message,
        error_type=c.error_type,
        service_name=scalar_text(raw.resource_attributes.get("service.name")),
        scope_name=raw.scope_name,
        provider=c.provider,
        operation=c.operation,
        model=c.model,
        request_model=c.request_model,
        response_model=c.response_model,
        input_tokens=c.input_tokens,
        output_tokens=c.output_tokens,
        total_tokens=c.total_tokens,
        cache_read_tokens=c.cache_read_tokens,
        cache_write_tokens=c.cache_write_tokens,
        reasoning_tokens=c.reasoning_tokens,
        reported_cost_usd=c.reported_cost_usd,
        ttft_ms=c.ttft_ms,
        session_id=c.session_id,
        user_id=c.user_id,
        input_text=c.input_text,
        output_text=c.output_text,
        attributes=dict(raw.attributes),
        events=[event_dict(e) for e in raw.events] or None,
        links=[link_dict(link) for link in raw.links] or None,
        resource_attributes=dict(raw.resource_attributes),
        metadata=c.metadata,
    )


def link_dict(link: SpanLink) -> dict[str, Any]:
    """A link as stored in the ``links`` JSON column."""
    return {"trace_id": link.trace_id, "span_id": link.span_id, "attributes": dict(link.attributes)}


def event_dict(event: SpanEvent) -> dict[str, Any]:
    """An event as stored in the ``events`` JSON column."""
    return {"name": event.name, "time": iso_utc(event.time), "attributes": dict(event.attributes)}


def iso_utc(moment: datetime) -> str:
    """``2025-01-15T10:00:00.260000Z``: ISO-8601 UTC with microseconds (naive = UTC)."""
    if moment.tzinfo is not UTC and moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"
