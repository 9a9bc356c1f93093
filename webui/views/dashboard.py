"""The Dashboard at ``/``: tiles, charts over time and a per-model table, each with its SQL."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, render_template, request, url_for
from sqlalchemy import Connection, Select

from llmobs_store.alerts.active import list_active_alerts
from llmobs_store.analytics.buckets import floor_to_bucket
from llmobs_store.analytics.cache import CacheHits, sample_cache_hits, sample_cache_hits_statement
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.analytics.latency import (
    Percentiles,
    latency_percentiles,
    latency_percentiles_statement,
)
from llmobs_store.analytics.statement import render_sql
from llmobs_store.analytics.usage import Usage, usage, usage_statement
from webui.app_context import current_store
from webui.params import ViewFilters, view_filters

blueprint = Blueprint("dashboard", __name__)

# Bucket widths to choose from, and how many buckets a chart may have at most.
BUCKET_CHOICES_S = (60, 300, 900, 3_600, 21_600, 86_400)
MAX_BUCKETS = 300
MAX_CHART_MODELS = 8
LLM = "llm"
PERCENTILES = ("p50", "p95", "p99")


def bucket_for(period: timedelta) -> int:
    """Bucket width for a period: 1 h → minute, 24 h → 5 min, 7 d → hour, 30 d → 6 h."""
    for seconds in BUCKET_CHOICES_S:
        if period / timedelta(seconds=seconds) <= MAX_BUCKETS:
            return seconds
    return BUCKET_CHOICES_S[-1]


@dataclass(frozen=True)
class ModelRow:
    """One line of the per-model table."""

    model: str | None
    usage: Usage
    latency: Percentiles | None


@blueprint.get("/")
def index() -> str:
    """Tiles, charts and the per-model table for the global period and service."""
    filters = view_filters()
    percentile = request.args.get("percentile", "p95")
    if percentile not in PERCENTILES:
        percentile = "p95"
    store = current_store()
    seconds = bucket_for(filters.until - filters.since)
    calls = SpanFilter(
        since=filters.since, until=filters.until, service=filters.service, span_type=LLM
    )
    with store.connect() as conn:
        queries = _Queries(conn, calls)
        per_model_bucket = queries.run("usage_series", usage, group_by=["model"], bucket=seconds)
        latency_series = queries.run("latency_series", latency_percentiles, bucket=seconds)
        model_latency_series = queries.run(
            "model_latency_series", latency_percentiles, group_by=["model"], bucket=seconds
        )
        model_latency = queries.run("model_latency", latency_percentiles, group_by=["model"])
        (overall_latency,) = queries.run("latency", latency_percentiles)
        (overall_ttft,) = queries.run("ttft", latency_percentiles, measure="ttft")
        samples: dict[str, Any] = {
            "since": filters.since,
            "until": filters.until,
            "service": filters.service,
        }
        cache_hits = sample_cache_hits(conn, **samples, bucket=seconds)
        queries.sql["cache_samples"] = queries.render(
            sample_cache_hits_statement(**samples, bucket=seconds)
        )
        alerts = list_active_alerts(conn)
    totals = _total(per_model_bucket)
    queries.sql["totals"] = queries.render(usage_statement(calls))
    models = _model_rows(per_model_bucket, model_latency)
    axis = _axis(filters, seconds)
    charts = {
        "requests": _requests_chart(axis, per_model_bucket),
        "latency": _latency_chart(axis, latency_series),
        "model_latency": _model_latency_chart(axis, model_latency_series, models, percentile),
        "tokens": _tokens_chart(axis, per_model_bucket),
        "cost": _cost_chart(axis, per_model_bucket, models),
        "cache": _cache_chart(axis, per_model_bucket, cache_hits),
    }
    return render_template(
        "dashboard/index.html",
        totals=totals,
        latency=overall_latency,
        ttft=overall_ttft,
        alerts=alerts,
        models=models,
        charts=charts,
        sql_links={name: url_for("sql.console", q=sql) for name, sql in queries.sql.items()},
        traces_link=lambda model, status=None: _traces_link(filters, model, status),
        bucket_label=_bucket_label(seconds),
        percentile=percentile,
        percentiles=PERCENTILES,
    )


class _Queries:
    """Runs analytics functions and keeps the SQL text of each for its "Show SQL" link."""

    def __init__(self, conn: Connection, span_filter: SpanFilter) -> None:
        self.conn = conn
        self.span_filter = span_filter
        self.sql: dict[str, str] = {}

    def run(self, name: str, function: Callable[..., list[Any]], **options: Any) -> list[Any]:
        companion: Callable[..., Select[Any]] = _STATEMENTS[function]
        self.sql[name] = self.render(companion(self.span_filter, **options))
        return function(self.conn, self.span_filter, **options)

    def render(self, statement: Select[Any]) -> str:
        return render_sql(statement, self.conn.dialect)


_STATEMENTS: dict[Callable[..., Any], Callable[..., Select[Any]]] = {
    usage: usage_statement,
    latency_percentiles: latency_percentiles_statement,
}


def _total(rows: Iterable[Usage]) -> Usage:
    """The rows added up (one per model and bucket) into the period's totals."""
    rows = list(rows)
    costs = [row.cost_usd for row in rows if row.cost_usd is not None]
    return Usage(
        group=(),
        bucket_start=None,
        num_requests=sum(row.num_requests for row in rows),
        num_errors=sum(row.num_errors for row in rows),
        input_tokens=sum(row.input_tokens for row in rows),
        output_tokens=sum(row.output_tokens for row in rows),
        cache_read_tokens=sum(row.cache_read_tokens for row in rows),
        reasoning_tokens=sum(row.reasoning_tokens for row in rows),
        cost_usd=sum(costs) if costs else None,
        num_llm_spans=sum(row.num_llm_spans for row in rows),
        num_priced=sum(row.num_priced for row in rows),
    )


