"""Questions asked of the stored data, one module per question, in bound SQLAlchemy Core."""

from llmobs_store.analytics.requests import RequestSummary, request_summary
from llmobs_store.analytics.traces import StoredSpan, list_trace_spans

__all__ = ["RequestSummary", "StoredSpan", "list_trace_spans", "request_summary"]
