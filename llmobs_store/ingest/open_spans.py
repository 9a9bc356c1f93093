"""The JSON API's span lifecycle: start a span, end it (moving it to ``spans``), read a trace."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.orm import Session

from llmobs_store.db.models import OpenSpan, Trace
from llmobs_store.errors import IngestRejected
from llmobs_store.ids import is_span_id, is_trace_id, new_span_id, new_trace_id
from llmobs_store.ingest.records import RawSpan
from llmobs_store.store import Store

SPAN_STATUSES = ("ok", "error", "unset")


@dataclass(frozen=True, slots=True)
class StartedSpan:
    """Ids of a span just started."""

    trace_id: str
    span_id: str
    parent_span_id: str | None


def start_span(
    store: Store,
    name: str,
    *,
    trace_id: str | None = None,
    parent_span_id: str | None = None,
    attributes: dict[str, Any] | None = None,
    service_name: str | None = None,
    kind: str = "internal",
) -> StartedSpan:
    """Record the start of a span; without ``trace_id`` it is the root of a new trace.

    In an existing trace without an explicit parent, the span becomes a child of the
    trace's root (open or already stored), as the seed API's callers expect.
    """
    if trace_id is not None and not is_trace_id(trace_id):
        raise IngestRejected("trace_id must be 32 lowercase hex characters", field="trace_id")
    if parent_span_id is not None and not is_span_id(parent_span_id):
        raise IngestRejected(
            "parent_span_id must be 16 lowercase hex characters", field="parent_span_id"
        )
    with store.engine.begin() as conn:
        if trace_id is None:
            trace_id = new_trace_id()
        elif parent_span_id is None:
            parent_span_id = _root_span_id(conn, trace_id)
        span_id = new_span_id()
        conn.execute(
            insert(OpenSpan).values(
                span_id=span_id,
                trace_id=trace_id,
                parent_span_id=parent_span_id,
                name=name,
                kind=kind,
                start_time=datetime.now(UTC),
                service_name=service_name,
                attributes=dict(attributes or {}),
            )
        )
    return StartedSpan(trace_id, span_id, parent_span_id)


def end_span(
    store: Store,
    span_id: str,
    *,
    status: str = "ok",
    status_message: str | None = None,
    attributes: dict[str, Any] | None = None,
    timeout_s: float = 30.0,
) -> bool:
    """End an open span: store it as a finished span, then forget it. False if not open.

    The finished span is committed before the open row is deleted, so a crash in between
    leaves at most a stale open row, never a lost span.
    """
    if status not in SPAN_STATUSES:
        raise IngestRejected(f"status must be one of {', '.join(SPAN_STATUSES)}", field="status")
    with Session(store.engine) as session:
        opened = session.get(OpenSpan, span_id)
        if opened is None:
            return False
        session.expunge(opened)
    raw = RawSpan(
        trace_id=opened.trace_id,
        span_id=opened.span_id,
        parent_span_id=opened.parent_span_id,
        name=opened.name,
        kind=opened.kind,
        start_time=opened.start_time,
        end_time=max(datetime.now(UTC), opened.start_time),
        status=status,
        status_message=status_message,
        attributes={**opened.attributes, **(attributes or {})},
        resource_attributes={"service.name": opened.service_name} if opened.service_name else {},
        scope_name="llmobs.json-api",
    )
    store.submit_spans([raw]).result(timeout_s)
    with store.engine.begin() as conn:
        conn.execute(delete(OpenSpan).where(OpenSpan.span_id == span_id))
    return True


def list_open_spans(conn: Connection, trace_id: str) -> list[OpenSpan]:
    """Spans of ``trace_id`` started and not ended yet, oldest first."""
    stmt = select(OpenSpan).where(OpenSpan.trace_id == trace_id).order_by(OpenSpan.start_time)
    with Session(bind=conn, expire_on_commit=False) as session:
        spans = list(session.scalars(stmt))
        session.expunge_all()
    return spans


def _root_span_id(conn: Connection, trace_id: str) -> str | None:
    open_root = conn.execute(
        select(OpenSpan.span_id)
        .where(OpenSpan.trace_id == trace_id, OpenSpan.parent_span_id.is_(None))
        .order_by(OpenSpan.start_time)
        .limit(1)
    ).scalar()
    if open_root is not None:
        return str(open_root)
    stored_root = conn.execute(
        select(Trace.root_span_id).where(Trace.trace_id == trace_id)
    ).scalar()
    return None if stored_root is None else str(stored_root)
