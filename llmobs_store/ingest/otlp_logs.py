"""OTLP log requests (protobuf or JSON) → ``LogRecord`` rows and ``RequestSampleRecord`` rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.logs.v1.logs_pb2 import LogRecord as OtlpLogRecord

from llmobs_store.ingest.otlp_request import DecodedLogs, Rejections, parse_request
from llmobs_store.ingest.otlp_samples import REQUEST_SAMPLE_EVENT, request_sample
from llmobs_store.ingest.otlp_values import (
    attributes_dict,
    datetime_from_nanos,
    optional_datetime_from_nanos,
    optional_str,
    python_value,
)
from llmobs_store.ingest.records import LogRecord, RequestSampleRecord

# LogRecord columns with no OTLP field of their own travel as "llmobs.log.<column>" attributes
# (written by ``otlp_encode`` only where deriving the column here would give another value);
# the decoder moves them back out of the attributes. A key present with an empty value
# means the column is None.
OVERRIDE_PREFIX = "llmobs.log."
_STR_COLUMNS = ("model", "provider", "error_type", "error_message", "level", "message")
_INT_COLUMNS = ("input_tokens", "output_tokens")
_FLOAT_COLUMNS = ("latency_ms", "cost_usd")
OVERRIDE_COLUMNS = (*_STR_COLUMNS, *_INT_COLUMNS, *_FLOAT_COLUMNS)
_ZERO_TRACE_ID = bytes(16)
_ZERO_SPAN_ID = bytes(8)
# Severity text → level when the number is 0 (trailing digits dropped: "WARN2" → "WARN").
_TEXT_LEVELS = {
    "TRACE": "debug",
    "DEBUG": "debug",
    "INFO": "info",
    "NOTICE": "info",
    "WARN": "warning",
    "WARNING": "warning",
    "ERR": "error",
    "ERROR": "error",
    "FATAL": "critical",
    "CRITICAL": "critical",
}


def decode_logs(body: bytes, media_type: str) -> DecodedLogs:
    """The log records of an ``ExportLogsServiceRequest``; ``llmobs.request_sample`` events
    become request samples instead."""
    request = parse_request(body, media_type, ExportLogsServiceRequest)
    logs: list[LogRecord] = []
    samples: list[RequestSampleRecord] = []
    rejections = Rejections("log record")
    for resource_logs in request.resource_logs:
        resource = attributes_dict(resource_logs.resource.attributes)
        service_name = optional_str(resource.get("service.name"))
        for scope_logs in resource_logs.scope_logs:
            scope_name = scope_logs.scope.name or None
            for record in scope_logs.log_records:
                result = _decode_record(record, resource, service_name, scope_name)
                if isinstance(result, str):
                    rejections.add(result)
                elif isinstance(result, LogRecord):
                    logs.append(result)
                else:
                    samples.append(result)
    return DecodedLogs(logs, samples, rejections.count, rejections.message())


def level_for(severity_number: int | None, severity_text: str | None) -> str:
    """debug/info/warning/error/critical from the OTLP severity number, else its text."""
    if severity_number and severity_number > 0:
        if severity_number <= 8:  # 1–4 TRACE, 5–8 DEBUG
            return "debug"
        if severity_number <= 12:
            return "info"
        if severity_number <= 16:
            return "warning"
        if severity_number <= 20:
            return "error"
        return "critical"
    if severity_text:
        return _TEXT_LEVELS.get(severity_text.strip().upper().rstrip("0123456789"), "info")
    return "info"


def message_for(body: Any, event_name: str | None) -> str:
    """The text shown for a body that is not a string: compact JSON, else the event name."""
    if body is None:
        return event_name or ""
    return orjson.dumps(body).decode()


def derived_columns(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The columns read from standard (gen_ai.*, exception.*) attributes."""
    return {
        "model": _first_str(attributes, "gen_ai.response.model", "gen_ai.request.model"),
        "provider": _first_str(attributes, "gen_ai.provider.name", "gen_ai.system"),
        "input_tokens": _int(attributes.get("gen_ai.usage.input_tokens")),
        "output_tokens": _int(attributes.get("gen_ai.usage.output_tokens")),
        "error_type": optional_str(attributes.get("exception.type")),
        "error_message": optional_str(attributes.get("exception.message")),
    }


def _decode_record(
    record: OtlpLogRecord,
    resource: dict[str, Any],
    service_name: str | None,
    scope_name: str | None,
) -> LogRecord | RequestSampleRecord | str:
    """One record as a row, or the reason it is rejected."""
    trace_id, span_id = record.trace_id, record.span_id
    if len(trace_id) not in (0, 16):
        return f"trace_id must be empty or 16 bytes (got {len(trace_id)})"
    if len(span_id) not in (0, 8):
        return f"span_id must be empty or 8 bytes (got {len(span_id)})"
    nanos = record.time_unix_nano or record.observed_time_unix_nano
    if not nanos:
        return "time_unix_nano or observed_time_unix_nano must be set"
    time = datetime_from_nanos(nanos)
    trace_hex = trace_id.hex() if trace_id and trace_id != _ZERO_TRACE_ID else None
    span_hex = span_id.hex() if span_id and span_id != _ZERO_SPAN_ID else None
    attributes = attributes_dict(record.attributes)
    event_name = record.event_name or None
    if event_name == REQUEST_SAMPLE_EVENT:
        return request_sample(attributes, time, service_name, trace_hex, span_hex)
    body: Any = None
    if record.body.WhichOneof("value") == "string_value":
        message = record.body.string_value
    else:
        body = python_value(record.body)
        message = message_for(body, event_name)
    severity_number = record.severity_number or None
    severity_text = record.severity_text or None
    columns = derived_columns(attributes)
    columns["level"] = level_for(severity_number, severity_text)
    columns["message"] = message
    _apply_overrides(attributes, columns)
    return LogRecord(
        time=time,
        observed_time=optional_datetime_from_nanos(record.observed_time_unix_nano),
        severity_number=severity_number,
        severity_text=severity_text,
        body=body,
        event_name=event_name,
        logger_name=scope_name,
        service_name=service_name,
        trace_id=trace_hex,
        span_id=span_hex,
        attributes=attributes or None,
        resource_attributes=dict(resource) or None,
        **columns,
    )


def _apply_overrides(attributes: dict[str, Any], columns: dict[str, Any]) -> None:
    """Move ``llmobs.log.<column>`` attributes of the right type into ``columns``."""
    if not any(key.startswith(OVERRIDE_PREFIX) for key in attributes):
        return
    for column in OVERRIDE_COLUMNS:
        key = OVERRIDE_PREFIX + column
        if key in attributes and _fits(column, attributes[key]):
            columns[column] = attributes.pop(key)


def _fits(column: str, value: Any) -> bool:
    """Whether ``value`` can go in ``column`` (None can, except in the two required ones)."""
    if value is None:
        return column not in ("level", "message")
    if column in _STR_COLUMNS:
        return isinstance(value, str)
    if column in _INT_COLUMNS:
        return _int(value) is not None
    return isinstance(value, int | float) and not isinstance(value, bool)


def _first_str(attributes: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = optional_str(attributes.get(key))
        if value is not None:
            return value
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