def _model_rows(per_bucket: list[Usage], latency: list[Percentiles]) -> list[ModelRow]:
    """Per-model totals with their percentiles, busiest model first."""
    grouped: dict[str | None, list[Usage]] = defaultdict(list)
    for row in per_bucket:
        grouped[row.group[0]].append(row)
    latency_of = {row.group[0]: row for row in latency}
    rows = [ModelRow(model, _total(rows), latency_of.get(model)) for model, rows in grouped.items()]
    return sorted(rows, key=lambda r: (-r.usage.num_requests, r.model or ""))


def _axis(filters: ViewFilters, seconds: int) -> list[datetime]:
    """Every bucket start of the period, so that empty buckets show as gaps or zeros."""
    start = floor_to_bucket(filters.since, seconds)
    step = timedelta(seconds=seconds)
    count = int((filters.until - start) / step) + ((filters.until - start) % step > timedelta(0))
    return [start + i * step for i in range(count)]


def _chart(
    axis: list[datetime], title: str, unit: str, series: dict[str, list[float | None]]
) -> dict[str, Any]:
    return {
        "kind": "line",
        "x": [int(moment.timestamp()) for moment in axis],
        "x_type": "time",
        "series": [{"label": label, "values": values} for label, values in series.items()],
        "unit": unit,
        "title": title,
    }


def _by_bucket(
    axis: list[datetime], rows: Iterable[Any], value: Callable[[Any], Any], missing: Any = None
) -> list[Any]:
    """Values on the axis (``missing`` where no row), summing rows that share a bucket."""
    found: dict[datetime, float] = {}
    for row in rows:
        amount = value(row)
        if amount is not None:
            found[row.bucket_start] = found.get(row.bucket_start, 0) + amount
    return [found.get(moment, missing) for moment in axis]


def _requests_chart(axis: list[datetime], rows: list[Usage]) -> dict[str, Any]:
    return _chart(
        axis,
        "LLM calls and errors",
        "",
        {
            "Calls": _by_bucket(axis, rows, lambda r: r.num_requests, missing=0),
            "Errors": _by_bucket(axis, rows, lambda r: r.num_errors, missing=0),
        },
    )


def _latency_chart(axis: list[datetime], rows: list[Percentiles]) -> dict[str, Any]:
    return _chart(
        axis,
        "Latency, all models",
        "ms",
        {
            "p50": _by_bucket(axis, rows, lambda r: r.p50),
            "p95": _by_bucket(axis, rows, lambda r: r.p95),
            "p99": _by_bucket(axis, rows, lambda r: r.p99),
        },
    )


def _model_latency_chart(
    axis: list[datetime], rows: list[Percentiles], models: list[ModelRow], percentile: str
) -> dict[str, Any]:
    # One percentile at a time: three lines per model would not be readable.
    series = {
        model or "(none)": _by_bucket(
            axis, [row for row in rows if row.group[0] == model], attrgetter(percentile)
        )
        for model in _chart_models(models)
    }
    return _chart(axis, f"Latency {percentile} per model", "ms", series)


def _tokens_chart(axis: list[datetime], rows: list[Usage]) -> dict[str, Any]:
    return _chart(
        axis,
        "Tokens",
        "",
        {
            "Input": _by_bucket(axis, rows, lambda r: r.input_tokens, missing=0),
            "Output": _by_bucket(axis, rows, lambda r: r.output_tokens, missing=0),
        },
    )


def _cost_chart(axis: list[datetime], rows: list[Usage], models: list[ModelRow]) -> dict[str, Any]:
    series = {
        model or "(none)": _by_bucket(
            axis, [r for r in rows if r.group[0] == model], lambda r: r.cost_usd, missing=0
        )
        for model in _chart_models(models)
    }
    return _chart(axis, "Cost per model (priced calls)", "$", series)


def _cache_chart(
    axis: list[datetime], rows: list[Usage], samples: list[CacheHits]
) -> dict[str, Any]:
    read = _by_bucket(axis, rows, lambda r: r.cache_read_tokens)
    total = _by_bucket(axis, rows, lambda r: r.input_tokens)
    series: dict[str, list[float | None]] = {
        "Prompt cache (share of input tokens)": [
            None if not t else 100.0 * (c or 0) / t for c, t in zip(read, total, strict=True)
        ]
    }
    if samples:
        rates = {s.bucket_start: s.hit_rate for s in samples}
        series["Application cache (hits per lookup)"] = [
            _percent(rates.get(moment)) for moment in axis
        ]
    return _chart(axis, "Cache hit rate", "%", series)


def _percent(ratio: float | None) -> float | None:
    return None if ratio is None else 100.0 * ratio


def _chart_models(models: list[ModelRow]) -> list[str | None]:
    return [row.model for row in models[:MAX_CHART_MODELS]]


def _traces_link(filters: ViewFilters, model: str | None, status: str | None = None) -> str:
    args = filters.query_args()
    if model is not None:
        args["model"] = model
    if status is not None:
        args["status"] = status
    return "/traces?" + urlencode(args)


def _bucket_label(seconds: int) -> str:
    if seconds % 86_400 == 0:
        return f"{seconds // 86_400} d"
    if seconds % 3_600 == 0:
        return f"{seconds // 3_600} h"
    return f"{seconds // 60} min"
