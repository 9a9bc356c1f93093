"""The SQL that measures a rule's metric per group over windows ending at given times."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Double,
    FromClause,
    Select,
    Table,
    and_,
    cast,
    func,
    literal,
    literal_column,
    select,
)

from llmobs_store.alerts.rules import Rule
from llmobs_store.db.expressions import epoch_seconds
from llmobs_store.db.models import RequestSample, Span
from llmobs_store.errors import InvalidRule
from llmobs_store.sql.runner import run_query
from llmobs_store.store import Store

# cost_zscore compares the window with this many windows before it.
TRAILING_WINDOWS = 24
# A flat cost history has no spread: the deviation is floored at this share of the trailing
# mean (and at one cent), so a steady 1 USD/h must pass 1.30 USD/h to score 3.
MIN_COST_STDDEV_SHARE = 0.1
MIN_COST_STDDEV_USD = 0.01
_SPANS: Table = Span.__table__  # type: ignore[assignment]
_SAMPLES: Table = RequestSample.__table__  # type: ignore[assignment]
_SPAN_COLUMNS = {
    "model": "model",
    "provider": "provider",
    "service": "service_name",
    "service_name": "service_name",
    "user": "user_id",
    "user_id": "user_id",
    "session": "session_id",
    "session_id": "session_id",
    "span_type": "span_type",
    "operation": "operation",
    "status": "status",
    "name": "name",
}
_SAMPLE_COLUMNS = {
    "model": "model",
    "provider": "provider",
    "service": "service_name",
    "service_name": "service_name",
}
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


@dataclass(frozen=True)
class Measurement:
    """The metric of one group in one window; ``value`` is None when nothing was measured."""

    labels: dict[str, Any]
    value: float | None
    num_samples: int
    details: dict[str, float] = field(default_factory=dict)

    @property
    def group_key(self) -> str:
        """Canonical text of the labels (``''`` when the rule has no group-by)."""
        return group_key(self.labels)


def group_key(labels: Mapping[str, Any]) -> str:
    """``{"model": "gpt-4o"}`` as ``{"model":"gpt-4o"}``; ``''`` for no labels."""
    return json.dumps(dict(labels), sort_keys=True, separators=(",", ":")) if labels else ""


def measure(store: Store, rule: Rule, end: datetime) -> list[Measurement]:
    """The rule's metric per group over ``[end - window, end)``."""
    return measure_steps(store, rule, end, num_steps=1, step_s=rule.window_s)[_whole(end)]


def measure_steps(
    store: Store, rule: Rule, first_end: datetime, *, num_steps: int, step_s: int
) -> dict[datetime, list[Measurement]]:
    """Measurements for windows ending at ``first_end + k * step_s`` (k < ``num_steps``).

    One query for every step (a ``generate_series`` of window ends joined to the rows), so
    a backtest over a month costs one scan; custom SQL runs once per step.
    """
    if num_steps < 1 or step_s < 1:
        raise ValueError("num_steps and step_s must be positive")
    first = _whole(first_end)
    ends = [first + timedelta(seconds=k * step_s) for k in range(num_steps)]
    found: dict[datetime, list[Measurement]] = {end: [] for end in ends}
    if rule.metric == "custom_sql":
        for end in ends:
            found[end] = _custom(store, rule, end)
        return found
    stmt = measure_query(rule, first, num_steps=num_steps, step_s=step_s)
    with store.connect() as conn:
        for row in conn.execute(stmt):
            end = datetime.fromtimestamp(int(row[0]), UTC)
            labels = dict(
                zip(
                    rule.group_by, (_label(v) for v in row[1 : 1 + len(rule.group_by)]), strict=True
                )
            )
            found[end].append(_measurement(rule, labels, row[1 + len(rule.group_by) :]))
    return found


