"""Attribute conventions (GenAI, OpenInference, OpenLLMetry, OpenLIT, seed SDK) to span columns."""

from __future__ import annotations

from llmobs_store.ingest.records import RawSpan, SpanRecord


def normalise_span(raw: RawSpan) -> SpanRecord:
    """The canonical columns of ``raw`` (cost is left to pricing)."""
    a = raw.attributes
    return SpanRecord(
        trace_id=raw.trace_id,
        span_id=raw.span_id,
        parent_span_id=raw.parent_span_id,
        name=raw.name,
        kind=raw.kind,
        status=raw.status,
        status_message=raw.status_message,
        start_time=raw.start_time,
        end_time=raw.end_time,
        service_name=raw.resource_attributes.get("service.name"),
        scope_name=raw.scope_name,
        model=a.get("gen_ai.response.model") or a.get("gen_ai.request.model") or a.get("llm.model"),
        attributes=dict(a),
        resource_attributes=dict(raw.resource_attributes),
    )
