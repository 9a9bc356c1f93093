"""OTLP/HTTP response bodies: Export*ServiceResponse (partial success) and google.rpc.Status."""

from __future__ import annotations

import orjson
from google.protobuf import json_format  # type: ignore[import-untyped]
from google.protobuf.message import Message  # type: ignore[import-untyped]
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from llmobs_store.ingest.otlp_request import JSON

# gRPC status code INVALID_ARGUMENT: what OTLP/HTTP's 400 answers carry.
INVALID_ARGUMENT = 3
_RESPONSES: dict[str, tuple[type[Message], str]] = {
    "traces": (ExportTraceServiceResponse, "rejected_spans"),
    "metrics": (ExportMetricsServiceResponse, "rejected_data_points"),
    "logs": (ExportLogsServiceResponse, "rejected_log_records"),
}


def encode_export_response(
    signal: str, media_type: str, num_rejected: int = 0, message: str | None = None
) -> bytes:
    """The 200 answer to an export of ``signal`` ("traces", "metrics" or "logs"), in the
    request's encoding; ``partial_success`` is set only when something was rejected or there
    is a message (an empty response is b"" in protobuf, b"{}" in JSON)."""
    try:
        response_class, rejected_field = _RESPONSES[signal]
    except KeyError:
        raise ValueError(f"unknown OTLP signal {signal!r} (traces, metrics or logs)") from None
    response = response_class()
    if num_rejected or message:
        partial = response.partial_success
        setattr(partial, rejected_field, num_rejected)
        partial.error_message = message or ""
    if media_type == JSON:
        return orjson.dumps(json_format.MessageToDict(response))
    body: bytes = response.SerializeToString()
    return body


def encode_status(message: str, media_type: str, *, code: int = INVALID_ARGUMENT) -> bytes:
    """A google.rpc.Status body (the error answer of OTLP/HTTP) in the request's encoding."""
    if media_type == JSON:
        return orjson.dumps({"code": code, "message": message})
    # google.rpc.Status is not shipped with opentelemetry-proto, and its two scalar fields
    # are simple to write by hand: code = 1 (int32, varint), message = 2 (string).
    out = bytearray()
    if code:
        out += b"\x08" + _varint(code & 0xFFFFFFFFFFFFFFFF if code < 0 else code)
    encoded = message.encode("utf-8")
    if encoded:
        out += b"\x12" + _varint(len(encoded)) + encoded
    return bytes(out)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)
