"""The cost report as a page shows it: rows for a period and service, totals, unpriced models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Connection, cast, func, or_, select

from llmobs_store.db.spans import Span
from llmobs_store.export.cost_report import (
    cost_report_columns,
    cost_totals_query,
    iter_cost_rows,
    parse_group_by,
)
from llmobs_store.store import Store

_SPANS = Span.__table__


@dataclass(frozen=True)
class CostTotals:
    """The whole period in one row: what the report's rows add up to."""

    requests: int
    errors: int
    input_tokens: int
    output_tokens: int
    cache_read_tokens: int
    cache_write_tokens: int
    reasoning_tokens: int
    cost_usd: float | None
    unpriced: int
    priced: int

    @property
    def price_coverage(self) -> float:
        """Share of LLM calls with a cost (1.0 when there are none)."""
        return self.priced / self.requests if self.requests else 1.0


@dataclass(frozen=True)
class CostTable:
    """Report rows in ``columns`` order (the group keys, then the measures) and their totals.

    >>> table = build_cost_table(store, ["model"], since=start, until=end)  # doctest: +SKIP
    >>> table.totals.cost_usd                                               # doctest: +SKIP
    12.84
    """

    keys: tuple[str, ...]
    columns: list[str]
    rows: list[tuple[Any, ...]]
    totals: CostTotals
    truncated: bool


@dataclass(frozen=True)
class UnpricedModel:
    """A model whose calls have tokens but no cost: it needs a price override."""

    model: str | None
    provider: str | None
    num_calls: int
    input_tokens: int
    output_tokens: int


def build_cost_table(
    store: Store,
    group_by: str | Sequence[str],
    *,
    since: datetime,
    until: datetime,
    service: str | None = None,
    max_rows: int = 1_000,
) -> CostTable:
    """The first ``max_rows`` report rows of LLM calls in [since, until), of one service or all.

    Raises ``ValueError`` for a bad ``group_by``.
    """
    keys = parse_group_by(group_by)
    with store.connect() as conn:
        report = iter_cost_rows(conn, keys, since=since, until=until, service=service)
        try:
            rows = list(islice(report, max_rows))
            truncated = next(report, None) is not None
        finally:
            report.close()
        totals = _totals(conn, since, until, service)
    return CostTable(keys, cost_report_columns(keys), rows, totals, truncated)


def list_unpriced_models(
    store: Store, *, since: datetime, until: datetime, service: str | None = None
) -> list[UnpricedModel]:
    """Models of LLM calls in the period that have tokens but no cost, most calls first."""
    c = _SPANS.c
    has_tokens = or_(c.input_tokens.is_not(None), c.output_tokens.is_not(None))
    calls = func.count().label("calls")
    query = (
        select(
            c.model,
            c.provider,
            calls,
            _total(c.input_tokens).label("input_tokens"),
            _total(c.output_tokens).label("output_tokens"),
        )
        .where(*_clauses(since, until, service), c.cost_usd.is_(None), has_tokens)
        .group_by(c.model, c.provider)
        .order_by(calls.desc(), c.model)
    )
    with store.connect() as conn:
        return [UnpricedModel(*row) for row in conn.execute(query)]


def _clauses(since: datetime, until: datetime, service: str | None) -> list[ColumnElement[bool]]:
    c = _SPANS.c
    clauses = [c.span_type == "llm", c.start_time >= since, c.start_time < until]
    if service is not None:
        clauses.append(c.service_name == service)
    return clauses


def _totals(conn: Connection, since: datetime, until: datetime, service: str | None) -> CostTotals:
    row = conn.execute(cost_totals_query(since=since, until=until, service=service)).one()
    *counts, cost, unpriced, priced = row
    rounded = None if cost is None else round(float(cost), 10)
    values: tuple[Any, ...] = (*(int(v) for v in counts), rounded, int(unpriced), int(priced))
    return CostTotals(*values)


def _total(column: ColumnElement[Any]) -> ColumnElement[Any]:
    # PostgreSQL sums BIGINT into NUMERIC and DuckDB into HUGEINT: bring both back to BIGINT.
    return cast(func.coalesce(func.sum(column), 0), BigInteger)
