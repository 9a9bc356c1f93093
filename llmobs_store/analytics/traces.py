"""One trace: its summary, its spans as a tree for a waterfall, its logs, links and session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, select

from llmobs_store.analytics.logs import LogEntry, list_trace_logs
from llmobs_store.analytics.span_tree import SpanNode, build_span_tree
from llmobs_store.analytics.trace_filters import TRACES, TraceFilters
from llmobs_store.analytics.trace_list import TraceRow, TraceSort, list_traces
from llmobs_store.db.spans import Span
from llmobs_store.errors import NotFound

MAX_SESSION_TRACES = 50


@dataclass(frozen=True, slots=True)
class StoredSpan:
    """One row of ``spans`` as the trace view needs it."""

    trace_id: str
    span_id: str
    parent_span_id: str | None
    name: str
    kind: str
    status: str
    status_message: str | None
    start_time: datetime
    end_time: datetime
    duration_ms: float
    service_name: str | None
    model: str | None
    input_tokens: int | None
    output_tokens: int | None
    total_tokens: int | None
    cost_usd: float | None
    attributes: dict[str, Any]
    events: list[dict[str, Any]]
    span_type: str = "other"
    error_type: str | None = None
    scope_name: str | None = None
    provider: str | None = None
    operation: str | None = None
    request_model: str | None = None
    response_model: str | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    reasoning_tokens: int | None = None
    cost_source: str | None = None
    reported_cost_usd: float | None = None
    ttft_ms: float | None = None
    session_id: str | None = None
    user_id: str | None = None
    input_text: str | None = None
    output_text: str | None = None
    links: list[dict[str, Any]] | None = None
    resource_attributes: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class TraceSummary:
    """The ``traces`` row of one trace."""

    trace_id: str
    root_span_id: str | None
    name: str | None
    service_name: str | None
    start_time: datetime
    end_time: datetime
    duration_ms: float
    num_spans: int
    num_errors: int
    num_llm_spans: int
    input_tokens: int | None
    output_tokens: int | None
    total_tokens: int | None
    cost_usd: float | None
    num_unpriced: int
    session_id: str | None
    user_id: str | None

    @property
    def status(self) -> str:
        """``error`` when any span failed, else ``ok``."""
        return "error" if self.num_errors else "ok"


@dataclass(frozen=True, slots=True)
class SpanLinkRef:
    """A link from a span of this trace to another span; ``stored`` when its trace is here."""

    from_span_id: str
    trace_id: str
    span_id: str
    attributes: dict[str, Any]
    stored: bool


@dataclass(frozen=True, slots=True)
class TraceDetail:
    """Everything the trace page shows.

    ``spans`` are in depth-first order (children by start time), ready for a waterfall.
    """

    summary: TraceSummary
    spans: tuple[SpanNode[StoredSpan], ...]
    logs: tuple[LogEntry, ...]
    links: tuple[SpanLinkRef, ...]
    session_traces: tuple[TraceRow, ...]

    def find_span(self, span_id: str) -> SpanNode[StoredSpan] | None:
        """The node of ``span_id``, if the trace has it."""
        return next((node for node in self.spans if node.span.span_id == span_id), None)


def get_trace(conn: Connection, trace_id: str) -> TraceDetail:
    """The trace ``trace_id`` with its spans, logs, links and session; raises ``NotFound``."""
    trace_id = trace_id.strip().lower()
    row = conn.execute(trace_summary_statement(trace_id)).one_or_none()
    if row is None:
        raise NotFound(f"no trace {trace_id!r} is stored")
    summary = TraceSummary(**{name: row._mapping[name] for name in _SUMMARY_FIELDS})
    spans = list_trace_spans(conn, trace_id)
    tree = build_span_tree(
        spans,
        span_id=lambda s: s.span_id,
        parent_id=lambda s: s.parent_span_id,
        start=lambda s: s.start_time,
        trace_start=summary.start_time,
    )
    return TraceDetail(
        summary=summary,
        spans=tuple(tree),
        logs=tuple(list_trace_logs(conn, trace_id)),
        links=tuple(_links(conn, spans)),
        session_traces=tuple(_session_traces(conn, summary)),
    )


def trace_summary_statement(trace_id: str) -> Select[Any]:
    """The statement that reads the summary row of ``trace_id``."""
    return select(*(TRACES.c[name] for name in _SUMMARY_FIELDS)).where(
        TRACES.c.trace_id == trace_id
    )


def trace_spans_statement(trace_id: str) -> Select[Any]:
    """The statement that reads every span of ``trace_id``, oldest first."""
    columns = [getattr(Span, name) for name in _SPAN_FIELDS]
    return select(*columns).where(Span.trace_id == trace_id).order_by(Span.start_time, Span.span_id)


def list_trace_spans(conn: Connection, trace_id: str) -> list[StoredSpan]:
    """Every stored span of ``trace_id`` ordered by start time (empty when none is stored)."""
    found = []
    for row in conn.execute(trace_spans_statement(trace_id)):
        values = dict(zip(_SPAN_FIELDS, row, strict=True))
        values["metadata"] = values.pop("metadata_")
        values["duration_ms"] = float(values["duration_ms"])
        values["attributes"] = dict(values["attributes"] or {})
        values["events"] = list(values["events"] or [])
        found.append(StoredSpan(**values))
    return found


def _links(conn: Connection, spans: list[StoredSpan]) -> list[SpanLinkRef]:
    raw = [
        (span.span_id, link)
        for span in spans
        for link in span.links or []
        if isinstance(link, dict) and isinstance(link.get("trace_id"), str)
    ]
    if not raw:
        return []
    targets = {str(link["trace_id"]) for _, link in raw}
    stored = set(
        conn.execute(select(TRACES.c.trace_id).where(TRACES.c.trace_id.in_(targets))).scalars()
    )
    return [
        SpanLinkRef(
            from_span_id=span_id,
            trace_id=str(link["trace_id"]),
            span_id=str(link.get("span_id") or ""),
            attributes=dict(link.get("attributes") or {}),
            stored=link["trace_id"] in stored,
        )
        for span_id, link in raw
    ]


def _session_traces(conn: Connection, summary: TraceSummary) -> list[TraceRow]:
    if summary.session_id is None:
        return []
    page = list_traces(
        conn,
        TraceFilters(session_id=summary.session_id),
        sort=TraceSort.START,
        descending=False,
        limit=MAX_SESSION_TRACES + 1,
    )
    others = [row for row in page.rows if row.trace_id != summary.trace_id]
    return others[:MAX_SESSION_TRACES]


_SUMMARY_FIELDS = tuple(TraceSummary.__dataclass_fields__)
_SPAN_FIELDS = tuple(
    "metadata_" if name == "metadata" else name for name in StoredSpan.__dataclass_fields__
)
