"""``LLMObsLogHandler``: stores plain stdlib ``logging`` records, tied to the current span."""

from __future__ import annotations

import logging
import threading
import traceback
from datetime import UTC, datetime
from typing import Any

from llmobs_store.ingest.records import LogRecord
from llmobs_store.sdk.context import correlation_ids
from llmobs_store.sdk.exporter import PendingExports, RecordExporter, resolve_exporter
from llmobs_store.store import Store

# The ``extra`` key LLMLogger puts on the records it emits (it has stored them already).
EMITTED_BY_LLMOBS = "llmobs_stored"
# OpenTelemetry severity numbers of the first value of each range.
SEVERITY_NUMBERS = {"debug": 5, "info": 9, "warning": 13, "error": 17, "critical": 21}
# Storing these loggers' records would feed the writer the records it emits itself while
# writing (and loop, or wait on its own full queue).
DEFAULT_EXCLUDED_LOGGERS = ("llmobs_store", "sqlalchemy", "alembic")
# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def level_name(levelno: int) -> str:
    """A stdlib level number as debug, info, warning, error or critical."""
    if levelno >= logging.CRITICAL:
        return "critical"
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warning"
    if levelno >= logging.INFO:
        return "info"
    return "debug"


class LLMObsLogHandler(logging.Handler):
    """A ``logging.Handler`` that stores each record as a ``logs`` row.

    >>> logging.getLogger().addHandler(LLMObsLogHandler(store=store))    # doctest: +SKIP

    Records carry the current trace and span ids, so application logs line up with traces.
    Records ``LLMLogger`` emitted are skipped (it stored them already). ``emit`` never
    raises: a failure goes to ``handleError``, as the logging module expects.
    """

    def __init__(
        self,
        level: int = logging.NOTSET,
        *,
        store: Store | None = None,
        exporter: RecordExporter | None = None,
        service_name: str | None = None,
        excluded_loggers: tuple[str, ...] = DEFAULT_EXCLUDED_LOGGERS,
    ) -> None:
        super().__init__(level)
        self.service_name = service_name
        self.excluded_loggers = excluded_loggers
        self._exporter = resolve_exporter(store, exporter)
        self._pending = PendingExports()
        self._emitting = threading.local()

    @property
    def num_failed_exports(self) -> int:
        """Records that could not be stored (each one was logged)."""
        return self._pending.num_failed

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, EMITTED_BY_LLMOBS, False) or self._excluded(record.name):
            return
        # Exporting may log (a failed write does); those records must not come back here.
        if getattr(self._emitting, "active", False):
            return
        self._emitting.active = True
        try:
            row = self.to_log_record(record)
            self._pending.track(lambda: self._exporter.export([row]), f"log record {record.name}")
        except Exception:
            self.handleError(record)
        finally:
            self._emitting.active = False

    def flush(self) -> None:
        """Wait until every record handled so far is committed."""
        self._pending.wait()

    def to_log_record(self, record: logging.LogRecord) -> LogRecord:
        """The ``logs`` row for a stdlib ``record``."""
        level = level_name(record.levelno)
        trace_id, span_id = correlation_ids()
        attributes: dict[str, Any] = {
            "code.file.path": record.pathname,
            "code.line.number": record.lineno,
            "code.function.name": record.funcName,
            "thread.name": record.threadName,
        }
        attributes.update(
            (key, value) for key, value in vars(record).items() if key not in _STANDARD_ATTRIBUTES
        )
        error_type = error_message = None
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            error_type, error_message = type(exc).__name__, str(exc)
            attributes["exception.stacktrace"] = "".join(traceback.format_exception(exc))
        return LogRecord(
            time=datetime.fromtimestamp(record.created, UTC),
            level=level,
            message=record.getMessage(),
            severity_number=SEVERITY_NUMBERS[level],
            severity_text=record.levelname,
            logger_name=record.name,
            service_name=self.service_name,
            trace_id=trace_id,
            span_id=span_id,
            error_type=error_type,
            error_message=error_message,
            attributes=attributes,
        )

    def _excluded(self, name: str) -> bool:
        return any(
            name == prefix or name.startswith(prefix + ".") for prefix in self.excluded_loggers
        )
