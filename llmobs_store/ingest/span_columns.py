"""OTLP trace requests straight to span columns, without a record object per span.

The serving path: it runs the same normalisation, pricing and protection as
``prepare_spans`` over ``RawSpan`` records (and gives the same rows), but builds each span's
values once, as one tuple, and the columns from those tuples in one go. It imports neither
pyarrow nor SQLAlchemy, so the worker processes that run it stay small.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from llmobs_store.ingest.attribute_values import scalar_text
from llmobs_store.ingest.canonical_columns import canonical_columns
from llmobs_store.ingest.content_policy import ContentPolicy
from llmobs_store.ingest.json_text import dump_json
from llmobs_store.ingest.normalisation import event_dict
from llmobs_store.ingest.otlp_request import Rejections, parse_request
from llmobs_store.ingest.otlp_traces import (
    KINDS,
    STATUSES,
    ZERO_SPAN_ID,
    invalid_reason,
    span_events,
)
from llmobs_store.ingest.otlp_values import attributes_dict, datetime_from_nanos
from llmobs_store.ingest.redaction import protect_content

log = logging.getLogger(__name__)

# The order of the values in a row tuple (a test checks it covers the spans table).
COLUMNS = (
    "trace_id",
    "span_id",
    "parent_span_id",
    "name",
    "kind",
    "span_type",
    "status",
    "status_message",
    "error_type",
    "start_time",
    "end_time",
    "duration_ms",
    "service_name",
    "scope_name",
    "provider",
    "operation",
    "model",
    "request_model",
    "response_model",
    "input_tokens",
    "output_tokens",
    "total_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "cost_usd",
    "cost_source",
    "reported_cost_usd",
    "ttft_ms",
    "session_id",
    "user_id",
    "input_text",
    "output_text",
    "attributes",
    "events",
    "links",
    "resource_attributes",
    "metadata",
)


class PreparedColumns(NamedTuple):
    """The spans of one export request as columns (``COLUMNS`` order; None when no span is
    left), the spans rejected as invalid, and why the others that failed to prepare did."""

    columns: tuple[tuple[Any, ...], ...] | None
    num_invalid: int
    invalid_message: str | None
    failures: tuple[str, ...]


def prepare_columns(body: bytes, media_type: str, policy: ContentPolicy) -> PreparedColumns:
    """Decode, normalise and protect one request (``IngestRejected`` if undecodable).

    Timestamps are integer microseconds and JSON columns JSON text, as
    ``table_from_columns`` takes them; ``cost_usd`` and ``cost_source`` are left empty for
    ``price_columns``: pricing needs genai-prices (~17 MiB), which worker processes do without.

    >>> prepared = prepare_columns(body, PROTOBUF, policy)            # doctest: +SKIP
    >>> len(prepared.columns) == len(COLUMNS), prepared.num_invalid   # doctest: +SKIP
    (True, 0)
    """
    request = parse_request(body, media_type, ExportTraceServiceRequest)
    rows: list[tuple[Any, ...]] = []
    rejections = Rejections("span")
    failed: list[str] = []
    for resource_spans in request.resource_spans:
        resource = attributes_dict(resource_spans.resource.attributes)
        resource_json = dump_json(resource)
        service_name = scalar_text(resource.get("service.name"))
        for scope_spans in resource_spans.scope_spans:
            scope_name = scope_spans.scope.name or None
            for span in scope_spans.spans:
                reason = invalid_reason(span)
                if reason is not None:
                    rejections.add(reason)
                    continue
                try:
                    row = _row(span, service_name, scope_name, resource_json, policy)
                # Broad on purpose, as in prepare_spans: one odd span must not cost the batch.
                except Exception as exc:
                    log.exception(
                        "span %s of trace %s rejected", span.span_id.hex(), span.trace_id.hex()
                    )
                    failed.append(f"{type(exc).__name__}: {exc}")
                    continue
                rows.append(row)
    columns = tuple(zip(*rows, strict=True)) if rows else None
    return PreparedColumns(columns, rejections.count, rejections.message(), tuple(failed))


def _row(
    span: Any,
    service_name: str | None,
    scope_name: str | None,
    resource_json: str,
    policy: ContentPolicy,
) -> tuple[Any, ...]:
    """The values of one valid span, in ``COLUMNS`` order."""
    name = span.name
    kind = span.kind
    status = span.status
    code = status.code
    status_text = STATUSES[code] if 0 <= code < len(STATUSES) else "unset"
    start_us = span.start_time_unix_nano // 1000
    end_us = span.end_time_unix_nano // 1000
    attributes = attributes_dict(span.attributes)
    events = span_events(span)
    c = canonical_columns(
        name,
        status_text,
        status.message or None,
        datetime_from_nanos(span.start_time_unix_nano),
        attributes,
        events,
    )
    protected = protect_content(
        c.status_message,
        c.input_text,
        c.output_text,
        attributes,
        [event_dict(e) for e in events] or None,
        policy,
    )
    links = span.links
    parent = span.parent_span_id
    return (
        span.trace_id.hex(),
        span.span_id.hex(),
        # An all-zero parent is how some exporters spell "root".
        parent.hex() if parent and parent != ZERO_SPAN_ID else None,
        name,
        KINDS[kind] if 0 <= kind < len(KINDS) else "internal",
        c.span_type,
        status_text,
        protected.status_message,
        c.error_type,
        start_us,
        end_us,
        # As SpanRecord.duration_ms computes it: timedelta.total_seconds() is µs / 10**6.
        (end_us - start_us) / 1_000_000 * 1000.0,
        service_name,
        scope_name,
        c.provider,
        c.operation,
        c.model,
        c.request_model,
        c.response_model,
        c.input_tokens,
        c.output_tokens,
        c.total_tokens,
        c.cache_read_tokens,
        c.cache_write_tokens,
        c.reasoning_tokens,
        None,  # cost_usd and cost_source: see price_columns
        None,
        c.reported_cost_usd,
        c.ttft_ms,
        c.session_id,
        c.user_id,
        protected.input_text,
        protected.output_text,
        dump_json(protected.attributes),
        None if protected.events is None else dump_json(protected.events),
        _links_json(links) if links else None,
        resource_json,
        None if c.metadata is None else dump_json(c.metadata),
    )


def _links_json(links: Any) -> str:
    return dump_json(
        [
            {
                "trace_id": link.trace_id.hex(),
                "span_id": link.span_id.hex(),
                "attributes": attributes_dict(link.attributes),
            }
            for link in links
        ]
    )
