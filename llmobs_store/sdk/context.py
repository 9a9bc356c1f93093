"""The current span of each thread and asyncio task, kept in a ``contextvars.ContextVar``.

A new thread starts with an empty context, so it has no current span. An asyncio task copies
its creator's context when it is created: it starts as a child of the creator's current span,
and what it sets afterwards stays inside the task, invisible to its siblings and its creator.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SpanContext:
    """The ids of a span, as held in the context (immutable, so contexts can share it)."""

    trace_id: str
    span_id: str


_current: ContextVar[SpanContext | None] = ContextVar("llmobs_current_span", default=None)


def current_span_context() -> SpanContext | None:
    """The current span of this thread or task, or None."""
    return _current.get()


def set_current_span_context(span: SpanContext | None) -> None:
    """Make ``span`` the current span of this thread or task (None: no current span)."""
    _current.set(span)


def correlation_ids(
    trace_id: str | None = None, span_id: str | None = None
) -> tuple[str | None, str | None]:
    """The trace and span ids a log entry or metric sample should carry.

    Ids given by the caller win. A missing trace id comes from the current span; a missing
    span id too, but only when the current span belongs to that trace (a span id of another
    trace would point at a span the trace does not contain).
    """
    current = _current.get()
    if current is None:
        return trace_id, span_id
    if trace_id is None:
        trace_id = current.trace_id
    if span_id is None and trace_id == current.trace_id:
        span_id = current.span_id
    return trace_id, span_id
