"""Response bodies parse back with the protobuf classes (and as OTLP/JSON) a client uses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from google.protobuf import (  # type: ignore[import-untyped]
    descriptor_pb2,
    descriptor_pool,
    json_format,
    message_factory,
)
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceResponse
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

from llmobs_store.ingest.otlp import JSON, PROTOBUF, encode_export_response, encode_status

RESPONSES = [
    ("traces", ExportTraceServiceResponse, "rejected_spans"),
    ("metrics", ExportMetricsServiceResponse, "rejected_data_points"),
    ("logs", ExportLogsServiceResponse, "rejected_log_records"),
]


def _status_class() -> Any:
    """google.rpc.Status built from its definition (googleapis-common-protos is not installed)."""
    proto = descriptor_pb2.FileDescriptorProto(
        name="test/google_rpc_status.proto", package="google.rpc", syntax="proto3"
    )
    status = proto.message_type.add(name="Status")
    field = descriptor_pb2.FieldDescriptorProto
    status.field.add(name="code", number=1, type=field.TYPE_INT32, label=field.LABEL_OPTIONAL)
    status.field.add(name="message", number=2, type=field.TYPE_STRING, label=field.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(proto)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("google.rpc.Status"))


@pytest.mark.parametrize(("signal", "response_class", "field"), RESPONSES)
def test_a_full_success_is_an_empty_response(signal: str, response_class: Any, field: str) -> None:
    assert encode_export_response(signal, PROTOBUF) == b""
    assert encode_export_response(signal, JSON) == b"{}"
    assert not response_class.FromString(b"").HasField("partial_success")


@pytest.mark.parametrize(("signal", "response_class", "field"), RESPONSES)
def test_partial_success_carries_the_count_and_message(
    signal: str, response_class: Any, field: str
) -> None:
    message = "2 rejected: span_id must be 8 bytes (got 3)"
    parsed = response_class.FromString(encode_export_response(signal, PROTOBUF, 2, message))
    assert getattr(parsed.partial_success, field) == 2
    assert parsed.partial_success.error_message == message
    body = encode_export_response(signal, JSON, 2, message)
    from_json = json_format.Parse(body, response_class())
    assert getattr(from_json.partial_success, field) == 2
    assert from_json.partial_success.error_message == message
    camel = "".join(w.capitalize() if i else w for i, w in enumerate(field.split("_")))
    assert json.loads(body) == {"partialSuccess": {camel: "2", "errorMessage": message}}


def test_a_message_alone_is_a_warning_in_partial_success() -> None:
    body = encode_export_response("logs", PROTOBUF, 0, "body truncated")
    parsed = ExportLogsServiceResponse.FromString(body)
    assert parsed.HasField("partial_success")
    assert (parsed.partial_success.rejected_log_records, parsed.partial_success.error_message) == (
        0,
        "body truncated",
    )


def test_an_unknown_signal_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="profiles"):
        encode_export_response("profiles", PROTOBUF)


@pytest.mark.parametrize("code", [3, 8, 0])
def test_status_bodies_parse_as_google_rpc_status(code: int) -> None:
    message = "request body is not valid JSON: naïve input ✗"
    status = _status_class().FromString(encode_status(message, PROTOBUF, code=code))
    assert (status.code, status.message) == (code, message)
    assert json.loads(encode_status(message, JSON, code=code)) == {"code": code, "message": message}


def test_status_defaults_to_invalid_argument() -> None:
    status = _status_class().FromString(encode_status("bad", PROTOBUF))
    assert status.code == 3
    long_message = "x" * 300  # a length that needs a two-byte varint
    assert _status_class().FromString(encode_status(long_message, PROTOBUF)).message == long_message
