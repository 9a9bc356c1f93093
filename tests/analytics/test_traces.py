"""get_trace: summary, span tree with offsets, LLM fields, logs, links and the session's traces."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from llmobs_store.analytics.traces import get_trace, list_trace_spans
from llmobs_store.errors import NotFound
from llmobs_store.store import Store
from tests.factories import T0, make_log, make_span

TRACE = "a" * 32
OTHER = "b" * 32
LATER = "c" * 32
UNRELATED = "d" * 32


def seed(store: Store) -> None:
    store.write(
        [
            make_span(
                trace_id=TRACE,
                span_id="1" * 16,
                name="agent",
                duration_ms=1000,
                span_type="agent",
                session_id="sess",
                user_id="u1",
                service_name="svc",
            ),
            make_span(
                trace_id=TRACE,
                span_id="2" * 16,
                parent_span_id="1" * 16,
                name="chat gpt-4o",
                offset_ms=100,
                duration_ms=400,
                span_type="llm",
                model="gpt-4o",
                provider="openai",
                input_tokens=120,
                output_tokens=30,
                total_tokens=150,
                cache_read_tokens=100,
                reasoning_tokens=10,
                cost_usd=0.002,
                ttft_ms=85.5,
                input_text="user: hello",
                output_text="assistant: hi",
                session_id="sess",
                attributes={"gen_ai.request.temperature": 0.2},
                links=[
                    {"trace_id": OTHER, "span_id": "5" * 16, "attributes": {"k": 1}},
                    {"trace_id": "e" * 32, "span_id": "6" * 16},
                ],
            ),
            make_span(
                trace_id=TRACE,
                span_id="3" * 16,
                parent_span_id="2" * 16,
                name="tool weather",
                offset_ms=200,
                duration_ms=50,
                span_type="tool",
                status="error",
                status_message="boom",
                error_type="ValueError",
                events=[
                    {
                        "name": "exception",
                        "time": T0.isoformat(),
                        "attributes": {"exception.stacktrace": "Traceback ..."},
                    }
                ],
            ),
            make_span(
                trace_id=TRACE,
                span_id="4" * 16,
                parent_span_id="1" * 16,
                name="summarise",
                offset_ms=600,
                duration_ms=300,
            ),
            make_span(
                trace_id=OTHER,
                span_id="5" * 16,
                name="earlier",
                offset_ms=-60_000,
                session_id="sess",
            ),
            make_span(
                trace_id=LATER, span_id="6" * 16, name="later", offset_ms=60_000, session_id="sess"
            ),
            make_span(trace_id=UNRELATED, span_id="7" * 16, name="elsewhere", session_id="x"),
            replace(
                make_log("second", trace_id=TRACE, span_id="2" * 16),
                time=T0 + timedelta(milliseconds=300),
            ),
            replace(make_log("first", trace_id=TRACE), level="error"),
            make_log("not this trace", trace_id=OTHER),
        ]
    )


def test_a_trace_with_its_tree_logs_links_and_session(store: Store) -> None:
    seed(store)
    with store.connect() as conn:
        trace = get_trace(conn, TRACE.upper())
    s = trace.summary
    assert (s.trace_id, s.name, s.service_name, s.num_spans, s.num_errors) == (
        TRACE,
        "agent",
        "svc",
        4,
        1,
    )
    assert s.status == "error" and s.duration_ms == pytest.approx(1000)
    assert s.session_id == "sess" and s.start_time == T0
    assert [(n.span.name, n.depth) for n in trace.spans] == [
        ("agent", 0),
        ("chat gpt-4o", 1),
        ("tool weather", 2),
        ("summarise", 1),
    ]
    assert [n.offset_ms for n in trace.spans] == pytest.approx([0, 100, 200, 600])
    llm = trace.find_span("2" * 16)
    assert llm is not None
    span = llm.span
    assert (span.span_type, span.model, span.provider, span.ttft_ms) == (
        "llm",
        "gpt-4o",
        "openai",
        85.5,
    )
    assert (
        span.input_tokens,
        span.cache_read_tokens,
        span.output_tokens,
        span.reasoning_tokens,
    ) == (120, 100, 30, 10)
    assert span.cost_usd == pytest.approx(0.002)
    assert (span.input_text, span.output_text) == ("user: hello", "assistant: hi")
    assert span.attributes == {"gen_ai.request.temperature": 0.2}
    failed = trace.find_span("3" * 16)
    assert failed is not None and failed.span.error_type == "ValueError"
    assert failed.span.events[0]["attributes"]["exception.stacktrace"] == "Traceback ..."
    assert trace.find_span("f" * 16) is None
    assert [log.message for log in trace.logs] == ["first", "second"]
    assert trace.logs[1].span_id == "2" * 16
    assert [(link.trace_id, link.stored, link.from_span_id) for link in trace.links] == [
        (OTHER, True, "2" * 16),
        ("e" * 32, False, "2" * 16),
    ]
    assert trace.links[0].attributes == {"k": 1}
    assert [row.trace_id for row in trace.session_traces] == [OTHER, LATER]


def test_an_unknown_trace_is_not_found(store: Store) -> None:
    seed(store)
    with store.connect() as conn, pytest.raises(NotFound, match="no trace"):
        get_trace(conn, "0" * 31 + "9")


def test_a_trace_without_session_logs_or_links(store: Store) -> None:
    seed(store)
    with store.connect() as conn:
        trace = get_trace(conn, UNRELATED)
        assert trace.session_traces == ()  # the only trace of session "x"
        assert (trace.logs, trace.links) == ((), ())
        assert [span.name for span in list_trace_spans(conn, LATER)] == ["later"]
