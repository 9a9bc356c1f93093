"""llmobs: LLM traces, metrics and logs in one DuckDB file (or PostgreSQL), analysed in SQL."""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    # Store is imported on first use: it pulls in SQLAlchemy, Alembic and DuckDB, which the
    # ingest worker processes (and anything importing only records or settings) do without.
    if name == "Store":
        from llmobs_store.store import Store

        return Store
    raise AttributeError(f"module 'llmobs_store' has no attribute {name!r}")
