"""llmobs: LLM traces, metrics and logs in one DuckDB file (or PostgreSQL), analysed in SQL."""

from llmobs_store.config import Settings
from llmobs_store.errors import (
    DatabaseLocked,
    IngestRejected,
    InvalidSql,
    LlmobsError,
    NotFound,
    QueryTimeout,
    WriterBusy,
    WriterClosed,
)
from llmobs_store.ingest.records import (
    LogRecord,
    MetricPointRecord,
    RawSpan,
    RequestSampleRecord,
    SpanEvent,
    SpanLink,
    SpanRecord,
)
from llmobs_store.store import Store

__all__ = [
    "DatabaseLocked",
    "IngestRejected",
    "InvalidSql",
    "LlmobsError",
    "LogRecord",
    "MetricPointRecord",
    "NotFound",
    "QueryTimeout",
    "RawSpan",
    "RequestSampleRecord",
    "Settings",
    "SpanEvent",
    "SpanLink",
    "SpanRecord",
    "Store",
    "WriterBusy",
    "WriterClosed",
]
