"""OTLP trace requests (protobuf or JSON) → ``RawSpan`` records, invalid spans counted apart."""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from llmobs_store.ingest.otlp_request import Decoded, Rejections, parse_request
from llmobs_store.ingest.otlp_values import attributes_dict, datetime_from_nanos
from llmobs_store.ingest.records import RawSpan, SpanEvent, SpanLink

# Span.SpanKind by number; 0 (unspecified) and unknown numbers read as internal.
KINDS = ("internal", "internal", "server", "client", "producer", "consumer")
# Status.StatusCode by number; unknown numbers read as unset.
STATUSES = ("unset", "ok", "error")
_ZERO_TRACE_ID = bytes(16)
ZERO_SPAN_ID = bytes(8)


def decode_traces(body: bytes, media_type: str) -> Decoded[RawSpan]:
    """The spans of an ``ExportTraceServiceRequest``; an undecodable body raises
    ``IngestRejected`` (``UnsupportedMediaType`` for other media types)."""
    request = parse_request(body, media_type, ExportTraceServiceRequest)
    spans: list[RawSpan] = []
    rejections = Rejections("span")
    append = spans.append
    for resource_spans in request.resource_spans:
        resource = attributes_dict(resource_spans.resource.attributes)
        for scope_spans in resource_spans.scope_spans:
            scope_name = scope_spans.scope.name or None
            for span in scope_spans.spans:
                reason = invalid_reason(span)
                if reason is None:
                    append(_raw_span(span, resource, scope_name))
                else:
                    rejections.add(reason)
    return Decoded(spans, rejections.count, rejections.message())


def invalid_reason(span: Span) -> str | None:
    """Why ``span`` cannot be stored, or None when it can."""
    trace_id = span.trace_id
    if len(trace_id) != 16:
        return f"trace_id must be 16 bytes (got {len(trace_id)})"
    if trace_id == _ZERO_TRACE_ID:
        return "trace_id must not be all zeros"
    span_id = span.span_id
    if len(span_id) != 8:
        return f"span_id must be 8 bytes (got {len(span_id)})"
    if span_id == ZERO_SPAN_ID:
        return "span_id must not be all zeros"
    parent = span.parent_span_id
    if parent and len(parent) != 8:
        return f"parent_span_id must be empty or 8 bytes (got {len(parent)})"
    if not span.start_time_unix_nano:
        return "start_time_unix_nano must be set"
    if span.end_time_unix_nano < span.start_time_unix_nano:
        return "end_time_unix_nano is before start_time_unix_nano"
    for link in span.links:
        if len(link.trace_id) != 16 or len(link.span_id) != 8:
            return (
                f"link ids must be 16 and 8 bytes (got {len(link.trace_id)} and "
                f"{len(link.span_id)})"
            )
    return None


def _raw_span(span: Span, resource: dict[str, Any], scope_name: str | None) -> RawSpan:
    parent = span.parent_span_id
    status = span.status
    code = status.code
    kind = span.kind
    return RawSpan(
        trace_id=span.trace_id.hex(),
        span_id=span.span_id.hex(),
        name=span.name,
        start_time=datetime_from_nanos(span.start_time_unix_nano),
        end_time=datetime_from_nanos(span.end_time_unix_nano),
        # An all-zero parent is how some exporters spell "root".
        parent_span_id=parent.hex() if parent and parent != ZERO_SPAN_ID else None,
        kind=KINDS[kind] if 0 <= kind < len(KINDS) else "internal",
        status=STATUSES[code] if 0 <= code < len(STATUSES) else "unset",
        status_message=status.message or None,
        attributes=attributes_dict(span.attributes),
        events=span_events(span),
        links=tuple(
            SpanLink(
                trace_id=link.trace_id.hex(),
                span_id=link.span_id.hex(),
                attributes=attributes_dict(link.attributes),
            )
            for link in span.links
        )
        if span.links
        else (),
        # Copied per span: records are handed on separately and must not share a dict.
        resource_attributes=dict(resource),
        scope_name=scope_name,
    )


def span_events(span: Span) -> tuple[SpanEvent, ...]:
    """A span's events with their attributes as Python values (``()`` when it has none)."""
    if not span.events:
        return ()
    return tuple(
        SpanEvent(
            name=event.name,
            time=datetime_from_nanos(event.time_unix_nano),
            attributes=attributes_dict(event.attributes),
        )
        for event in span.events
    )
