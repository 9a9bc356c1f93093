"""Log list: filtered, newest-first, keyset-paginated entries of the ``logs`` table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, Table, or_, select

from llmobs_store.analytics.page_cursor import (
    PageCursor,
    keyset_condition,
    keyset_order,
    page_links,
)
from llmobs_store.analytics.trace_filters import LIKE_ESCAPE, like_pattern, literal_limit, timestamp
from llmobs_store.db.logs import Log
from llmobs_store.errors import InvalidCursor

LOGS: Table = Log.__table__  # type: ignore[assignment]
LEVELS = ("debug", "info", "warning", "error", "critical")
MAX_PAGE_SIZE = 500
_SCOPE = "logs:time:desc"


@dataclass(frozen=True, slots=True)
class LogFilters:
    """Conditions a listed entry meets; ``None`` leaves a condition out.

    ``min_level`` keeps entries at that level or above (``warning`` keeps warnings, errors and
    critical entries); ``text`` is a case-insensitive substring of the message or error message.
    """

    since: datetime | None = None
    until: datetime | None = None
    min_level: str | None = None
    service: str | None = None
    model: str | None = None
    text: str | None = None
    trace_id: str | None = None
    span_id: str | None = None

    def __post_init__(self) -> None:
        if self.min_level is not None and self.min_level not in LEVELS:
            raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {self.min_level!r}")


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One row of ``logs`` as the log list and the trace page show it."""

    id: int
    time: datetime
    level: str
    message: str
    service_name: str | None
    logger_name: str | None
    event_name: str | None
    trace_id: str | None
    span_id: str | None
    model: str | None
    provider: str | None
    input_tokens: int | None
    output_tokens: int | None
    latency_ms: float | None
    cost_usd: float | None
    error_type: str | None
    error_message: str | None
    attributes: dict[str, Any]
    body: Any


@dataclass(frozen=True, slots=True)
class LogPage:
    """A page of entries, newest first, and the cursors of its neighbours."""

    rows: tuple[LogEntry, ...]
    next_cursor: str | None
    prev_cursor: str | None


def list_logs(
    conn: Connection,
    filters: LogFilters | None = None,
    *,
    limit: int = 100,
    cursor: str | None = None,
) -> LogPage:
    """One page of log entries matching ``filters``, newest first (ties by id).

    Raises ``InvalidCursor`` for a cursor that was altered or made for another list.
    """
    position = _decode(cursor)
    fetched = conn.execute(log_list_statement(filters, limit=limit, cursor=cursor)).all()
    rows, next_cursor, prev_cursor = page_links(
        fetched,
        limit=_clamp(limit),
        cursor=position,
        scope=_SCOPE,
        position=lambda row: (row.time, int(row.id)),
    )
    return LogPage(tuple(_entry(row) for row in rows), next_cursor, prev_cursor)


def log_list_statement(
    filters: LogFilters | None = None, *, limit: int = 100, cursor: str | None = None
) -> Select[Any]:
    """The statement ``list_logs`` runs for one page (one row more than ``limit``)."""
    position = _decode(cursor)
    c = LOGS.c
    conditions = log_conditions(filters or LogFilters())
    if position is not None:
        conditions.append(keyset_condition(c.time, c.id, position, descending=True))
    before = position is not None and position.before
    return (
        select(*_COLUMNS)
        .where(*conditions)
        .order_by(*keyset_order(c.time, c.id, descending=True, before=before))
        .limit(literal_limit(_clamp(limit) + 1))
    )


def list_trace_logs(conn: Connection, trace_id: str, *, limit: int = 500) -> list[LogEntry]:
    """The entries tied to ``trace_id``, oldest first (at most ``limit``)."""
    c = LOGS.c
    stmt = (
        select(*_COLUMNS)
        .where(c.trace_id == trace_id)
        .order_by(c.time, c.id)
        .limit(literal_limit(limit))
    )
    return [_entry(row) for row in conn.execute(stmt)]


def log_conditions(filters: LogFilters) -> list[ColumnElement[bool]]:
    """WHERE terms on ``logs`` for ``filters``."""
    c = LOGS.c
    conditions: list[ColumnElement[bool]] = []
    if filters.since is not None:
        conditions.append(c.time >= timestamp(filters.since))
    if filters.until is not None:
        conditions.append(c.time < timestamp(filters.until))
    if filters.min_level is not None:
        conditions.append(c.level.in_(LEVELS[LEVELS.index(filters.min_level) :]))
    if filters.service is not None:
        conditions.append(c.service_name == filters.service)
    if filters.model is not None:
        conditions.append(c.model == filters.model)
    if filters.trace_id is not None:
        conditions.append(c.trace_id == filters.trace_id.strip().lower())
    if filters.span_id is not None:
        conditions.append(c.span_id == filters.span_id.strip().lower())
    if filters.text:
        pattern = like_pattern(filters.text)
        conditions.append(
            or_(
                c.message.ilike(pattern, escape=LIKE_ESCAPE),
                c.error_message.ilike(pattern, escape=LIKE_ESCAPE),
            )
        )
    return conditions


_COLUMNS = (
    LOGS.c.id,
    LOGS.c.time,
    LOGS.c.level,
    LOGS.c.message,
    LOGS.c.service_name,
    LOGS.c.logger_name,
    LOGS.c.event_name,
    LOGS.c.trace_id,
    LOGS.c.span_id,
    LOGS.c.model,
    LOGS.c.provider,
    LOGS.c.input_tokens,
    LOGS.c.output_tokens,
    LOGS.c.latency_ms,
    LOGS.c.cost_usd,
    LOGS.c.error_type,
    LOGS.c.error_message,
    LOGS.c.attributes,
    LOGS.c.body,
)


def _decode(cursor: str | None) -> PageCursor | None:
    if cursor is None:
        return None
    position = PageCursor.decode(cursor, _SCOPE)
    if not isinstance(position.key, datetime) or type(position.row_id) is not int:
        raise InvalidCursor("invalid page cursor: malformed position")
    return position


def _clamp(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE_SIZE))


def _entry(row: Any) -> LogEntry:
    return LogEntry(
        id=int(row.id),
        time=row.time,
        level=row.level,
        message=row.message,
        service_name=row.service_name,
        logger_name=row.logger_name,
        event_name=row.event_name,
        trace_id=row.trace_id,
        span_id=row.span_id,
        model=row.model,
        provider=row.provider,
        input_tokens=None if row.input_tokens is None else int(row.input_tokens),
        output_tokens=None if row.output_tokens is None else int(row.output_tokens),
        latency_ms=row.latency_ms,
        cost_usd=row.cost_usd,
        error_type=row.error_type,
        error_message=row.error_message,
        attributes=dict(row.attributes or {}),
        body=row.body,
    )
