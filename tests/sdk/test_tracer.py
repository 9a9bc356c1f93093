"""LLMTracer: span lifecycle, nesting, errors, explicit placement, and the stored rows."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from llmobs_store.analytics.traces import StoredSpan, list_trace_spans
from llmobs_store.db.spans import Span as SpanRow
from llmobs_store.ids import is_span_id, is_trace_id, new_trace_id
from llmobs_store.sdk import LLMTracer, close_default_store, current_span_context
from llmobs_store.store import Store
from tests.conftest import count_rows


def stored_spans(store: Store, trace_id: str) -> dict[str, StoredSpan]:
    """The stored spans of ``trace_id`` by name."""
    with store.connect() as conn:
        return {span.name: span for span in list_trace_spans(conn, trace_id)}


def test_nested_spans_are_stored_as_a_tree(store: Store) -> None:
    tracer = LLMTracer("checkout", store)
    trace_id = tracer.start_trace("root", {"user": "u-1"})
    child_id = tracer.start_span("child")
    grandchild_id = tracer.start_span("grandchild")
    current = current_span_context()
    assert current is not None and current.span_id == grandchild_id
    assert tracer.end_span() is True
    current = current_span_context()
    assert current is not None and current.span_id == child_id
    assert tracer.end_span() is True
    assert tracer.end_span() is True
    assert current_span_context() is None
    tracer.flush()

    spans = stored_spans(store, trace_id)
    assert set(spans) == {"root", "child", "grandchild"}
    assert is_trace_id(trace_id) and all(is_span_id(s.span_id) for s in spans.values())
    assert spans["root"].parent_span_id is None
    assert spans["child"].parent_span_id == spans["root"].span_id
    assert spans["grandchild"].parent_span_id == child_id
    root = spans["root"]
    assert root.attributes == {"user": "u-1"}
    assert (root.status, root.kind, root.service_name) == ("ok", "internal", "checkout")
    assert root.start_time.tzinfo is not None
    assert root.start_time <= spans["child"].start_time <= spans["grandchild"].start_time
    assert spans["grandchild"].end_time <= spans["child"].end_time <= root.end_time
    assert root.duration_ms >= spans["child"].duration_ms >= 0
    with store.connect() as conn:
        scope = conn.execute(select(SpanRow.scope_name).where(SpanRow.span_id == child_id))
        assert scope.scalar_one() == "llmobs.sdk"


def test_span_context_manager_ok_and_error(store: Store) -> None:
    tracer = LLMTracer(store=store)
    trace_id = tracer.start_trace("request")
    with tracer.span("fine", {"step": 1}) as fine_id:
        assert is_span_id(fine_id)
    with pytest.raises(RuntimeError, match="model overloaded"):
        with tracer.span("failing"):
            raise RuntimeError("model overloaded")
    tracer.end_span()

    trace = tracer.get_trace(trace_id)
    assert trace is not None
    by_name = {span.name: span for span in trace.spans}
    assert by_name["fine"].status == "ok" and by_name["fine"].attributes == {"step": 1}
    failing = by_name["failing"]
    assert failing.status == "error"
    assert failing.status_message == "RuntimeError: model overloaded"
    assert failing.attributes == {"error": "model overloaded"}
    [event] = failing.events
    assert event["name"] == "exception"
    assert event["attributes"]["exception.type"] == "RuntimeError"
    assert event["attributes"]["exception.message"] == "model overloaded"
    assert 'raise RuntimeError("model overloaded")' in event["attributes"]["exception.stacktrace"]
    assert failing.start_time <= event["timestamp"] <= (failing.end_time or 0)
    # The failing span ended, so its parent is current again.
    assert by_name["failing"].parent_id == by_name["request"].span_id
    assert current_span_context() is None


def test_a_span_block_restores_what_was_current(store: Store) -> None:
    tracer = LLMTracer(store=store)
    with tracer.span("outer") as outer_id:
        outer = current_span_context()
        left_open = tracer.start_span("left open")
    assert current_span_context() is None
    assert tracer.end_span(left_open) is True
    tracer.flush()
    assert outer is not None and outer.span_id == outer_id
    spans = stored_spans(store, outer.trace_id)
    assert spans["outer"].parent_span_id is None
    assert spans["left open"].parent_span_id == outer_id


def test_events_and_attributes_round_trip(store: Store) -> None:
    tracer = LLMTracer(store=store)
    trace_id = tracer.start_trace("root")
    child_id = tracer.start_span("child")
    assert tracer.set_attribute("llm.model", "gpt-4o-mini")
    assert tracer.set_attribute("tags", ["a", "b"])
    assert tracer.set_attribute("nested", {"k": [1, 2.5, True, None]})
    assert tracer.add_event("first token", {"index": 0})
    # Explicit span ids reach a span that is not current.
    sibling_id = tracer.start_span("sibling", trace_id=trace_id)
    assert tracer.set_attribute("on.child", 7, span_id=child_id)
    assert tracer.add_event("late", span_id=child_id)
    tracer.end_span(sibling_id)
    tracer.end_span(child_id, attributes={"final": "yes"})
    tracer.end_span()
    tracer.flush()

    child = stored_spans(store, trace_id)["child"]
    assert child.attributes == {
        "llm.model": "gpt-4o-mini",
        "tags": ["a", "b"],
        "nested": {"k": [1, 2.5, True, None]},
        "on.child": 7,
        "final": "yes",
    }
    assert child.model == "gpt-4o-mini"
    assert [event["name"] for event in child.events] == ["first token", "late"]
    assert child.events[0]["attributes"] == {"index": 0}


def test_explicit_trace_and_parent_ids(store: Store) -> None:
    tracer = LLMTracer(store=store)
    trace_id = tracer.start_trace("root")
    child_id = tracer.start_span("child")
    placed: dict[str, str] = {}

    def elsewhere() -> None:
        # A new thread has no current span: ids place the spans.
        assert current_span_context() is None
        placed["under_root"] = tracer.start_span("under root", trace_id=trace_id)
        tracer.end_span()
        placed["under_child"] = tracer.start_span(
            "under child", trace_id=trace_id, parent_span_id=child_id, kind="CLIENT"
        )
        tracer.end_span()
        placed["by_parent"] = tracer.start_span("by parent", parent_span_id=child_id)
        tracer.end_span()
        placed["new_trace"] = tracer.start_span("alone")
        tracer.end_span()

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    foreign_trace = new_trace_id()
    foreign_id = tracer.start_span("foreign", trace_id=foreign_trace.upper())
    tracer.end_span(foreign_id)
    tracer.end_span(child_id)
    tracer.end_span()
    tracer.flush()

    spans = stored_spans(store, trace_id)
    root_id = spans["root"].span_id
    assert spans["under root"].parent_span_id == root_id
    assert spans["under child"].parent_span_id == child_id
    assert spans["under child"].kind == "client"
    assert spans["by parent"].parent_span_id == child_id
    assert "alone" not in spans
    assert stored_spans(store, foreign_trace)["foreign"].parent_span_id is None
    assert count_rows(store, "spans") == 7
    with pytest.raises(ValueError, match="W3C trace id"):
        tracer.start_span("bad", trace_id="not-hex")
    with pytest.raises(ValueError, match="not open in this tracer"):
        tracer.start_span("orphan", parent_span_id="00f067aa0ba902b7")
    with pytest.raises(ValueError, match="span kind"):
        tracer.start_span("odd", kind="sideways")


def test_unknown_and_repeated_ends_are_ignored(store: Store) -> None:
    tracer = LLMTracer(store=store)
    assert tracer.end_span() is False
    assert tracer.end_span("00f067aa0ba902b7") is False
    assert tracer.set_attribute("k", "v") is False
    assert tracer.add_event("nothing open") is False
    span_id = tracer.start_span("once")
    with pytest.raises(ValueError, match="status"):
        tracer.end_span(span_id, status="failed")
    assert tracer.end_span(span_id, status="unset") is True
    assert tracer.end_span(span_id) is False
    assert tracer.set_attribute("k", "v", span_id=span_id) is False
    tracer.flush()
    assert count_rows(store, "spans") == 1


def test_get_trace_reads_the_stored_tree_and_open_spans(store: Store) -> None:
    tracer = LLMTracer(store=store)
    trace_id = tracer.start_trace("root")
    with tracer.span("step"):
        pass
    in_progress = tracer.get_trace(trace_id)
    assert in_progress is not None
    assert [s.name for s in in_progress.spans] == ["root", "step"]
    root = in_progress.root_span
    assert root is not None and root.end_time is None and in_progress.total_duration_ms == 0.0
    assert in_progress.spans[1].end_time is not None

    tracer.end_span()
    trace = tracer.get_trace(trace_id.upper())
    assert trace is not None and trace.trace_id == trace_id
    with store.connect() as conn:
        stored = {span.name: span.duration_ms for span in list_trace_spans(conn, trace_id)}
    assert trace.total_duration_ms == pytest.approx(stored["root"], abs=0.01)
    assert trace.spans[1].duration_ms == pytest.approx(stored["step"], abs=0.01)
    assert tracer.get_trace(new_trace_id()) is None
    assert tracer.get_trace("not a trace id") is None


def test_failed_exports_are_logged_not_raised(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    tracer = LLMTracer(store=store)
    span_id = tracer.start_span("too late")
    store.close()
    with caplog.at_level(logging.ERROR, logger="llmobs_store.sdk"):
        assert tracer.end_span(span_id) is True
    assert tracer.num_failed_exports == 1
    assert "could not export span 'too late'" in caplog.text
    tracer.flush()


def test_default_store_is_opened_on_first_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "default.duckdb"
    monkeypatch.setenv("LLMOBS_DATABASE_URL", f"duckdb:///{path}")
    tracer = LLMTracer("lazy")
    trace_id = tracer.start_trace("root")
    assert not path.exists()
    tracer.end_span()
    try:
        trace = tracer.get_trace(trace_id)
        assert trace is not None and [s.name for s in trace.spans] == ["root"]
    finally:
        close_default_store()
    with Store.open(f"duckdb:///{path}") as reopened:
        assert count_rows(reopened, "spans") == 1