def measure_query(rule: Rule, first_end: datetime, *, num_steps: int, step_s: int) -> Select[Any]:
    """The measuring SQL: one row per (window end, group) with the aggregates of the metric.

    Percentiles join every row to each window holding it. Counts and sums are first added up
    per slot (the largest length dividing both the step and the window), and the slots are
    then added up per window: a month of hourly windows every 5 minutes reads each row once.
    """
    first_s = int(first_end.timestamp())
    last_s = first_s + (num_steps - 1) * step_s
    steps = (
        func.generate_series(
            literal(first_s, BigInteger), literal(last_s, BigInteger), literal(step_s, BigInteger)
        )
        .table_valued("window_end")
        .render_derived(name="steps")
    )
    end = steps.c.window_end
    table = _SAMPLES if rule.metric == "cache_hit_rate" else _SPANS
    time_column = table.c.time if table is _SAMPLES else table.c.start_time
    span_s = rule.window_s * (TRAILING_WINDOWS + 1 if rule.metric == "cost_zscore" else 1)
    at = epoch_seconds(time_column)
    # The plain time bounds let DuckDB skip row groups by their min/max.
    first_dt = datetime.fromtimestamp(first_s - span_s, UTC)
    last_dt = datetime.fromtimestamp(last_s, UTC)
    clauses = [time_column >= first_dt, time_column < last_dt, *_filters(rule, table)]
    dims = [_dimension(rule, table, key).label(f"g{i}") for i, key in enumerate(rule.group_by)]
    if rule.percentile is not None:
        column = table.c.duration_ms if rule.metric.startswith("latency") else table.c.ttft_ms
        joined = steps.join(table, and_(at >= end - span_s, at < end))
        raw = select(end, *dims, column.label("x")).select_from(joined).where(*clauses)
        r = raw.subquery("rows").c
        keys = [r.window_end, *(r[f"g{i}"] for i in range(len(dims)))]
        # A literal fraction: DuckDB wants a constant, not a parameter, for the percentile.
        fraction: ColumnElement[float] = literal_column(repr(rule.percentile))
        percentile = func.percentile_cont(fraction).within_group(r.x)
        return select(*keys, func.count(r.x), percentile).group_by(*keys)
    slot_s = math.gcd(step_s, rule.window_s)
    origin = first_s - span_s
    slot = cast(func.floor((at - origin) / slot_s), BigInteger).label("slot")
    rows = select(slot, *dims, *_inputs(rule, table)).where(*clauses).subquery("rows")
    groups = [rows.c[f"g{i}"] for i in range(len(dims))]
    per_slot = (
        select(rows.c.slot, *groups, *_slot_totals(rule, rows))
        .group_by(rows.c.slot, *groups)
        .subquery("slots")
    )
    p = per_slot.c
    # Slot k holds [origin + k * slot_s, origin + (k + 1) * slot_s): whole slots make a window.
    last_slot = (end - origin) / slot_s
    joined = steps.join(per_slot, and_(p.slot >= last_slot - span_s // slot_s, p.slot < last_slot))
    keys = [end, *(p[f"g{i}"] for i in range(len(dims)))]
    if rule.metric != "cost_zscore":
        totals = [func.sum(p.n), func.sum(p.x)]
        return select(*keys, *totals).select_from(joined).group_by(*keys)
    # Window 0 is the one ending at the step; 1..24 trail it. (end - start - 1) // window.
    bucket = cast(func.floor((end - origin - p.slot * slot_s - 1) / rule.window_s), BigInteger)
    per_bucket = (
        select(*keys, bucket.label("bucket"), func.sum(p.n).label("n"), func.sum(p.x).label("x"))
        .select_from(joined)
        .group_by(*keys, bucket)
        .subquery("buckets")
    )
    b = per_bucket.c
    outer = [b.window_end, *(b[f"g{i}"] for i in range(len(dims)))]
    current, trailing = b.bucket == 0, b.bucket > 0
    return select(
        *outer,
        func.sum(b.n).filter(current),
        func.sum(b.x).filter(current),
        func.sum(b.x).filter(trailing),
        func.sum(b.x * b.x).filter(trailing),
        func.sum(b.n).filter(trailing),
    ).group_by(*outer)


def _inputs(rule: Rule, table: Table) -> list[ColumnElement[Any]]:
    c = table.c
    if rule.metric == "cache_hit_rate":
        return [c.cache_hit]
    if rule.metric == "token_sum":
        tokens = func.coalesce(
            c.total_tokens, func.coalesce(c.input_tokens, 0) + func.coalesce(c.output_tokens, 0)
        )
        return [cast(tokens, BigInteger).label("tokens")]
    return [c.status, c.cost_usd]


def _slot_totals(rule: Rule, rows: FromClause) -> list[ColumnElement[Any]]:
    """``n`` (samples) and ``x`` (what is added up) of one slot."""
    r = rows.c
    metric = rule.metric
    n: ColumnElement[Any]
    x: ColumnElement[Any]
    if metric == "cache_hit_rate":
        n, x = func.count(r.cache_hit), func.count().filter(r.cache_hit.is_(True))
    elif metric == "error_rate":
        n, x = func.count(), func.count().filter(r.status == "error")
    elif metric in ("cost_sum", "cost_zscore"):
        n, x = func.count(), func.coalesce(func.sum(r.cost_usd), 0.0)
    elif metric == "token_sum":
        n, x = func.count(), func.sum(r.tokens)
    else:  # request_count
        n, x = func.count(), func.count()
    # PostgreSQL sums BIGINT into NUMERIC: keep counts integers on both backends.
    if metric in ("cost_sum", "cost_zscore"):
        return [n.label("n"), cast(x, Double).label("x")]
    return [n.label("n"), cast(x, BigInteger).label("x")]


def _measurement(rule: Rule, labels: dict[str, Any], values: Any) -> Measurement:
    n = int(values[0] or 0)
    if n == 0:
        return Measurement(labels, None, 0)
    metric = rule.metric
    if metric in ("error_rate", "cache_hit_rate"):
        return Measurement(labels, int(values[1]) / n, n)
    if metric == "cost_zscore":
        current = float(values[1] or 0.0)
        mean = float(values[2] or 0.0) / TRAILING_WINDOWS
        variance = float(values[3] or 0.0) / TRAILING_WINDOWS - mean * mean
        stddev = math.sqrt(max(variance, 0.0))
        details = {"cost_usd": current, "trailing_mean": mean, "trailing_stddev": stddev}
        if not values[4]:
            # No history to compare with (a new service): no verdict rather than a spike.
            return Measurement(labels, None, n, details)
        floor = max(MIN_COST_STDDEV_SHARE * mean, MIN_COST_STDDEV_USD)
        return Measurement(labels, (current - mean) / max(stddev, floor), n, details)
    if metric in ("cost_sum", "token_sum"):
        return Measurement(labels, float(values[1] or 0), n)
    if metric == "request_count":
        return Measurement(labels, float(n), n)
    return Measurement(labels, None if values[1] is None else float(values[1]), n)


def _filters(rule: Rule, table: Table) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    for key, wanted in rule.filters.items():
        if key in ("attributes", "metadata") and isinstance(wanted, Mapping):
            for sub, value in wanted.items():
                clauses.append(_matches(_dimension(rule, table, f"{key}.{sub}"), value))
        else:
            clauses.append(_matches(_dimension(rule, table, key), wanted))
    if rule.metric.startswith("ttft"):
        clauses.append(table.c.ttft_ms.is_not(None))
    return clauses


def _matches(column: ColumnElement[Any], wanted: Any) -> ColumnElement[bool]:
    if isinstance(wanted, list | tuple):
        return column.in_([str(v) for v in wanted])
    if wanted is None:
        return column.is_(None)
    return column == str(wanted)


def _dimension(rule: Rule, table: Table, key: str) -> ColumnElement[Any]:
    """A group-by or filter key: a column, ``metadata.K``/``attributes.K``, or a bare label."""
    columns = _SAMPLE_COLUMNS if table is _SAMPLES else _SPAN_COLUMNS
    if key in columns:
        return table.c[columns[key]]
    prefix, _, rest = key.partition(".")
    if prefix == "attributes" and rest:
        source, name = table.c.attributes, rest
    elif prefix == "metadata" and rest and table is _SPANS:
        source, name = table.c.metadata, rest
    else:
        # A bare key (tenant, feature) is a metadata label on spans, an attribute on samples.
        source, name = (table.c.metadata if table is _SPANS else table.c.attributes), key
    if not _KEY.match(name):
        raise InvalidRule(f"{rule.name}: {key!r} is not a column or a label key")
    value: ColumnElement[Any] = source[name].as_string()
    return value


def _custom(store: Store, rule: Rule, end: datetime) -> list[Measurement]:
    query = rule.query or ""
    start = end - timedelta(seconds=rule.window_s)
    params = {
        name: value
        for name, value in (("start", start), ("end", end))
        if re.search(rf"(?<![:\w]):{name}\b", query)
    }
    result = run_query(store, query, params)
    columns = result.columns
    found = []
    for row in result.rows:
        values = dict(zip(columns, row, strict=True))
        samples = values.pop("num_samples", None)
        *label_names, value_name = [c for c in columns if c != "num_samples"]
        labels = {name: _label(values[name]) for name in label_names}
        value = values[value_name]
        n = 1 if samples is None else int(samples)
        found.append(Measurement(labels, None if value is None else float(value), n))
    return found


def _label(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


def _whole(moment: datetime) -> datetime:
    """Window ends are whole seconds (epoch arithmetic in SQL)."""
    return datetime.fromtimestamp(int(moment.timestamp()), UTC)
