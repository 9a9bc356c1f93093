"""OTLP/JSON → protobuf messages, with the spec's deviations from the proto3 JSON mapping."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from typing import Any, TypeVar

import orjson
from google.protobuf import json_format  # type: ignore[import-untyped]
from google.protobuf.message import Message  # type: ignore[import-untyped]

from llmobs_store.errors import IngestRejected

M = TypeVar("M", bound=Message)

# Where ids live in each request (json_format would read them as base64; OTLP sends hex).
# A key maps to the keys below it; every object reached has its id fields converted.
_EXEMPLARS: dict[str, Any] = {"dataPoints": {"exemplars": {}}}
_ID_PATHS: dict[str, Any] = {
    "resourceSpans": {"scopeSpans": {"spans": {"links": {}}}},
    "resourceLogs": {"scopeLogs": {"logRecords": {}}},
    "resourceMetrics": {
        "scopeMetrics": {
            "metrics": {
                "gauge": _EXEMPLARS,
                "sum": _EXEMPLARS,
                "histogram": _EXEMPLARS,
                "exponentialHistogram": _EXEMPLARS,
            }
        }
    },
}
_ID_FIELDS = ("traceId", "spanId", "parentSpanId")
# json_format also accepts the proto field names; so must the id conversion.
_CAMEL_HUMP = re.compile(r"(?<!^)(?=[A-Z])")


def _with_alias(name: str) -> tuple[str, ...]:
    snake = _CAMEL_HUMP.sub("_", name).lower()
    return (name,) if snake == name else (name, snake)


_ID_KEYS = tuple(key for name in _ID_FIELDS for key in _with_alias(name))


def parse_json(body: bytes, message_class: type[M]) -> M:
    """Parse an OTLP/JSON request body into ``message_class``; undecodable input raises.

    Ids are case-insensitive hex, enums integers, 64-bit integers strings or numbers, and
    unknown fields are ignored (OTLP spec, "JSON Protobuf Encoding").
    """
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:  # also invalid UTF-8 and nesting deeper than 1024
        raise IngestRejected(f"request body is not valid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise IngestRejected(f"OTLP/JSON body must be a JSON object, not {type(document).__name__}")
    _convert_ids(document, _ID_PATHS, "")
    message: M = message_class()
    try:
        # The default depth limit (100 nested messages) matches the protobuf binary parser's.
        json_format.ParseDict(document, message, ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, TypeError) as exc:
        raise IngestRejected(f"request body is not a valid OTLP/JSON message: {exc}") from exc
    return message


def _convert_ids(node: Mapping[str, Any], paths: Mapping[str, Any], where: str) -> None:
    """Rewrite hex ids to base64 in place, below ``node`` along ``paths``.

    Shapes that do not match (a list where an object belongs…) are left alone for
    json_format to report.
    """
    for name, below in paths.items():
        for key in _with_alias(name):
            child = node.get(key)
            if isinstance(child, dict):
                _convert_object(child, below, f"{where}{name}.")
            elif isinstance(child, list):
                for index, item in enumerate(child):
                    if isinstance(item, dict):
                        _convert_object(item, below, f"{where}{name}[{index}].")


def _convert_object(obj: dict[str, Any], paths: Mapping[str, Any], where: str) -> None:
    for key in _ID_KEYS:
        value = obj.get(key)
        if isinstance(value, str):
            obj[key] = _hex_to_base64(value, f"{where}{key}")
    if paths:
        _convert_ids(obj, paths, where)


def _hex_to_base64(value: str, where: str) -> str:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise IngestRejected(
            f"{where} must be a hex string (OTLP/JSON ids are hex, not base64), got {value[:64]!r}",
            field=where,
        ) from None
    return base64.b64encode(raw).decode("ascii")
