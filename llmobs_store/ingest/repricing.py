"""Re-pricing of stored spans after a price change, and of the trace summaries they feed."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyarrow as pa
from sqlalchemy import (
    Column,
    Connection,
    Double,
    MetaData,
    Row,
    Table,
    Text,
    column,
    insert,
    or_,
    select,
    table,
    update,
)
from sqlalchemy.schema import CreateTable
from sqlalchemy.types import TypeEngine

from llmobs_store.db.models import Span
from llmobs_store.db.spans import SPAN_ID, TRACE_ID
from llmobs_store.ingest.override_rates import load_overrides
from llmobs_store.ingest.pricing import Pricer
from llmobs_store.ingest.records import SpanRecord
from llmobs_store.ingest.trace_summary import SOURCE_COLUMNS, TRACES, summary_rows
from llmobs_store.store import Store

SPANS: Table = Span.__table__  # type: ignore[assignment]

# What the pricer reads, plus the key and the stored result to compare with.
_READ_COLUMNS = (
    "trace_id",
    "span_id",
    "start_time",
    "provider",
    "model",
    "request_model",
    "response_model",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "cost_usd",
    "cost_source",
)
# cost_source values of costs llmobs computed ('override <id>', 'genai-prices <version>').
_COMPUTED_SOURCE_PREFIXES = ("override ", "genai-prices ")
_CHANGES = "_llmobs_cost_changes"
_CHANGE_TYPES: tuple[tuple[str, TypeEngine[Any], pa.DataType], ...] = (
    ("trace_id", TRACE_ID, pa.string()),
    ("span_id", SPAN_ID, pa.string()),
    ("cost_usd", Double(), pa.float64()),
    ("cost_source", Text(), pa.string()),
)
# PostgreSQL gets the changes through a session-local temporary table of this shape.
_PG_CHANGES = Table(
    _CHANGES,
    MetaData(),
    *[Column(name, sql_type) for name, sql_type, _ in _CHANGE_TYPES],
    prefixes=["TEMPORARY"],
    postgresql_on_commit="DELETE ROWS",
)


@dataclass(frozen=True, slots=True)
class RepricingResult:
    """What ``recompute_costs`` did: spans looked at, spans changed, and the change in USD."""

    num_checked: int
    num_changed: int
    cost_delta_usd: float


def recompute_costs(
    store: Store, *, since: datetime | None = None, batch_size: int = 10_000
) -> RepricingResult:
    """Price stored spans again with the current overrides and price data; fix what differs.

    >>> recompute_costs(store, since=datetime(2026, 1, 1, tzinfo=UTC))   # doctest: +SKIP
    RepricingResult(num_checked=1200, num_changed=37, cost_delta_usd=0.4821)

    Looks at spans with tokens (or of span_type llm) starting at ``since`` or later whose cost
    llmobs computed (a cost stored with another source is the writer's own and stays).
    Each batch of changes is one transaction that updates ``cost_usd``/``cost_source`` and
    recomputes ``cost_usd`` and ``num_unpriced`` of the affected traces from their spans, so
    an interrupted run leaves consistent rows behind and running again finishes the job.
    The store's own pricer is reloaded too, so spans ingested from now on agree.
    """
    store.reload_prices()
    with store.connect() as conn:
        pricer = Pricer(load_overrides(conn))
    num_checked = num_changed = 0
    delta = 0.0
    c = SPANS.c
    query = select(*[c[name] for name in _READ_COLUMNS]).where(
        or_(c.span_type == "llm", c.input_tokens.is_not(None), c.output_tokens.is_not(None)),
        or_(
            c.cost_usd.is_(None), *[c.cost_source.startswith(p) for p in _COMPUTED_SOURCE_PREFIXES]
        ),
    )
    if since is not None:
        query = query.where(c.start_time >= since)
    # The reading connection streams (a server-side cursor on PostgreSQL) while each batch of
    # changes commits on another one; neither blocks the other on either database.
    with store.connect() as reader:
        result = reader.execution_options(stream_results=True).execute(query)
        for rows in result.partitions(batch_size):
            num_checked += len(rows)
            changes = []
            for row in rows:
                cost, source = pricer.price(_span_of(row))
                if source != row.cost_source or not _same_cost(cost, row.cost_usd):
                    changes.append((row.trace_id, row.span_id, cost, source))
                    delta += (cost or 0.0) - (row.cost_usd or 0.0)
            if changes:
                _apply(store, changes)
                num_changed += len(changes)
    return RepricingResult(num_checked, num_changed, delta)


def _span_of(row: Row[Any]) -> SpanRecord:
    """The columns the pricer reads, as a record (name and end time do not matter to it)."""
    return SpanRecord(
        trace_id=row.trace_id,
        span_id=row.span_id,
        name="",
        start_time=row.start_time,
        end_time=row.start_time,
        provider=row.provider,
        model=row.model,
        request_model=row.request_model,
        response_model=row.response_model,
        input_tokens=row.input_tokens,
        output_tokens=row.output_tokens,
        cache_read_tokens=row.cache_read_tokens,
        cache_write_tokens=row.cache_write_tokens,
        reasoning_tokens=row.reasoning_tokens,
    )


def _same_cost(new: float | None, old: float | None) -> bool:
    if new is None or old is None:
        return new is old
    return math.isclose(new, old, rel_tol=1e-12, abs_tol=0.0)


_Change = tuple[str, str, float | None, str | None]


def _apply(store: Store, changes: Sequence[_Change]) -> None:
    """Write one batch of changes and re-summarise their traces, in one transaction."""
    with store.engine.begin() as conn:
        if store.dialect_name == "postgresql":
            _stage_postgres(conn, changes)
            _update(conn, lock_traces=True)
            return
        raw: Any = conn.connection.driver_connection
        columns = list(zip(*changes, strict=True))
        raw.register(
            _CHANGES,
            pa.table(
                {
                    name: pa.array(values, arrow_type)
                    for (name, _, arrow_type), values in zip(_CHANGE_TYPES, columns, strict=True)
                }
            ),
        )
        try:
            _update(conn, lock_traces=False)
        finally:
            raw.unregister(_CHANGES)


def _stage_postgres(conn: Connection, changes: Sequence[_Change]) -> None:
    conn.execute(CreateTable(_PG_CHANGES, if_not_exists=True))
    names = [name for name, _, _ in _CHANGE_TYPES]
    conn.execute(insert(_PG_CHANGES), [dict(zip(names, change, strict=True)) for change in changes])


def _update(conn: Connection, *, lock_traces: bool) -> None:
    changed = table(_CHANGES, *[column(name) for name, _, _ in _CHANGE_TYPES])
    trace_ids = select(changed.c.trace_id).distinct().scalar_subquery()
    if lock_traces:
        # The writer adds each commit's spans to their trace rows. Holding those rows first
        # makes a concurrent commit either land before the sums below read the spans (it
        # held the lock) or add its share after them (it waits): never counted twice or lost.
        conn.execute(
            select(TRACES.c.trace_id)
            .where(TRACES.c.trace_id.in_(trace_ids))
            .order_by(TRACES.c.trace_id)
            .with_for_update()
        )
    conn.execute(
        update(SPANS)
        .values(cost_usd=changed.c.cost_usd, cost_source=changed.c.cost_source)
        .where(SPANS.c.trace_id == changed.c.trace_id, SPANS.c.span_id == changed.c.span_id)
    )
    spans_of_traces = (
        select(*[SPANS.c[name] for name in SOURCE_COLUMNS])
        .where(SPANS.c.trace_id.in_(trace_ids))
        .subquery()
    )
    sums = summary_rows(spans_of_traces).subquery()
    conn.execute(
        update(TRACES)
        .values(cost_usd=sums.c.cost_usd, num_unpriced=sums.c.num_unpriced)
        .where(TRACES.c.trace_id == sums.c.trace_id)
    )
