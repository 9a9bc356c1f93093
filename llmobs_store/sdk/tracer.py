"""``LLMTracer``: spans with a per-thread, per-task current span, exported as they end."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from llmobs_store.analytics.traces import list_trace_spans
from llmobs_store.ids import is_span_id, is_trace_id, new_span_id, new_trace_id
from llmobs_store.sdk.context import SpanContext, current_span_context, set_current_span_context
from llmobs_store.sdk.exporter import (
    PendingExports,
    RecordExporter,
    reading_store,
    resolve_exporter,
)
from llmobs_store.sdk.spans import Span, Trace, exception_event, from_stored_span, to_raw_span
from llmobs_store.store import Store

__all__ = ["LLMTracer", "Span", "Trace"]

STATUSES = frozenset({"ok", "error", "unset"})
KINDS = frozenset({"internal", "server", "client", "producer", "consumer"})


@dataclass(slots=True)
class _OpenSpan:
    span: Span
    # What was current when the span started: current again once it ends (in that context).
    previous: SpanContext | None


class LLMTracer:
    """Creates spans, tracks the current one per thread and task, and stores finished spans.

    >>> tracer = LLMTracer("rag-service", store=store)                  # doctest: +SKIP
    >>> trace_id = tracer.start_trace("answer")                         # doctest: +SKIP
    >>> with tracer.span("retrieve", {"rag.retrieval.count": 4}):       # doctest: +SKIP
    ...     docs = search(question)
    >>> tracer.end_span()                                                # doctest: +SKIP
    >>> tracer.get_trace(trace_id).total_duration_ms                     # doctest: +SKIP
    """

    def __init__(
        self,
        service_name: str = "llm-service",
        store: Store | None = None,
        *,
        exporter: RecordExporter | None = None,
    ) -> None:
        self.service_name = service_name
        self._exporter = resolve_exporter(store, exporter)
        self._resource = {
            "service.name": service_name,
            "telemetry.sdk.name": "llmobs",
            "telemetry.sdk.language": "python",
        }
        self._lock = threading.Lock()
        self._open: dict[str, _OpenSpan] = {}
        self._open_roots: dict[str, str] = {}  # trace id → its root span id, while open
        self._pending = PendingExports()

    @property
    def num_failed_exports(self) -> int:
        """Finished spans that could not be stored (each one was logged)."""
        return self._pending.num_failed

    def start_trace(self, name: str, attributes: Mapping[str, Any] | None = None) -> str:
        """Start a new trace with a root span ``name``, which becomes current; its trace id."""
        trace_id = new_trace_id()
        self._start(name, attributes, trace_id, None, "internal")
        return trace_id

    def start_span(
        self,
        name: str,
        attributes: Mapping[str, Any] | None = None,
        *,
        trace_id: str | None = None,
        parent_span_id: str | None = None,
        kind: str = "internal",
    ) -> str:
        """Start a span, make it current, and return its id.

        By default the span is a child of the current span, or the root of a new trace when
        there is none. ``trace_id`` alone places it in that trace: under the current span if
        it belongs there, else under that trace's open root, else as a root. A
        ``parent_span_id`` of an open span of this tracer needs no ``trace_id``.
        """
        kind = kind.lower()
        if kind not in KINDS:
            raise ValueError(f"span kind must be one of {sorted(KINDS)}, not {kind!r}")
        trace_id, parent_id = self._placement(trace_id, parent_span_id)
        return self._start(name, attributes, trace_id, parent_id, kind)

    def end_span(
        self,
        span_id: str | None = None,
        status: str = "ok",
        attributes: Mapping[str, Any] | None = None,
        *,
        status_message: str | None = None,
    ) -> bool:
        """End ``span_id`` (default: the current span) and queue it for storage.

        If it was current, what was current before it started becomes current again. Returns
        False, and does nothing, for a span that is unknown or already ended (as the seed
        ignored them). The span is handed to the exporter without waiting for its commit.
        """
        if status not in STATUSES:
            raise ValueError(f"status must be one of {sorted(STATUSES)}, not {status!r}")
        current = current_span_context()
        if span_id is None:
            if current is None:
                return False
            span_id = current.span_id
        end_time = time.time()
        with self._lock:
            entry = self._open.pop(span_id, None)
            if entry is None:
                return False
            span = entry.span
            if self._open_roots.get(span.trace_id) == span_id:
                del self._open_roots[span.trace_id]
            span.end_time = end_time
            span.status = status
            span.status_message = status_message
            if attributes:
                span.attributes.update(attributes)
        if current is not None and current.span_id == span_id:
            set_current_span_context(entry.previous)
        # Out of the open set, nothing else can touch the span: convert it outside the lock.
        raw = to_raw_span(span, self._resource)
        self._pending.track(lambda: self._exporter.export_spans([raw]), f"span {span.name!r}")
        return True

    def add_event(
        self,
        name: str,
        attributes: Mapping[str, Any] | None = None,
        *,
        span_id: str | None = None,
    ) -> bool:
        """Add an event to ``span_id`` (default: the current span); False if it is not open."""
        event = {"name": name, "timestamp": time.time(), "attributes": dict(attributes or {})}
        return self._update(span_id, lambda span: span.events.append(event))

    def set_attribute(self, key: str, value: Any, *, span_id: str | None = None) -> bool:
        """Set an attribute of ``span_id`` (default: the current span); False if it is not open."""
        return self._update(span_id, lambda span: span.attributes.__setitem__(key, value))

    def record_exception(self, exc: BaseException, *, span_id: str | None = None) -> bool:
        """Add an OpenTelemetry ``exception`` event (type, message, stack trace) to a span."""
        event = exception_event(exc, time.time())
        return self._update(span_id, lambda span: span.events.append(event))

    @contextmanager
    def span(
        self, name: str, attributes: Mapping[str, Any] | None = None, *, kind: str = "internal"
    ) -> Iterator[str]:
        """A child span of the current one around a block; yields its id.

        An exception ends it with status ``error``, an ``exception`` event and the seed's
        ``error`` attribute, and propagates. On leaving the block, what was current before it
        is current again, even if the block left a span of its own open.
        """
        before = current_span_context()
        span_id = self.start_span(name, attributes, kind=kind)
        try:
            yield span_id
        except BaseException as exc:
            self.record_exception(exc, span_id=span_id)
            self.end_span(
                span_id,
                status="error",
                attributes={"error": str(exc)},
                status_message=f"{type(exc).__name__}: {exc}",
            )
            raise
        else:
            self.end_span(span_id)
        finally:
            set_current_span_context(before)

    def get_trace(self, trace_id: str) -> Trace | None:
        """The trace as stored, plus its spans still open here; None when nothing is known.

        Waits for this tracer's pending writes first, so every span it ended is included.
        """
        trace_id = trace_id.lower()
        if not is_trace_id(trace_id):
            return None
        with self._lock:
            spans = {
                entry.span.span_id: _snapshot(entry.span)
                for entry in self._open.values()
                if entry.span.trace_id == trace_id
            }
        self.flush()
        store = reading_store(self._exporter)
        if store is not None:
            with store.connect() as conn:
                for stored in list_trace_spans(conn, trace_id):
                    spans[stored.span_id] = from_stored_span(stored)
        if not spans:
            return None
        ordered = sorted(spans.values(), key=lambda s: (s.start_time, s.parent_id is not None))
        return Trace(trace_id=trace_id, spans=ordered)

    def flush(self, timeout: float | None = None) -> None:
        """Return once every span this tracer has ended is committed (or failed and logged)."""
        self._pending.wait(timeout)

    def _placement(
        self, trace_id: str | None, parent_span_id: str | None
    ) -> tuple[str, str | None]:
        """The trace and parent of a new span (see ``start_span``)."""
        current = current_span_context()
        if trace_id is not None:
            trace_id = _checked(trace_id, is_trace_id, "trace id")
        if parent_span_id is not None:
            parent_span_id = _checked(parent_span_id, is_span_id, "span id")
            if trace_id is None:
                trace_id = self._trace_of(parent_span_id, current)
            return trace_id, parent_span_id
        if trace_id is not None:
            if current is not None and current.trace_id == trace_id:
                return trace_id, current.span_id
            with self._lock:
                return trace_id, self._open_roots.get(trace_id)
        if current is not None:
            return current.trace_id, current.span_id
        return new_trace_id(), None

    def _trace_of(self, span_id: str, current: SpanContext | None) -> str:
        if current is not None and current.span_id == span_id:
            return current.trace_id
        with self._lock:
            entry = self._open.get(span_id)
        if entry is None:
            raise ValueError(f"span {span_id} is not open in this tracer: pass its trace_id too")
        return entry.span.trace_id

    def _start(
        self,
        name: str,
        attributes: Mapping[str, Any] | None,
        trace_id: str,
        parent_id: str | None,
        kind: str,
    ) -> str:
        span = Span(
            trace_id=trace_id,
            span_id=new_span_id(),
            parent_id=parent_id,
            name=name,
            start_time=time.time(),
            attributes=dict(attributes or {}),
            kind=kind,
        )
        with self._lock:
            self._open[span.span_id] = _OpenSpan(span, current_span_context())
            if parent_id is None:
                self._open_roots.setdefault(trace_id, span.span_id)
        set_current_span_context(SpanContext(trace_id, span.span_id))
        return span.span_id

    def _update(self, span_id: str | None, change: Callable[[Span], None]) -> bool:
        if span_id is None:
            current = current_span_context()
            if current is None:
                return False
            span_id = current.span_id
        with self._lock:
            entry = self._open.get(span_id)
            if entry is None:
                return False
            change(entry.span)
        return True


def _snapshot(span: Span) -> Span:
    """A copy of an open span that later changes to it cannot reach."""
    return dataclasses.replace(span, attributes=dict(span.attributes), events=list(span.events))


def _checked(value: str, valid: Callable[[object], bool], what: str) -> str:
    value = value.lower()
    if not valid(value):
        raise ValueError(f"{value!r} is not a W3C {what} (lowercase hex, not all zeros)")
    return value
