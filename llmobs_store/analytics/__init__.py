"""Questions asked of the stored data, one module per question, in bound SQLAlchemy Core."""

from llmobs_store.analytics.buckets import bucket_seconds
from llmobs_store.analytics.cache import (
    CacheHits,
    CacheSharePoint,
    rolling_cache_hit_rate,
    rolling_cache_hit_rate_statement,
    sample_cache_hits,
    sample_cache_hits_statement,
)
from llmobs_store.analytics.dimensions import dimension_column
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.analytics.latency import (
    Percentiles,
    latency_percentiles,
    latency_percentiles_statement,
)
from llmobs_store.analytics.logs import LogFilters, LogPage, list_logs, log_list_statement
from llmobs_store.analytics.requests import RequestSummary, request_summary
from llmobs_store.analytics.rolling import (
    CostPoint,
    ErrorRatePoint,
    cost_spikes,
    cost_spikes_statement,
    rolling_error_rate,
    rolling_error_rate_statement,
)
from llmobs_store.analytics.statement import render_sql
from llmobs_store.analytics.top_traces import TopTrace, top_traces, top_traces_statement
from llmobs_store.analytics.trace_filters import TraceFilters
from llmobs_store.analytics.trace_list import (
    TracePage,
    TraceSort,
    list_traces,
    trace_list_statement,
)
from llmobs_store.analytics.traces import StoredSpan, TraceDetail, get_trace, list_trace_spans
from llmobs_store.analytics.usage import Usage, usage, usage_statement
from llmobs_store.errors import InvalidCursor

__all__ = [
    "CacheHits",
    "CacheSharePoint",
    "CostPoint",
    "ErrorRatePoint",
    "InvalidCursor",
    "LogFilters",
    "LogPage",
    "Percentiles",
    "RequestSummary",
    "SpanFilter",
    "StoredSpan",
    "TopTrace",
    "TraceDetail",
    "TraceFilters",
    "TracePage",
    "TraceSort",
    "Usage",
    "bucket_seconds",
    "cost_spikes",
    "cost_spikes_statement",
    "dimension_column",
    "get_trace",
    "latency_percentiles",
    "latency_percentiles_statement",
    "list_logs",
    "list_trace_spans",
    "list_traces",
    "log_list_statement",
    "render_sql",
    "request_summary",
    "rolling_cache_hit_rate",
    "rolling_cache_hit_rate_statement",
    "rolling_error_rate",
    "rolling_error_rate_statement",
    "sample_cache_hits",
    "sample_cache_hits_statement",
    "top_traces",
    "top_traces_statement",
    "trace_list_statement",
    "usage",
    "usage_statement",
]
