"""Log records: levels, bodies, correlation ids, request-sample events, rejected records."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from llmobs_store.ingest.otlp import JSON, REQUEST_SAMPLE_EVENT, decode_logs, level_for
from llmobs_store.ingest.otlp_logs import OVERRIDE_PREFIX

T0 = 1_795_937_956_187_615_744
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
SPAN_ID = "00f067aa0ba90202"


def _body(*records: dict[str, Any]) -> bytes:
    document = {
        "resourceLogs": [
            {
                "resource": {
                    "attributes": [{"key": "service.name", "value": {"stringValue": "svc"}}]
                },
                "scopeLogs": [{"scope": {"name": "app.logger"}, "logRecords": list(records)}],
            }
        ]
    }
    return json.dumps(document).encode()


def _record(**fields: Any) -> dict[str, Any]:
    return {"timeUnixNano": str(T0), **fields}


def _attrs(**values: Any) -> list[dict[str, Any]]:
    def any_value(value: Any) -> dict[str, Any]:
        if isinstance(value, bool):
            return {"boolValue": value}
        if isinstance(value, int):
            return {"intValue": value}
        if isinstance(value, float):
            return {"doubleValue": value}
        return {"stringValue": value}

    return [{"key": k.replace("__", "."), "value": any_value(v)} for k, v in values.items()]


@pytest.mark.parametrize(
    ("number", "level"),
    [
        (1, "debug"), (4, "debug"), (5, "debug"), (8, "debug"), (9, "info"), (12, "info"),
        (13, "warning"), (16, "warning"), (17, "error"), (20, "error"), (21, "critical"),
        (24, "critical"),
    ],
)  # fmt: skip
def test_levels_from_severity_numbers(number: int, level: str) -> None:
    assert level_for(number, "ignored when there is a number") == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("WARN", "warning"), ("warning", "warning"), ("Warn2", "warning"), ("ERR", "error"),
        ("ERROR", "error"), ("FATAL", "critical"), ("critical", "critical"), ("TRACE", "debug"),
        ("DEBUG3", "debug"), ("INFO", "info"), ("NOTICE", "info"), ("verbose", "info"),
        (None, "info"), ("", "info"),
    ],
)  # fmt: skip
def test_levels_from_severity_text_when_the_number_is_zero(text: str | None, level: str) -> None:
    assert level_for(0, text) == level
    assert level_for(None, text) == level


def test_records_get_their_level_text_and_number() -> None:
    body = _body(
        _record(severityNumber=13, severityText="WARN", body={"stringValue": "slow"}),
        _record(severityText="FATAL", body={"stringValue": "down"}),
    )
    warn, fatal = decode_logs(body, JSON).logs
    assert (warn.level, warn.severity_number, warn.severity_text) == ("warning", 13, "WARN")
    assert (fatal.level, fatal.severity_number, fatal.severity_text) == ("critical", None, "FATAL")
    assert (warn.service_name, warn.logger_name) == ("svc", "app.logger")


def test_structured_bodies_become_compact_json_messages_and_stay_in_body() -> None:
    structured = {
        "kvlistValue": {
            "values": [
                {"key": "role", "value": {"stringValue": "user"}},
                {"key": "n", "value": {"intValue": "2"}},
                {"key": "tags", "value": {"arrayValue": {"values": [{"stringValue": "é"}]}}},
            ]
        }
    }
    body = _body(
        _record(body=structured),
        _record(body={"intValue": "42"}),
        _record(body={"bytesValue": "AAEC"}),
        _record(eventName="gen_ai.evaluation.result"),
        _record(),
    )
    kvlist, number, raw, event, empty = decode_logs(body, JSON).logs
    assert kvlist.body == {"role": "user", "n": 2, "tags": ["é"]}
    assert kvlist.message == '{"role":"user","n":2,"tags":["é"]}'
    assert (number.body, number.message) == (42, "42")
    assert (raw.body, raw.message) == ("AAEC", '"AAEC"')
    assert (event.body, event.message, event.event_name) == (
        None,
        "gen_ai.evaluation.result",
        "gen_ai.evaluation.result",
    )
    assert (empty.body, empty.message, empty.event_name) == (None, "", None)


def test_correlation_ids_are_hex_and_empty_or_zero_ids_are_none() -> None:
    body = _body(
        _record(traceId=TRACE_ID.upper(), spanId=SPAN_ID),
        _record(traceId="", spanId=""),
        _record(traceId="0" * 32, spanId="0" * 16),
    )
    linked, empty, zero = decode_logs(body, JSON).logs
    assert (linked.trace_id, linked.span_id) == (TRACE_ID, SPAN_ID)
    assert (empty.trace_id, empty.span_id) == (None, None)
    assert (zero.trace_id, zero.span_id) == (None, None)


def test_time_falls_back_to_the_observed_time() -> None:
    (log,) = decode_logs(_body({"observedTimeUnixNano": str(T0)}), JSON).logs
    moment = datetime.fromtimestamp(T0 // 1000 / 1e6, UTC)
    assert log.time == log.observed_time == moment
    assert log.time.microsecond == 187615


def test_bad_records_are_rejected_and_the_rest_kept() -> None:
    body = _body(
        _record(body={"stringValue": "kept"}),
        _record(traceId="abcd"),
        _record(spanId="ab" * 9),
        {"body": {"stringValue": "no time at all"}},
    )
    decoded = decode_logs(body, JSON)
    assert [log.message for log in decoded.logs] == ["kept"]
    assert decoded.num_rejected == 3
    assert decoded.rejection_message == (
        "3 log records rejected: trace_id must be empty or 16 bytes (got 2); span_id must be "
        "empty or 8 bytes (got 9); time_unix_nano or observed_time_unix_nano must be set"
    )


def test_columns_come_from_genai_and_exception_attributes() -> None:
    attributes = _attrs(
        gen_ai__request__model="gpt-4o",
        gen_ai__system="openai",
        gen_ai__usage__input_tokens=10,
        gen_ai__usage__output_tokens=True,  # not a count: ignored
        exception__type="ValueError",
        exception__message="bad",
    )
    (log,) = decode_logs(_body(_record(attributes=attributes)), JSON).logs
    assert (log.model, log.provider, log.input_tokens, log.output_tokens) == (
        "gpt-4o",
        "openai",
        10,
        None,
    )
    assert (log.error_type, log.error_message) == ("ValueError", "bad")
    assert log.attributes is not None and log.attributes["exception.type"] == "ValueError"


def test_llmobs_override_attributes_set_columns_and_leave_the_attributes() -> None:
    attributes = _attrs(
        gen_ai__request__model="from-attribute",
        llmobs__log__model="override",
        llmobs__log__latency_ms=12,
        llmobs__log__cost_usd=0.5,
        llmobs__log__level="critical",
        llmobs__log__input_tokens="not an int",  # wrong type: stays an attribute
        user__id="u1",
    )
    (log,) = decode_logs(_body(_record(attributes=attributes, severityNumber=9)), JSON).logs
    assert (log.model, log.latency_ms, log.cost_usd, log.level) == ("override", 12, 0.5, "critical")
    assert log.attributes == {
        "gen_ai.request.model": "from-attribute",
        OVERRIDE_PREFIX + "input_tokens": "not an int",
        "user.id": "u1",
    }


def test_request_sample_events_become_request_samples() -> None:
    sample_attributes = _attrs(
        llmobs__model="gpt-4o",
        llmobs__latency_s=1,
        llmobs__input_tokens=100,
        llmobs__output_tokens=20,
        llmobs__cost_usd=0.002,
        llmobs__success=False,
        llmobs__ttft_s=0.25,
        llmobs__provider="openai",
        llmobs__cache_hit=True,
        customer="acme",
    )
    body = _body(
        _record(
            eventName=REQUEST_SAMPLE_EVENT,
            attributes=sample_attributes,
            traceId=TRACE_ID,
            spanId=SPAN_ID,
        ),  # fmt: skip
        _record(body={"stringValue": "an ordinary log"}),
    )
    decoded = decode_logs(body, JSON)
    assert [log.message for log in decoded.logs] == ["an ordinary log"]
    (sample,) = decoded.request_samples
    assert (sample.model, sample.latency_s, sample.success) == ("gpt-4o", 1.0, False)
    assert type(sample.latency_s) is float
    assert (sample.input_tokens, sample.output_tokens, sample.cost_usd) == (100, 20, 0.002)
    assert (sample.ttft_s, sample.provider, sample.cache_hit) == (0.25, "openai", True)
    assert (sample.trace_id, sample.span_id, sample.service_name) == (TRACE_ID, SPAN_ID, "svc")
    assert sample.attributes == {"customer": "acme"}
    assert sample.time == datetime.fromtimestamp(T0 // 1000 / 1e6, UTC)


def test_minimal_request_samples_default_to_success() -> None:
    attributes = _attrs(llmobs__model="m", llmobs__latency_s=0.5)
    body = _body(_record(eventName=REQUEST_SAMPLE_EVENT, attributes=attributes))
    (sample,) = decode_logs(body, JSON).request_samples
    assert (sample.success, sample.input_tokens, sample.attributes, sample.trace_id) == (
        True,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("attributes", "reason"),
    [
        (_attrs(llmobs__latency_s=0.5), "needs a string llmobs.model"),
        (_attrs(llmobs__model="m"), "needs a number llmobs.latency_s"),
        (_attrs(llmobs__model="", llmobs__latency_s=0.5), "must not be empty"),
        (_attrs(llmobs__model="m", llmobs__latency_s="slow"), "llmobs.latency_s must be a number"),
        (_attrs(llmobs__model="m", llmobs__latency_s=True), "must be a number, not bool"),
        (
            _attrs(llmobs__model="m", llmobs__latency_s=1, llmobs__input_tokens=1.5),
            "must be an integer, not float",
        ),
        (
            _attrs(llmobs__model="m", llmobs__latency_s=1, llmobs__success="yes"),
            "must be a boolean, not str",
        ),
    ],
)
def test_malformed_request_samples_are_rejected(attributes: list[Any], reason: str) -> None:
    body = _body(_record(eventName=REQUEST_SAMPLE_EVENT, attributes=attributes))
    decoded = decode_logs(body, JSON)
    assert (decoded.logs, decoded.request_samples, decoded.num_rejected) == ([], [], 1)
    assert decoded.rejection_message is not None and reason in decoded.rejection_message
