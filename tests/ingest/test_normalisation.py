"""Attribute conventions to span columns: real captured spans, then every family and alias."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from llmobs_store.ingest.normalisation import iso_utc, normalise_span
from llmobs_store.ingest.records import RawSpan, SpanEvent, SpanLink, SpanRecord
from tests.fixture_files import OTLP_FIXTURES

EXPECTED = OTLP_FIXTURES / "expected"
T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _time(unix_nano: int) -> datetime:
    seconds, nanos = divmod(unix_nano, 1_000_000_000)
    return datetime.fromtimestamp(seconds, UTC).replace(microsecond=nanos // 1000)


def load_raw_spans(name: str) -> list[RawSpan]:
    """The spans of ``expected/<name>.json`` as the OTLP decoder hands them over."""
    doc = json.loads((EXPECTED / f"{name}.json").read_text())
    resource = doc["resources"][0]
    return [
        RawSpan(
            trace_id=s["trace_id"],
            span_id=s["span_id"],
            parent_span_id=s["parent_span_id"],
            name=s["name"],
            start_time=_time(s["start_time_unix_nano"]),
            end_time=_time(s["end_time_unix_nano"]),
            kind=s["kind"].lower(),
            status=s["status"]["code"].lower(),
            status_message=s["status"]["message"] or None,
            attributes=s["attributes"],
            events=tuple(
                SpanEvent(e["name"], _time(e["time_unix_nano"]), e["attributes"])
                for e in s["events"]
            ),
            links=tuple(SpanLink(k["trace_id"], k["span_id"], k["attributes"]) for k in s["links"]),
            resource_attributes=resource,
            scope_name=s["scope"]["name"],
        )
        for s in doc["spans"]
    ]


def _by_id(name: str) -> dict[str, SpanRecord]:
    return {r.span_id: r for r in map(normalise_span, load_raw_spans(name))}


def span(attributes: dict[str, Any], **fields: Any) -> SpanRecord:
    """Normalise a one-second span with ``attributes`` (and any other RawSpan field)."""
    fields.setdefault("name", "test")
    raw = RawSpan(
        trace_id="4bf92f3577b34da6a3ce929d0e0e4736",
        span_id="00f067aa0ba90201",
        start_time=T0,
        end_time=T0 + timedelta(seconds=1),
        attributes=attributes,
        **fields,
    )
    return normalise_span(raw)


# --- the captured fixtures ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["traces_genai_protobuf", "traces_openinference_protobuf"])
def test_fixture_spans_match_the_derived_facts(name: str) -> None:
    doc = json.loads((EXPECTED / f"{name}.json").read_text())
    records = _by_id(name)
    assert len(records) == doc["span_count"]
    for s in doc["spans"]:
        record, derived = records[s["span_id"]], s["derived"]
        assert record.model == derived["model"]
        assert record.request_model == derived["request_model"]
        assert record.input_tokens == derived["input_tokens"]
        assert record.output_tokens == derived["output_tokens"]
        assert record.provider == derived["provider"]
        assert record.duration_ms == pytest.approx(s["duration_ms"], abs=0.001)
        assert record.service_name == doc["resources"][0]["service.name"]
        assert record.scope_name == s["scope"]["name"]
        assert record.attributes == s["attributes"]
        assert record.resource_attributes == doc["resources"][0]


def test_genai_fixture_chat_span() -> None:
    chat = _by_id("traces_genai_protobuf")["00f067aa0ba90203"]
    assert (chat.span_type, chat.operation, chat.kind) == ("llm", "chat", "client")
    assert (chat.request_model, chat.response_model) == ("gpt-4o-mini", "gpt-4o-mini-2024-07-18")
    assert (chat.input_tokens, chat.output_tokens, chat.total_tokens) == (1200, 85, 1285)
    assert (chat.cache_read_tokens, chat.cache_write_tokens, chat.reasoning_tokens) == (
        1024,
        None,
        None,
    )
    assert chat.ttft_ms == pytest.approx(210.0)
    assert chat.session_id == "conv_fixture_0001"
    assert (
        chat.input_text
        == "system: Answer from the documents.\nuser: What is the capital of France?"
    )
    assert chat.output_text == "assistant: Paris."
    assert chat.attributes["gen_ai.request.temperature"] == 0.2
    assert chat.attributes["gen_ai.response.finish_reasons"] == ["stop"]
    assert chat.status == "unset" and chat.error_type is None
    assert chat.cost_usd is None and chat.reported_cost_usd is None
    assert chat.events == [
        {
            "name": "gen_ai.first_token",
            "time": "2025-01-15T10:00:00.260000Z",
            "attributes": {"gen_ai.response.time_to_first_chunk": 0.21},
        }
    ]


def test_genai_fixture_claude_span_with_structured_messages() -> None:
    claude = _by_id("traces_genai_protobuf")["00f067aa0ba90204"]
    assert claude.provider == "anthropic"
    assert (claude.input_tokens, claude.output_tokens) == (2100, 150)
    assert (claude.cache_read_tokens, claude.cache_write_tokens) == (1800, 200)
    assert claude.input_text == "user: Summarise: Paris is the capital of France."
    assert claude.output_text == "assistant: Paris is France's capital."
    assert claude.events is not None
    assert [e["name"] for e in claude.events] == [
        "gen_ai.content.prompt",
        "gen_ai.content.completion",
    ]
    assert claude.ttft_ms is None


def test_genai_fixture_error_spans_have_no_tokens() -> None:
    records = _by_id("traces_genai_protobuf")
    tool, rate_limited = records["00f067aa0ba90205"], records["00f067aa0ba90206"]
    assert (tool.span_type, tool.status, tool.error_type) == ("tool", "error", "TimeoutError")
    assert tool.status_message == "weather service timed out after 2.0s"
    assert tool.events is not None and tool.events[0]["name"] == "exception"
    assert tool.events[0]["attributes"]["retry.count"] == 0
    assert (rate_limited.status, rate_limited.error_type) == ("error", "429")
    assert rate_limited.model == "gpt-4o-mini"
    assert rate_limited.input_tokens is None
    assert rate_limited.output_tokens is None
    assert rate_limited.total_tokens is None


def test_genai_fixture_root_and_retrieval_spans() -> None:
    records = _by_id("traces_genai_protobuf")
    root, retrieval = records["00f067aa0ba90201"], records["00f067aa0ba90202"]
    assert (root.kind, root.span_type, root.parent_span_id) == ("server", "other", None)
    assert root.links == [
        {
            "trace_id": "0af7651916cd43dd8448eb211c80319c",
            "span_id": "b7ad6b7169203331",
            "attributes": {"link.reason": "previous_turn"},
        }
    ]
    assert (root.session_id, root.user_id) == ("conv_fixture_0001", "user-42")
    assert root.events is None and root.metadata is None
    assert (retrieval.span_type, retrieval.operation, retrieval.status) == (
        "retrieval",
        "retrieval",
        "ok",
    )
    assert retrieval.input_text == "What is the capital of France?"
    assert retrieval.events == [
        {
            "name": "retrieval.documents",
            "time": "2025-01-15T10:00:00.040000Z",
            "attributes": {"document.count": 3, "document.ids": ["doc_123", "doc_456", "doc_789"]},
        }
    ]
    assert retrieval.links is None


def test_openinference_fixture() -> None:
    records = _by_id("traces_openinference_protobuf")
    plain, streamed = records["ee655b0fb3e137c1"], records["fad24594e9c56ed8"]
    failed, root = records["ca8eb446a5ccecb6"], records["1ad7ebbedc6223c8"]
    for chat in (plain, streamed, failed):
        assert (chat.span_type, chat.operation, chat.kind) == ("llm", "chat", "internal")
        assert (chat.session_id, chat.user_id) == ("sess-fixture-1", "user-42")
        assert chat.metadata == {"tier": "gold", "tags": ["fixture"]}
    assert plain.response_model == "gpt-4o-mini-2024-07-18" and plain.status == "ok"
    assert (plain.input_tokens, plain.output_tokens, plain.total_tokens) == (42, 9, 51)
    assert (plain.cache_read_tokens, plain.reasoning_tokens) == (16, 0)
    assert plain.input_text == (
        "system: You are a terse geography assistant.\nuser: What is the capital of France?"
    )
    assert plain.output_text == "assistant: The capital of France is Paris."
    assert plain.ttft_ms is None
    assert (streamed.input_tokens, streamed.output_tokens, streamed.total_tokens) == (30, 5, 35)
    assert streamed.ttft_ms == pytest.approx(49.338, abs=0.001)
    assert streamed.output_text == "assistant: Bonjour! Ça va?"
    assert (failed.status, failed.error_type) == ("error", "openai.RateLimitError")
    assert failed.model is None and failed.input_tokens is None and failed.total_tokens is None
    assert failed.input_text == "user: TRIGGER_RATE_LIMIT please"
    assert failed.output_text is None
    assert (root.span_type, root.operation) == ("chain", None)
    assert (root.input_text, root.output_text) == (
        "What is the capital of France?",
        "The capital of France is Paris.",
    )


# --- each convention family and alias ----------------------------------------------------


@pytest.mark.parametrize(
    ("column", "key", "value", "expected"),
    [
        ("provider", "gen_ai.provider.name", "openai", "openai"),
        ("provider", "gen_ai.system", "az.ai.openai", "az.ai.openai"),
        ("provider", "llm.provider", "anthropic", "anthropic"),
        ("provider", "llm.system", "vertexai", "vertexai"),
        ("request_model", "gen_ai.request.model", "gpt-4o", "gpt-4o"),
        ("request_model", "llm.request.model_name", "gpt-4o", "gpt-4o"),
        ("request_model", "llm.model", "gpt-4o", "gpt-4o"),
        ("response_model", "gen_ai.response.model", "gpt-4o-2024-08-06", "gpt-4o-2024-08-06"),
        ("response_model", "llm.response.model_name", "gpt-4o-2024-08-06", "gpt-4o-2024-08-06"),
        ("response_model", "llm.model_name", "gpt-4o-2024-08-06", "gpt-4o-2024-08-06"),
        ("input_tokens", "gen_ai.usage.input_tokens", 10, 10),
        ("input_tokens", "gen_ai.usage.prompt_tokens", 10, 10),
        ("input_tokens", "llm.token_count.prompt", 10, 10),
        ("input_tokens", "llm.usage.prompt_tokens", 10, 10),
        ("input_tokens", "llm.tokens.input", 10, 10),
        ("output_tokens", "gen_ai.usage.output_tokens", 7, 7),
        ("output_tokens", "gen_ai.usage.completion_tokens", 7, 7),
        ("output_tokens", "llm.token_count.completion", 7, 7),
        ("output_tokens", "llm.tokens.output", 7, 7),
        ("total_tokens", "gen_ai.usage.total_tokens", 17, 17),
        ("total_tokens", "llm.usage.total_tokens", 17, 17),
        ("total_tokens", "llm.token_count.total", 17, 17),
        ("total_tokens", "llm.tokens.total", 17, 17),
        ("cache_read_tokens", "gen_ai.usage.cache_read.input_tokens", 4, 4),
        ("cache_read_tokens", "gen_ai.usage.cache_read_input_tokens", 4, 4),
        ("cache_read_tokens", "llm.token_count.prompt_details.cache_read", 4, 4),
        ("cache_write_tokens", "gen_ai.usage.cache_creation.input_tokens", 3, 3),
        ("cache_write_tokens", "gen_ai.usage.cache_creation_input_tokens", 3, 3),
        ("cache_write_tokens", "llm.token_count.prompt_details.cache_write", 3, 3),
        ("reasoning_tokens", "gen_ai.usage.reasoning.output_tokens", 2, 2),
        ("reasoning_tokens", "gen_ai.usage.reasoning_tokens", 2, 2),
        ("reasoning_tokens", "llm.token_count.completion_details.reasoning", 2, 2),
        ("reasoning_tokens", "llm.usage.reasoning_tokens", 2, 2),
        ("reported_cost_usd", "gen_ai.usage.cost", 1.05e-05, 1.05e-05),
        ("reported_cost_usd", "llm.cost.total", 0.002, 0.002),
        ("reported_cost_usd", "llm.cost.input", 0.001, 0.001),
        ("session_id", "gen_ai.conversation.id", "c1", "c1"),
        ("session_id", "session.id", "s1", "s1"),
        ("session_id", "traceloop.association.properties.session_id", "s1", "s1"),
        ("session_id", "langfuse.session.id", "s1", "s1"),
        ("user_id", "user.id", "u1", "u1"),
        ("user_id", "gen_ai.request.user", "u1", "u1"),
        ("user_id", "gen_ai.user", "u1", "u1"),
        ("user_id", "llm.user", "u1", "u1"),
        ("user_id", "traceloop.association.properties.user_id", "u1", "u1"),
        ("user_id", "langfuse.user.id", 42, "42"),
        ("error_type", "error.type", "RateLimitError", "RateLimitError"),
        ("ttft_ms", "gen_ai.response.time_to_first_chunk", 0.25, 250.0),
        ("ttft_ms", "gen_ai.server.time_to_first_token", 0.5, 500.0),
    ],
)
def test_each_key_fills_its_column(column: str, key: str, value: Any, expected: Any) -> None:
    assert getattr(span({key: value}), column) == expected


@pytest.mark.parametrize(
    ("column", "keys"),
    [
        ("provider", ["gen_ai.provider.name", "gen_ai.system", "llm.provider", "llm.system"]),
        ("request_model", ["gen_ai.request.model", "llm.request.model_name", "llm.model"]),
        ("response_model", ["gen_ai.response.model", "llm.response.model_name", "llm.model_name"]),
        (
            "input_tokens",
            [
                "gen_ai.usage.input_tokens",
                "gen_ai.usage.prompt_tokens",
                "llm.token_count.prompt",
                "llm.usage.prompt_tokens",
                "llm.tokens.input",
            ],
        ),
        (
            "output_tokens",
            [
                "gen_ai.usage.output_tokens",
                "gen_ai.usage.completion_tokens",
                "llm.token_count.completion",
                "llm.tokens.output",
            ],
        ),
        (
            "total_tokens",
            [
                "gen_ai.usage.total_tokens",
                "llm.usage.total_tokens",
                "llm.token_count.total",
                "llm.tokens.total",
            ],
        ),
        (
            "cache_read_tokens",
            [
                "gen_ai.usage.cache_read.input_tokens",
                "gen_ai.usage.cache_read_input_tokens",
                "llm.token_count.prompt_details.cache_read",
            ],
        ),
        (
            "cache_write_tokens",
            [
                "gen_ai.usage.cache_creation.input_tokens",
                "gen_ai.usage.cache_creation_input_tokens",
                "llm.token_count.prompt_details.cache_write",
            ],
        ),
        (
            "reasoning_tokens",
            [
                "gen_ai.usage.reasoning.output_tokens",
                "gen_ai.usage.reasoning_tokens",
                "llm.token_count.completion_details.reasoning",
            ],
        ),
        ("reported_cost_usd", ["gen_ai.usage.cost", "llm.cost.total"]),
        (
            "session_id",
            [
                "gen_ai.conversation.id",
                "session.id",
                "traceloop.association.properties.session_id",
                "langfuse.session.id",
            ],
        ),
        (
            "user_id",
            ["user.id", "gen_ai.request.user", "gen_ai.user", "llm.user", "langfuse.user.id"],
        ),
    ],
)
def test_first_present_key_wins(column: str, keys: list[str]) -> None:
    numeric = column.endswith(("_tokens", "_usd"))
    values = [i + 1 if numeric else f"v{i}" for i in range(len(keys))]
    # Inserted in reverse, so dict order cannot be what decides.
    for start in range(len(keys)):
        attributes = {k: v for k, v in reversed(list(zip(keys, values, strict=True)))}
        for k in keys[:start]:
            del attributes[k]
        assert getattr(span(attributes), column) == values[start]


def test_seed_sdk_span() -> None:
    record = span(
        {
            "llm.model": "gpt-4o-mini",
            "llm.provider": "openai",
            "llm.temperature": 0.7,
            "llm.tokens.input": 120,
            "llm.tokens.output": 30,
            "llm.tokens.total": 150,
            "llm.cost.input": 0.000018,
            "llm.cost.output": 0.000018,
            "llm.finish_reason": "stop",
        },
        name="llm.generate",
    )
    assert (record.span_type, record.provider, record.model) == ("llm", "openai", "gpt-4o-mini")
    assert (record.request_model, record.response_model) == ("gpt-4o-mini", None)
    assert (record.input_tokens, record.output_tokens, record.total_tokens) == (120, 30, 150)
    assert record.reported_cost_usd == pytest.approx(0.000036)


def test_seed_keys_come_last() -> None:
    record = span(
        {
            "llm.model": "seed-model",
            "gen_ai.request.model": "gpt-4o",
            "llm.tokens.input": 1,
            "gen_ai.usage.input_tokens": 100,
            "llm.cost.total": 0.5,
            "gen_ai.usage.cost": 0.25,
        }
    )
    assert (record.model, record.input_tokens, record.reported_cost_usd) == ("gpt-4o", 100, 0.25)


def test_reported_cost_from_openinference_parts() -> None:
    assert span({"llm.cost.prompt": 0.25, "llm.cost.completion": 0.5}).reported_cost_usd == 0.75
    assert span({"llm.cost.total": 2.0, "llm.cost.input": 0.5}).reported_cost_usd == 2.0
    assert span({"llm.cost.total": "junk"}).reported_cost_usd is None


def test_cost_is_left_to_pricing() -> None:
    record = span({"gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 10})
    assert (record.cost_usd, record.cost_source) == (None, None)


def test_model_is_response_model_else_request_model() -> None:
    both = span({"gen_ai.request.model": "gpt-4o", "gen_ai.response.model": "gpt-4o-2024-08-06"})
    assert both.model == "gpt-4o-2024-08-06"
    assert span({"gen_ai.request.model": "gpt-4o"}).model == "gpt-4o"
    assert span({}).model is None


# --- token values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, 12),
        (0, 0),
        (12.0, 12),
        ("12", 12),
        (" 12 ", 12),
        ("12.0", 12),
        ("1e3", 1000),
        (12.5, None),
        ("12.5", None),
        ("twelve", None),
        ("", None),
        (-1, None),
        ("-3", None),
        (True, None),
        (float("nan"), None),
        (float("inf"), None),
        ([12], None),
        ({"n": 12}, None),
    ],
)
def test_token_values(value: Any, expected: int | None) -> None:
    assert span({"gen_ai.usage.input_tokens": value}).input_tokens == expected


def test_invalid_value_falls_through_to_the_next_key() -> None:
    record = span({"gen_ai.usage.input_tokens": "n/a", "llm.token_count.prompt": 42})
    assert record.input_tokens == 42


def test_total_tokens_is_input_plus_output_when_both_known() -> None:
    attributes = {"gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 5}
    assert span({**attributes, "gen_ai.usage.total_tokens": 99}).total_tokens == 15
    assert span({"gen_ai.usage.input_tokens": 10, "llm.token_count.total": 12}).total_tokens == 12
    assert span({"gen_ai.usage.input_tokens": 10}).total_tokens is None
    assert span({}).total_tokens is None


# --- span type and operation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "span_type", "operation"),
    [
        ({"gen_ai.operation.name": "chat"}, "llm", "chat"),
        ({"gen_ai.operation.name": "text_completion"}, "llm", "text_completion"),
        ({"gen_ai.operation.name": "generate_content"}, "llm", "generate_content"),
        ({"gen_ai.operation.name": "embeddings"}, "embedding", "embeddings"),
        ({"gen_ai.operation.name": "retrieval"}, "retrieval", "retrieval"),
        ({"gen_ai.operation.name": "execute_tool"}, "tool", "execute_tool"),
        ({"gen_ai.operation.name": "invoke_agent"}, "agent", "invoke_agent"),
        ({"gen_ai.operation.name": "create_agent"}, "agent", "create_agent"),
        ({"gen_ai.operation.name": "invoke_workflow"}, "chain", "invoke_workflow"),
        ({"gen_ai.operation.name": "something_new"}, "other", "something_new"),
        ({"openinference.span.kind": "LLM"}, "llm", "chat"),
        ({"openinference.span.kind": "EMBEDDING"}, "embedding", "embeddings"),
        ({"openinference.span.kind": "RETRIEVER"}, "retrieval", "retrieval"),
        ({"openinference.span.kind": "RERANKER"}, "retrieval", None),
        ({"openinference.span.kind": "TOOL"}, "tool", "execute_tool"),
        ({"openinference.span.kind": "AGENT"}, "agent", "invoke_agent"),
        ({"openinference.span.kind": "CHAIN"}, "chain", None),
        ({"openinference.span.kind": "llm"}, "llm", "chat"),
        ({"openinference.span.kind": "GUARDRAIL"}, "other", None),
        ({"openinference.span.kind": "EVALUATOR"}, "other", None),
        ({"openinference.span.kind": "UNKNOWN"}, "other", None),
        ({"traceloop.span.kind": "workflow"}, "chain", "invoke_workflow"),
        ({"traceloop.span.kind": "task"}, "chain", "task"),
        ({"traceloop.span.kind": "agent"}, "agent", "invoke_agent"),
        ({"traceloop.span.kind": "tool"}, "tool", "execute_tool"),
        ({"traceloop.span.kind": "unknown"}, "other", None),
        ({"llm.request.type": "chat"}, "llm", "chat"),
        ({"llm.request.type": "completion"}, "llm", "text_completion"),
        ({"llm.request.type": "embedding"}, "embedding", "embeddings"),
        ({"llm.request.type": "rerank"}, "retrieval", "rerank"),
        ({"llm.request.type": "unknown"}, "other", None),
        ({"gen_ai.request.model": "m", "gen_ai.usage.input_tokens": 1}, "llm", None),
        ({"llm.model_name": "m", "llm.token_count.total": 3}, "llm", None),
        ({"gen_ai.request.model": "m"}, "other", None),
        ({"gen_ai.usage.input_tokens": 1}, "other", None),
        ({"gen_ai.operation.name": ["chat"]}, "other", None),
        ({}, "other", None),
    ],
)
def test_span_type_and_operation(
    attributes: dict[str, Any], span_type: str, operation: str | None
) -> None:
    record = span(attributes)
    assert (record.span_type, record.operation) == (span_type, operation)


def test_kind_hints_in_priority_order() -> None:
    both = {"gen_ai.operation.name": "execute_tool", "openinference.span.kind": "LLM"}
    assert (span(both).span_type, span(both).operation) == ("tool", "execute_tool")
    oi_first = {"openinference.span.kind": "AGENT", "traceloop.span.kind": "tool"}
    assert span(oi_first).span_type == "agent"
    traceloop_first = {"traceloop.span.kind": "workflow", "llm.request.type": "chat"}
    assert span(traceloop_first).span_type == "chain"
    assert span(traceloop_first).operation == "chat"  # §3.3: llm.request.type before the kinds


def test_seed_llm_span_name_with_model_is_llm() -> None:
    assert span({"llm.model": "gpt-4o"}, name="llm.complete").span_type == "llm"
    assert span({"llm.model": "gpt-4o"}, name="complete").span_type == "other"
    assert span({}, name="llm.complete").span_type == "other"


# --- errors -------------------------------------------------------------------------------


def _exception(kind: str = "ValueError", message: str = "bad value") -> SpanEvent:
    attributes = {"exception.type": kind, "exception.message": message}
    return SpanEvent("exception", T0 + timedelta(milliseconds=5), attributes)


def test_error_falls_back_to_the_first_exception_event() -> None:
    events = (_exception(), _exception("KeyError", "second"))
    record = span({}, status="error", events=events)
    assert (record.error_type, record.status_message) == ("ValueError", "bad value")


def test_error_type_attribute_and_status_message_win() -> None:
    events = (_exception(),)
    record = span({"error.type": "429"}, status="error", status_message="limited", events=events)
    assert (record.error_type, record.status_message) == ("429", "limited")


def test_exception_event_on_a_successful_span_is_not_an_error() -> None:
    record = span({}, status="ok", events=(_exception(),))
    assert (record.status, record.error_type, record.status_message) == ("ok", None, None)


@pytest.mark.parametrize("status", ["ok", "error", "unset"])
def test_status_passes_through(status: str) -> None:
    assert span({}, status=status).status == status


# --- time to first token ------------------------------------------------------------------


@pytest.mark.parametrize(
    "event_name",
    ["gen_ai.first_token", "First Token Stream Event", "llm.first_token", "first_token"],
)
def test_ttft_from_first_token_events(event_name: str) -> None:
    event = SpanEvent(event_name, T0 + timedelta(milliseconds=123.5))
    assert span({}, events=(event,)).ttft_ms == pytest.approx(123.5)


def test_ttft_priority_attribute_then_event_then_server() -> None:
    event = SpanEvent("gen_ai.first_token", T0 + timedelta(milliseconds=300))
    server = {"gen_ai.server.time_to_first_token": 0.1}
    chunk = {"gen_ai.response.time_to_first_chunk": 0.2}
    assert span({**server, **chunk}, events=(event,)).ttft_ms == pytest.approx(200.0)
    assert span(server, events=(event,)).ttft_ms == pytest.approx(300.0)
    assert span(server).ttft_ms == pytest.approx(100.0)
    early = SpanEvent("gen_ai.first_token", T0 - timedelta(milliseconds=1))
    assert span({}, events=(early, SpanEvent("other", T0))).ttft_ms is None


# --- metadata -----------------------------------------------------------------------------


def test_metadata_from_every_label_form() -> None:
    record = span(
        {
            "metadata.tenant": "acme",
            "metadata": '{"tier": "gold", "tenant": "overridden"}',
            "traceloop.association.properties.feature": "search",
            "tag.tags": ["beta", "eu"],
            "gen_ai.request.model": "not a label",
        }
    )
    assert record.metadata == {
        "tenant": "acme",
        "tier": "gold",
        "feature": "search",
        "tags": ["beta", "eu"],
    }


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"metadata.tenant": "acme"}, {"tenant": "acme"}),
        ({"metadata": {"tier": "gold"}}, {"tier": "gold"}),
        ({"metadata": "not json"}, {"metadata": "not json"}),
        ({"metadata": "{broken"}, {"metadata": "{broken"}),
        ({"traceloop.association.properties.user_id": "u1"}, {"user_id": "u1"}),
        ({"tag.tags": ["x"]}, {"tags": ["x"]}),
        ({"gen_ai.request.model": "m"}, None),
        ({}, None),
    ],
)
def test_metadata_forms(attributes: dict[str, Any], expected: dict[str, Any] | None) -> None:
    assert span(attributes).metadata == expected


# --- passthrough and JSON columns ---------------------------------------------------------


def test_attributes_events_links_are_copies() -> None:
    attributes = {"gen_ai.request.model": "m"}
    event_attributes = {"k": 1}
    link = SpanLink("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", {"r": "x"})
    record = span(
        attributes,
        events=(SpanEvent("e", T0, event_attributes),),
        links=(link,),
        resource_attributes={"service.name": "svc"},
        kind="client",
        scope_name="scope",
        parent_span_id="00f067aa0ba90209",
    )
    assert record.attributes == attributes and record.attributes is not attributes
    assert record.events is not None and record.events[0]["attributes"] is not event_attributes
    assert record.links == [
        {"trace_id": link.trace_id, "span_id": link.span_id, "attributes": {"r": "x"}}
    ]
    assert (record.kind, record.scope_name, record.service_name) == ("client", "scope", "svc")
    assert record.parent_span_id == "00f067aa0ba90209"
    assert record.resource_attributes == {"service.name": "svc"}


def test_no_events_or_links_is_null() -> None:
    record = span({})
    assert (record.events, record.links, record.service_name) == (None, None, None)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2025, 1, 15, 10, 0, 0, 260000, tzinfo=UTC),
        datetime(2025, 1, 15, 10, 0, 0, 260000),
        datetime(2025, 1, 15, 12, 0, 0, 260000, tzinfo=timezone(timedelta(hours=2))),
    ],
)
def test_event_times_are_iso_utc_with_microseconds(moment: datetime) -> None:
    assert iso_utc(moment) == "2025-01-15T10:00:00.260000Z"
    assert iso_utc(moment.replace(microsecond=0)) == "2025-01-15T10:00:00.000000Z"


@pytest.mark.parametrize(
    "junk",
    [None, True, -5, 3.5, "", "text", "[{", "{}", [], [None, 1], {"a": {"b": []}}, [{"role": 1}]],
)
def test_odd_values_never_break_normalisation(junk: Any) -> None:
    keys = [
        "gen_ai.operation.name",
        "openinference.span.kind",
        "traceloop.span.kind",
        "llm.request.type",
        "gen_ai.provider.name",
        "gen_ai.request.model",
        "gen_ai.usage.input_tokens",
        "llm.cost.total",
        "gen_ai.response.time_to_first_chunk",
        "session.id",
        "metadata",
        "metadata.tenant",
        "tag.tags",
        "error.type",
        "gen_ai.system_instructions",
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "llm.input_messages.0.message.role",
        "llm.input_messages.0.message.contents.x.message_content.text",
        "llm.output_messages.0.message.tool_calls.0.tool_call",
        "input.value",
        "gen_ai.prompt.0.content",
        "gen_ai.completion",
    ]
    events = (
        SpanEvent("gen_ai.choice", T0, {"message": junk}),
        SpanEvent("exception", T0, {"exception.type": junk}),
        SpanEvent("first_token", T0.replace(tzinfo=None)),
    )
    record = span(dict.fromkeys(keys, junk), status="error", events=events)
    assert record.span_type in {"llm", "embedding", "retrieval", "tool", "agent", "chain", "other"}
    assert record.input_tokens is None  # none of the odd values is a token count
