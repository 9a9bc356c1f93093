"""The llmobs error tree: each error carries what a caller needs to act on it."""

from __future__ import annotations


class LlmobsError(Exception):
    """Base of every error llmobs raises on purpose."""


class IngestRejected(LlmobsError, ValueError):
    """Input that can never be stored as sent (bad ids, wrong types, undecodable payload)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class PayloadTooLarge(IngestRejected):
    """A request body over the size limit, counted after decompression."""

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"request body exceeds {limit_bytes} bytes (after decompression)")
        self.limit_bytes = limit_bytes


class UnsupportedMediaType(IngestRejected):
    """A Content-Type or Content-Encoding llmobs does not decode."""


class WriterBusy(LlmobsError):
    """The write queue is full; the caller should retry after ``retry_after_s`` seconds."""

    def __init__(self, pending_rows: int, max_pending_rows: int, retry_after_s: float) -> None:
        super().__init__(
            f"write queue full ({pending_rows} of {max_pending_rows} rows pending); "
            f"retry in {retry_after_s:g} s"
        )
        self.pending_rows = pending_rows
        self.max_pending_rows = max_pending_rows
        self.retry_after_s = retry_after_s


class WriterClosed(LlmobsError):
    """The store is closed (or closing) and accepts no more records."""


class DatabaseLocked(LlmobsError):
    """Another process holds the DuckDB file; only one process may open it at a time."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(
            f"the database {path} is held by another process (is `llmobs serve` running?): "
            f"a DuckDB file belongs to one process at a time; stop it, or query it with "
            f"`llmobs sql --url` ({detail})"
        )
        self.path = path


class InvalidSql(LlmobsError, ValueError):
    """A query the read-only SQL runner refuses, with the reason."""


class QueryTimeout(LlmobsError):
    """A query stopped at the time limit."""

    def __init__(self, limit_ms: int) -> None:
        super().__init__(f"query stopped after the {limit_ms} ms time limit")
        self.limit_ms = limit_ms


class NotFound(LlmobsError, LookupError):
    """A requested object (trace, rule, query) does not exist."""


class InvalidRule(LlmobsError, ValueError):
    """An alert rule that cannot be evaluated as written; the message says which field and why."""


class InvalidCursor(LlmobsError, ValueError):
    """A pagination cursor that was altered, cut short, or made for another list or sort."""
