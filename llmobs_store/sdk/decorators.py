"""``trace_llm_call``: wrap a sync or async LLM call in a span with model, parameters, tokens."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, ParamSpec, TypeVar, cast

from llmobs_store.sdk.attributes import LLMSpanAttributes
from llmobs_store.sdk.tracer import LLMTracer

P = ParamSpec("P")
R = TypeVar("R")

# Request keyword arguments recorded on the span.
_REQUEST_ATTRIBUTES = {
    "model": LLMSpanAttributes.MODEL,
    "temperature": LLMSpanAttributes.TEMPERATURE,
    "max_tokens": LLMSpanAttributes.MAX_TOKENS,
}
# Usage field names: OpenAI's first, then Anthropic's.
_INPUT_FIELDS = ("prompt_tokens", "input_tokens")
_OUTPUT_FIELDS = ("completion_tokens", "output_tokens")


def trace_llm_call(tracer: LLMTracer) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Trace each call of the decorated function as a span ``llm.<function name>``.

    ``model``, ``temperature`` and ``max_tokens`` keyword arguments become span attributes;
    the result's ``usage`` (attribute or dict key; OpenAI or Anthropic field names) gives the
    token counts. An exception marks the span as an error and propagates.

    >>> @trace_llm_call(tracer)                                       # doctest: +SKIP
    ... async def chat(messages, *, model, temperature=0.0): ...
    """

    def decorator(func: Callable[P, R]) -> Callable[P, R]:
        name = f"llm.{func.__name__}"
        if inspect.iscoroutinefunction(func):
            async_func = cast(Callable[P, Awaitable[Any]], func)

            @functools.wraps(func)
            async def async_wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
                with tracer.span(name, _request_attributes(kwargs)) as span_id:
                    result = await async_func(*args, **kwargs)
                    _record_usage(tracer, span_id, result)
                    return result

            return cast(Callable[P, R], async_wrapper)

        @functools.wraps(func)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            with tracer.span(name, _request_attributes(kwargs)) as span_id:
                result = func(*args, **kwargs)
                _record_usage(tracer, span_id, result)
                return result

        return wrapper

    return decorator


def _request_attributes(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    return {key: kwargs[arg] for arg, key in _REQUEST_ATTRIBUTES.items() if arg in kwargs}


def _record_usage(tracer: LLMTracer, span_id: str, result: Any) -> None:
    usage = _field(result, "usage")
    if usage is None:
        return
    input_tokens = _first_count(usage, _INPUT_FIELDS)
    output_tokens = _first_count(usage, _OUTPUT_FIELDS)
    total_tokens = _first_count(usage, ("total_tokens",))
    # Anthropic reports no total; the sum is what OpenAI would have sent.
    if total_tokens is None and input_tokens is not None and output_tokens is not None:
        total_tokens = input_tokens + output_tokens
    for key, value in (
        (LLMSpanAttributes.INPUT_TOKENS, input_tokens),
        (LLMSpanAttributes.OUTPUT_TOKENS, output_tokens),
        (LLMSpanAttributes.TOTAL_TOKENS, total_tokens),
    ):
        if value is not None:
            tracer.set_attribute(key, value, span_id=span_id)


def _field(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _first_count(usage: Any, names: tuple[str, ...]) -> int | None:
    for name in names:
        value = _field(usage, name)
        # bool is an int subclass, and a count is never a flag.
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None
