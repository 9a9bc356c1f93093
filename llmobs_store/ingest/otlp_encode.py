"""Records → OTLP protobuf request bodies, for the SDK's HTTP exporter (inverse of the decoders)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord as OtlpLogRecord
from opentelemetry.proto.trace.v1.trace_pb2 import Span

from llmobs_store.ingest.otlp_logs import (
    OVERRIDE_COLUMNS,
    OVERRIDE_PREFIX,
    derived_columns,
    level_for,
    message_for,
)
from llmobs_store.ingest.otlp_samples import REQUEST_SAMPLE_EVENT, sample_attributes
from llmobs_store.ingest.otlp_values import (
    fill_any_value,
    fill_key_values,
    id_bytes,
    nanos_from_datetime,
    python_value,
)
from llmobs_store.ingest.records import LogRecord, RawSpan, RequestSampleRecord

R = TypeVar("R")
_KIND_NUMBERS = {"internal": 1, "server": 2, "client": 3, "producer": 4, "consumer": 5}
_STATUS_NUMBERS = {"unset": 0, "ok": 1, "error": 2}
_SAMPLE_SCOPE = "llmobs"
_INFO = 9


def encode_spans(spans: Sequence[RawSpan]) -> bytes:
    """An ExportTraceServiceRequest of ``spans``, grouped by resource attributes and scope."""
    request = ExportTraceServiceRequest()
    groups = group_by_resource(spans, lambda s: (s.resource_attributes, None, s.scope_name))
    for (resource, scope_name), group in groups:
        resource_spans = request.resource_spans.add()
        fill_key_values(resource_spans.resource.attributes, resource)
        scope_spans = resource_spans.scope_spans.add()
        scope_spans.scope.name = scope_name or ""
        for raw in group:
            _fill_span(scope_spans.spans.add(), raw)
    body: bytes = request.SerializeToString()
    return body


def encode_logs(logs: Sequence[LogRecord], samples: Sequence[RequestSampleRecord]) -> bytes:
    """An ExportLogsServiceRequest of ``logs`` and of ``samples`` as request-sample events."""
    request = ExportLogsServiceRequest()
    log_groups = group_by_resource(
        logs, lambda r: (r.resource_attributes, r.service_name, r.logger_name)
    )
    for (resource, scope_name), logs_group in log_groups:
        scope_logs = _scope_logs(request, resource, scope_name)
        for log in logs_group:
            _fill_log(scope_logs.log_records.add(), log)
    sample_groups = group_by_resource(samples, lambda s: (None, s.service_name, _SAMPLE_SCOPE))
    for (resource, scope_name), samples_group in sample_groups:
        scope_logs = _scope_logs(request, resource, scope_name)
        for sample in samples_group:
            _fill_sample(scope_logs.log_records.add(), sample)
    body: bytes = request.SerializeToString()
    return body


def group_by_resource(
    records: Iterable[R],
    identity: Callable[[R], tuple[Mapping[str, Any] | None, str | None, str | None]],
) -> list[tuple[tuple[dict[str, Any], str | None], list[R]]]:
    """Records grouped by (resource, scope), in first-seen order. The resource is the record's
    resource attributes with ``service.name`` set from its service-name column, if any."""
    groups: dict[str, tuple[tuple[dict[str, Any], str | None], list[R]]] = {}
    for record in records:
        attributes, service_name, scope_name = identity(record)
        resource = dict(attributes or {})
        if service_name is not None:
            resource["service.name"] = service_name
        key = json.dumps([resource, scope_name], sort_keys=True, default=str)
        entry = groups.get(key)
        if entry is None:
            entry = groups[key] = ((resource, scope_name), [])
        entry[1].append(record)
    return list(groups.values())


def _scope_logs(
    request: ExportLogsServiceRequest, resource: dict[str, Any], scope: str | None
) -> Any:
    resource_logs = request.resource_logs.add()
    fill_key_values(resource_logs.resource.attributes, resource)
    scope_logs = resource_logs.scope_logs.add()
    scope_logs.scope.name = scope or ""
    return scope_logs


def _fill_span(target: Span, raw: RawSpan) -> None:
    target.trace_id = id_bytes(raw.trace_id)
    target.span_id = id_bytes(raw.span_id)
    target.parent_span_id = id_bytes(raw.parent_span_id)
    target.name = raw.name
    target.kind = _KIND_NUMBERS.get(raw.kind, 1)  # type: ignore[assignment]
    target.start_time_unix_nano = nanos_from_datetime(raw.start_time)
    target.end_time_unix_nano = nanos_from_datetime(raw.end_time)
    fill_key_values(target.attributes, raw.attributes)
    for event in raw.events:
        otlp_event = target.events.add()
        otlp_event.name = event.name
        otlp_event.time_unix_nano = nanos_from_datetime(event.time)
        fill_key_values(otlp_event.attributes, event.attributes)
    for link in raw.links:
        otlp_link = target.links.add()
        otlp_link.trace_id = id_bytes(link.trace_id)
        otlp_link.span_id = id_bytes(link.span_id)
        fill_key_values(otlp_link.attributes, link.attributes)
    target.status.code = _STATUS_NUMBERS.get(raw.status, 0)  # type: ignore[assignment]
    target.status.message = raw.status_message or ""


def _fill_log(target: OtlpLogRecord, log: LogRecord) -> None:
    target.time_unix_nano = nanos_from_datetime(log.time)
    if log.observed_time is not None:
        target.observed_time_unix_nano = nanos_from_datetime(log.observed_time)
    target.severity_number = log.severity_number or 0  # type: ignore[assignment]
    target.severity_text = log.severity_text or ""
    target.event_name = log.event_name or ""
    target.trace_id = id_bytes(log.trace_id)
    target.span_id = id_bytes(log.span_id)
    if log.body is not None:
        fill_any_value(target.body, log.body)
        # Rendered from what the wire holds, as the decoder will (tuples are lists there…).
        wire_message = message_for(python_value(target.body), log.event_name)
    elif log.message:
        target.body.string_value = log.message
        wire_message = log.message
    else:
        wire_message = message_for(None, log.event_name)
    attributes = dict(log.attributes or {})
    # Columns the decoder would not derive the same way travel as llmobs.log.* overrides.
    derived: dict[str, Any] = derived_columns(attributes)
    derived["level"] = level_for(log.severity_number, log.severity_text)
    derived["message"] = wire_message
    for column in OVERRIDE_COLUMNS:
        value = getattr(log, column)
        if value != derived.get(column):
            attributes[OVERRIDE_PREFIX + column] = value
    fill_key_values(target.attributes, attributes)


def _fill_sample(target: OtlpLogRecord, sample: RequestSampleRecord) -> None:
    target.time_unix_nano = nanos_from_datetime(sample.time)
    target.event_name = REQUEST_SAMPLE_EVENT
    target.severity_number = _INFO  # type: ignore[assignment]
    target.trace_id = id_bytes(sample.trace_id)
    target.span_id = id_bytes(sample.span_id)
    fill_key_values(target.attributes, sample_attributes(sample))
