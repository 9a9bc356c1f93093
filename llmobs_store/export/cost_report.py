"""The cost report: LLM spans grouped by model, time bucket, user, tenant or any metadata key."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterable, Iterator, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    and_,
    cast,
    func,
    or_,
    select,
)

from llmobs_store.db.expressions import epoch_seconds
from llmobs_store.db.spans import Span
from llmobs_store.export.csv_stream import stream_csv
from llmobs_store.store import Store

# Dimensions read from a spans column; any other name (``tenant``, ``feature``…) is a metadata key.
COLUMN_DIMENSIONS: dict[str, ColumnElement[Any]] = {
    "model": Span.__table__.c.model,
    "provider": Span.__table__.c.provider,
    "user": Span.__table__.c.user_id,
    "session": Span.__table__.c.session_id,
    "service": Span.__table__.c.service_name,
    "operation": Span.__table__.c.operation,
}
# Seconds per bucket and the offset that puts bucket starts on a Monday (1970-01-05) for weeks.
TIME_DIMENSIONS: dict[str, tuple[int, int]] = {"day": (86_400, 0), "week": (604_800, 345_600)}
MEASURES = (
    "requests",
    "errors",
    "input_tokens",
    "output_tokens",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
    "cost_usd",
    "unpriced",
    "price_coverage",
)
_METADATA_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_EPOCH = date(1970, 1, 1)
_SPANS = Span.__table__


def parse_group_by(group_by: str | Sequence[str]) -> tuple[str, ...]:
    """``"model,day"`` or ``["model", "day"]`` checked: known or metadata keys, one time at most."""
    names = group_by.split(",") if isinstance(group_by, str) else list(group_by)
    keys = tuple(name.strip() for name in names if name.strip())
    if not keys:
        raise ValueError("group by at least one dimension, e.g. model,day")
    if len(set(keys)) != len(keys):
        raise ValueError(f"a dimension is repeated in {','.join(keys)}")
    if sum(key in TIME_DIMENSIONS for key in keys) > 1:
        raise ValueError("group by one time dimension at most (day or week)")
    for key in keys:
        if key not in COLUMN_DIMENSIONS and key not in TIME_DIMENSIONS:
            if not _METADATA_KEY.match(key) or key in MEASURES:
                raise ValueError(f"{key!r} is not a dimension or a metadata key")
    return keys


def cost_report_columns(group_by: str | Sequence[str]) -> list[str]:
    """Header of the report: the group keys, then ``MEASURES``."""
    return [*parse_group_by(group_by), *MEASURES]


def cost_report_query(
    group_by: str | Sequence[str],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    service: str | None = None,
) -> Select[Any]:
    """The report's SQL over LLM spans starting in [since, until), one row per group.

    Time buckets come back as bucket numbers (days or weeks since the epoch, UTC);
    ``iter_cost_rows`` turns them into dates. ``priced`` is turned into ``price_coverage``.
    """
    return _report(parse_group_by(group_by), since, until, service)


def cost_totals_query(
    *, since: datetime | None = None, until: datetime | None = None, service: str | None = None
) -> Select[Any]:
    """The report's measures over all its LLM spans in one row (the totals of its rows)."""
    return _report((), since, until, service)


def _report(
    keys: tuple[str, ...], since: datetime | None, until: datetime | None, service: str | None
) -> Select[Any]:
    c = _SPANS.c
    clauses: list[ColumnElement[bool]] = [c.span_type == "llm"]
    if since is not None:
        clauses.append(c.start_time >= since)
    if until is not None:
        clauses.append(c.start_time < until)
    if service is not None:
        clauses.append(c.service_name == service)
    # Dimensions are computed in a subquery and grouped by name outside it: PostgreSQL cannot
    # tell that two bound ``metadata ->> $n`` expressions are the same, so it would refuse them.
    dims = [_dimension(key).label(f"g{i}") for i, key in enumerate(keys)]
    inner = select(
        *dims,
        c.status,
        c.input_tokens,
        c.output_tokens,
        c.cache_read_tokens,
        c.cache_write_tokens,
        c.reasoning_tokens,
        c.cost_usd,
    ).where(*clauses)
    rows = inner.subquery("llm_spans")
    r = rows.c
    groups = [r[f"g{i}"] for i in range(len(keys))]
    has_tokens = or_(r.input_tokens.is_not(None), r.output_tokens.is_not(None))
    query = select(
        *groups,
        func.count().label("requests"),
        func.count().filter(r.status == "error").label("errors"),
        *(_total(r[name]).label(name) for name in MEASURES[2:7]),
        func.sum(r.cost_usd).label("cost_usd"),
        func.count().filter(and_(r.cost_usd.is_(None), has_tokens)).label("unpriced"),
        func.count(r.cost_usd).label("priced"),
    )
    if not groups:
        return query
    return query.group_by(*groups).order_by(*(g.asc().nulls_last() for g in groups))


