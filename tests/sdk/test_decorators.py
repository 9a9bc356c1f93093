"""trace_llm_call on sync and async functions: request and usage attributes, errors, wraps."""

from __future__ import annotations

import asyncio
import inspect
from types import SimpleNamespace
from typing import Any

import pytest

from llmobs_store.analytics.traces import StoredSpan, list_trace_spans
from llmobs_store.sdk import LLMSpanAttributes, LLMTracer, trace_llm_call
from llmobs_store.store import Store

A = LLMSpanAttributes


def spans_by_name(store: Store, tracer: LLMTracer, trace_id: str) -> dict[str, StoredSpan]:
    tracer.flush()
    with store.connect() as conn:
        return {span.name: span for span in list_trace_spans(conn, trace_id)}


def test_sync_call_with_openai_usage_object(store: Store) -> None:
    tracer = LLMTracer(store=store)

    @trace_llm_call(tracer)
    def complete(prompt: str, *, model: str, temperature: float = 1.0) -> SimpleNamespace:
        """Ask the model."""
        usage = SimpleNamespace(prompt_tokens=12, completion_tokens=5, total_tokens=17)
        return SimpleNamespace(text=prompt.upper(), usage=usage)

    assert complete.__name__ == "complete" and complete.__doc__ == "Ask the model."
    assert not inspect.iscoroutinefunction(complete)
    trace_id = tracer.start_trace("request")
    assert complete("hi", model="gpt-4o-mini", temperature=0.2).text == "HI"
    tracer.end_span()

    span = spans_by_name(store, tracer, trace_id)["llm.complete"]
    assert span.attributes == {
        A.MODEL: "gpt-4o-mini",
        A.TEMPERATURE: 0.2,
        A.INPUT_TOKENS: 12,
        A.OUTPUT_TOKENS: 5,
        A.TOTAL_TOKENS: 17,
    }
    assert span.status == "ok" and span.model == "gpt-4o-mini"
    assert (span.input_tokens, span.output_tokens, span.total_tokens) == (12, 5, 17)
    assert span.parent_span_id is not None


def test_async_call_with_anthropic_usage_dict(store: Store) -> None:
    tracer = LLMTracer(store=store)

    @trace_llm_call(tracer)
    async def message(prompt: str, **kwargs: Any) -> dict[str, Any]:
        await asyncio.sleep(0)
        return {"content": prompt, "usage": {"input_tokens": 30, "output_tokens": 9}}

    assert inspect.iscoroutinefunction(message) and message.__name__ == "message"

    async def main() -> str:
        trace_id = tracer.start_trace("agent")
        result = await message("hello", model="claude-sonnet-4", max_tokens=256)
        assert result["content"] == "hello"
        tracer.end_span()
        return trace_id

    trace_id = asyncio.run(main())
    span = spans_by_name(store, tracer, trace_id)["llm.message"]
    assert span.attributes == {
        A.MODEL: "claude-sonnet-4",
        A.MAX_TOKENS: 256,
        A.INPUT_TOKENS: 30,
        A.OUTPUT_TOKENS: 9,
        A.TOTAL_TOKENS: 39,
    }
    assert (span.model, span.input_tokens, span.output_tokens) == ("claude-sonnet-4", 30, 9)


def test_result_without_usage_records_only_the_request(store: Store) -> None:
    tracer = LLMTracer(store=store)

    @trace_llm_call(tracer)
    def embed(text: str, model: str = "default") -> list[float]:
        return [0.1, 0.2]

    trace_id = tracer.start_trace("root")
    embed("x")
    tracer.end_span()
    assert spans_by_name(store, tracer, trace_id)["llm.embed"].attributes == {}


@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_exception_marks_the_span_and_propagates(store: Store, flavour: str) -> None:
    tracer = LLMTracer(store=store)

    @trace_llm_call(tracer)
    def sync_call(*, model: str) -> None:
        raise TimeoutError("provider timed out")

    @trace_llm_call(tracer)
    async def async_call(*, model: str) -> None:
        await asyncio.sleep(0)
        raise TimeoutError("provider timed out")

    trace_id = tracer.start_trace("root")
    with pytest.raises(TimeoutError, match="provider timed out"):
        if flavour == "sync":
            sync_call(model="gpt-4o")
        else:
            asyncio.run(async_call(model="gpt-4o"))
    tracer.end_span()

    spans = spans_by_name(store, tracer, trace_id)
    span = spans[f"llm.{flavour}_call"]
    assert span.status == "error"
    assert span.attributes == {A.MODEL: "gpt-4o", "error": "provider timed out"}
    [event] = span.events
    assert event["name"] == "exception"
    assert event["attributes"]["exception.type"] == "TimeoutError"
    assert spans["root"].status == "ok"
