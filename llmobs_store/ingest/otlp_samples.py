"""Request samples over OTLP: one ``llmobs.request_sample`` log event per recorded request."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from llmobs_store.ingest.records import RequestSampleRecord

REQUEST_SAMPLE_EVENT = "llmobs.request_sample"
# RequestSampleRecord field → the event attribute carrying it, with the type it must have.
SAMPLE_ATTRIBUTES: dict[str, tuple[str, str]] = {
    "model": ("llmobs.model", "str"),
    "latency_s": ("llmobs.latency_s", "number"),
    "success": ("llmobs.success", "bool"),
    "input_tokens": ("llmobs.input_tokens", "int"),
    "output_tokens": ("llmobs.output_tokens", "int"),
    "cost_usd": ("llmobs.cost_usd", "number"),
    "provider": ("llmobs.provider", "str"),
    "ttft_s": ("llmobs.ttft_s", "number"),
    "cache_hit": ("llmobs.cache_hit", "bool"),
}
_REQUIRED = ("model", "latency_s")
_KIND_NAMES = {"str": "a string", "number": "a number", "bool": "a boolean", "int": "an integer"}


def request_sample(
    attributes: dict[str, Any],
    time: datetime,
    service_name: str | None,
    trace_id: str | None,
    span_id: str | None,
) -> RequestSampleRecord | str:
    """The sample an event's attributes describe (the rest stay its attributes), or why not."""
    fields: dict[str, Any] = {}
    for field, (key, kind) in SAMPLE_ATTRIBUTES.items():
        value = attributes.pop(key, None)
        if value is None:
            if field in _REQUIRED:
                return f"{REQUEST_SAMPLE_EVENT} event needs {_KIND_NAMES[kind]} {key} attribute"
            continue
        converted = _convert(value, kind)
        if converted is None:
            return (
                f"{REQUEST_SAMPLE_EVENT} attribute {key} must be {_KIND_NAMES[kind]}, "
                f"not {type(value).__name__}"
            )
        fields[field] = converted
    if not fields["model"]:
        return f"{REQUEST_SAMPLE_EVENT} attribute llmobs.model must not be empty"
    return RequestSampleRecord(
        time=time,
        service_name=service_name,
        trace_id=trace_id,
        span_id=span_id,
        attributes=attributes or None,
        **fields,
    )


def sample_attributes(sample: RequestSampleRecord) -> dict[str, Any]:
    """The event attributes that ``request_sample`` reads back into ``sample``."""
    attributes: dict[str, Any] = dict(sample.attributes or {})
    for field, (key, kind) in SAMPLE_ATTRIBUTES.items():
        value = getattr(sample, field)
        if value is not None:
            # Numbers go as doubles, so a latency of 1 s reads back as 1.0, not int 1.
            attributes[key] = float(value) if kind == "number" else value
    return attributes


def _convert(value: Any, kind: str) -> Any:
    """``value`` as ``kind``, or None when it is not one (bools are not numbers here)."""
    if isinstance(value, bool):
        return value if kind == "bool" else None
    if kind == "str":
        return value if isinstance(value, str) else None
    if kind == "int":
        return value if isinstance(value, int) else None
    if kind == "number":
        return float(value) if isinstance(value, int | float) else None
    return None