def iter_cost_rows(
    conn: Connection,
    group_by: str | Sequence[str],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    service: str | None = None,
    chunk_rows: int = 5_000,
) -> Generator[tuple[Any, ...], None, None]:
    """Report rows in ``cost_report_columns`` order, fetched ``chunk_rows`` at a time.

    A caller that stops early should ``close()`` the iterator: that closes the result, and with
    it PostgreSQL's server-side cursor.
    """
    keys = parse_group_by(group_by)
    stmt = cost_report_query(keys, since=since, until=until, service=service)
    result = conn.execution_options(stream_results=True, yield_per=chunk_rows).execute(stmt)
    with result:
        yield from _report_rows(result, keys)


def _report_rows(result: Iterable[Any], keys: tuple[str, ...]) -> Iterator[tuple[Any, ...]]:
    time_slots = [(i, *TIME_DIMENSIONS[k]) for i, k in enumerate(keys) if k in TIME_DIMENSIONS]
    num_keys = len(keys)
    for row in result:
        # Counts come back as int on both backends (sums are cast to BIGINT in the SQL).
        *values, cost, unpriced, priced = row
        for i, seconds, offset in time_slots:
            if values[i] is not None:
                values[i] = _EPOCH + timedelta(seconds=values[i] * seconds + offset)
        # Ten decimals: below a nano-dollar, and no 0.014818199999999998 in a spreadsheet.
        if cost is not None:
            cost = round(cost, 10)
        requests = values[num_keys]
        yield (*values, cost, unpriced, round(priced / requests, 4) if requests else 0.0)


def stream_cost_csv(
    store: Store,
    group_by: str | Sequence[str],
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    service: str | None = None,
    max_bytes: int | None = None,
) -> Iterator[bytes]:
    """The cost report as UTF-8 CSV chunks, for a download or a file.

    >>> for chunk in stream_cost_csv(store, "model,day", since=start):   # doctest: +SKIP
    ...     response.write(chunk)

    Raises ``ValueError`` for a bad ``group_by`` at once, before the first chunk is asked for,
    and ``CsvLimitExceeded`` once ``max_bytes`` would be passed.
    """
    header = cost_report_columns(group_by)

    def chunks() -> Iterator[bytes]:
        with store.connect() as conn:
            rows = iter_cost_rows(conn, group_by, since=since, until=until, service=service)
            try:
                yield from stream_csv(header, rows, max_bytes=max_bytes)
            finally:
                rows.close()

    return chunks()


def _dimension(key: str) -> ColumnElement[Any]:
    if key in COLUMN_DIMENSIONS:
        return COLUMN_DIMENSIONS[key]
    if key in TIME_DIMENSIONS:
        seconds, offset = TIME_DIMENSIONS[key]
        start = epoch_seconds(_SPANS.c.start_time)
        return cast(func.floor((start - offset) / seconds), BigInteger)
    # metadata ->> :key, the key bound as a parameter.
    value: ColumnElement[Any] = _SPANS.c.metadata[key].as_string()
    return value


def _total(column: ColumnElement[Any]) -> ColumnElement[Any]:
    # PostgreSQL sums BIGINT into NUMERIC and DuckDB into HUGEINT: bring both back to BIGINT.
    return cast(func.coalesce(func.sum(column), 0), BigInteger)
