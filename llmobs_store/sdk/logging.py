"""Structured LLM logging: the seed's ``LLMLogger`` and ``PromptLogger``, stored as log rows."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from enum import Enum
from types import MappingProxyType
from typing import Any

from llmobs_store.ingest.records import LogRecord
from llmobs_store.ingest.redactors import truncate
from llmobs_store.sdk.context import correlation_ids
from llmobs_store.sdk.exporter import PendingExports, RecordExporter, resolve_exporter
from llmobs_store.sdk.log_handler import EMITTED_BY_LLMOBS, SEVERITY_NUMBERS, LLMObsLogHandler
from llmobs_store.store import Store

__all__ = ["LLMLogEntry", "LLMLogger", "LLMObsLogHandler", "LogLevel", "PromptLogger"]


class LogLevel(Enum):
    """Log levels."""

    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_STDLIB_LEVELS = {
    LogLevel.DEBUG: logging.DEBUG,
    LogLevel.INFO: logging.INFO,
    LogLevel.WARNING: logging.WARNING,
    LogLevel.ERROR: logging.ERROR,
}


@dataclass(frozen=True)
class LLMLogEntry:
    """Structured log entry for LLM operations (the seed's fields)."""

    timestamp: str
    level: str
    message: str
    trace_id: str | None = None
    span_id: str | None = None
    model: str | None = None
    provider: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_ms: float | None = None
    cost_usd: float | None = None
    error_type: str | None = None
    error_message: str | None = None
    attributes: dict[str, Any] | None = None

    def to_json(self) -> str:
        """The entry as one JSON object, without its empty fields."""
        data = {k: v for k, v in asdict(self).items() if v is not None}
        # default=str: an attribute JSON cannot hold must not make logging itself fail.
        return json.dumps(data, default=str)


_ENTRY_FIELDS = frozenset(f.name for f in fields(LLMLogEntry)) - {"timestamp", "level", "message"}
_EMPTY: MappingProxyType[str, Any] = MappingProxyType({})


class LLMLogger:
    """Structured logger for LLM operations: stores each entry and logs it as a JSON line.

    >>> log = LLMLogger("chat", store=store, service_name="chat")       # doctest: +SKIP
    >>> log.set_context(user_id="u-42")                                  # doctest: +SKIP
    >>> log.log_request("gpt-4o", 350, 80, latency_ms=912.0)            # doctest: +SKIP

    Entries below ``level`` are dropped. The context set with ``set_context`` belongs to the
    current thread or asyncio task (a task starts with a copy of its creator's), so
    concurrent requests never see each other's context. Unknown keyword arguments go into
    ``attributes``; trace and span ids default to the current span's.
    """

    def __init__(
        self,
        name: str = "llm",
        level: LogLevel = LogLevel.INFO,
        *,
        store: Store | None = None,
        exporter: RecordExporter | None = None,
        service_name: str | None = None,
    ) -> None:
        self.name = name
        self.level = level
        self.service_name = service_name
        self._logger = logging.getLogger(name)
        self._exporter = resolve_exporter(store, exporter)
        self._pending = PendingExports()
        # Immutable mappings: a task's copy of the context can then never be changed under it.
        self._context: ContextVar[MappingProxyType[str, Any]] = ContextVar(
            f"llmobs_log_context_{name}", default=_EMPTY
        )

    @property
    def num_failed_exports(self) -> int:
        """Entries that could not be stored (each one was logged)."""
        return self._pending.num_failed

    def set_context(self, **kwargs: Any) -> None:
        """Add ``kwargs`` to every later entry of this thread or task."""
        self._context.set(MappingProxyType({**self._context.get(), **kwargs}))

    def clear_context(self) -> None:
        """Forget the context of this thread or task."""
        self._context.set(_EMPTY)

    def debug(self, message: str, **kwargs: Any) -> None:
        """Log a debug message."""
        self._log(LogLevel.DEBUG, message, kwargs)

    def info(self, message: str, **kwargs: Any) -> None:
        """Log an info message."""
        self._log(LogLevel.INFO, message, kwargs)

    def warning(self, message: str, **kwargs: Any) -> None:
        """Log a warning."""
        self._log(LogLevel.WARNING, message, kwargs)

    def error(self, message: str, **kwargs: Any) -> None:
        """Log an error."""
        self._log(LogLevel.ERROR, message, kwargs)

    def log_request(
        self,
        model: str,
        input_tokens: int,
        output_tokens: int,
        latency_ms: float,
        cost_usd: float | None = None,
        **kwargs: Any,
    ) -> None:
        """Log a completed LLM request."""
        self.info(
            "LLM request completed",
            model=model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            latency_ms=latency_ms,
            cost_usd=cost_usd,
            **kwargs,
        )

    def log_error(self, error: BaseException, model: str | None = None, **kwargs: Any) -> None:
        """Log a failed LLM request; a raised exception's stack trace goes into attributes."""
        if error.__traceback__ is not None:
            stack = "".join(traceback.format_exception(error))
            kwargs["attributes"] = {
                **(kwargs.get("attributes") or {}),
                "exception.stacktrace": stack,
            }
        self.error(
            f"LLM request failed: {error}",
            model=model,
            error_type=type(error).__name__,
            error_message=str(error),
            **kwargs,
        )

    def flush(self, timeout: float | None = None) -> None:
        """Return once every entry logged so far is committed (or failed and logged)."""
        self._pending.wait(timeout)

    def _create_entry(self, level: LogLevel, message: str, **kwargs: Any) -> LLMLogEntry:
        """An entry of the context and ``kwargs`` (which win), unknown keys in attributes."""
        return self._entry(level, message, kwargs)

    def _entry(self, level: LogLevel, message: str, kwargs: Mapping[str, Any]) -> LLMLogEntry:
        # Taking a mapping, not **kwargs: a "level" or "message" keyword of the caller is
        # just another attribute here, not a clash with the parameters.
        values = {**self._context.get(), **kwargs}
        known = {k: v for k, v in values.items() if k in _ENTRY_FIELDS and v is not None}
        extra = {k: v for k, v in values.items() if k not in _ENTRY_FIELDS}
        attributes = {**(known.pop("attributes", None) or {}), **extra}
        known["trace_id"], known["span_id"] = correlation_ids(
            known.get("trace_id"), known.get("span_id")
        )
        return LLMLogEntry(
            timestamp=datetime.now(UTC).isoformat(),
            level=level.value,
            message=message,
            attributes=attributes or None,
            **known,
        )

    def _log(self, level: LogLevel, message: str, kwargs: dict[str, Any]) -> None:
        if _STDLIB_LEVELS[level] < _STDLIB_LEVELS[self.level]:
            return
        entry = self._entry(level, message, kwargs)
        record = LogRecord(
            time=datetime.fromisoformat(entry.timestamp),
            level=entry.level,
            message=entry.message,
            severity_number=SEVERITY_NUMBERS[entry.level],
            severity_text=entry.level.upper(),
            logger_name=self.name,
            service_name=self.service_name,
            trace_id=entry.trace_id,
            span_id=entry.span_id,
            model=entry.model,
            provider=entry.provider,
            input_tokens=entry.input_tokens,
            output_tokens=entry.output_tokens,
            latency_ms=entry.latency_ms,
            cost_usd=entry.cost_usd,
            error_type=entry.error_type,
            error_message=entry.error_message,
            attributes=entry.attributes,
        )
        self._pending.track(lambda: self._exporter.export([record]), f"log entry {message!r}")
        # Marked, so an LLMObsLogHandler on the same logger does not store the entry twice.
        self._logger.log(_STDLIB_LEVELS[level], entry.to_json(), extra={EMITTED_BY_LLMOBS: True})


class PromptLogger:
    """Logs prompts and responses at debug level, truncated to ``max_length`` characters.

    >>> prompts = PromptLogger(LLMLogger(level=LogLevel.DEBUG), max_length=500)  # doctest: +SKIP
    >>> prompts.log_prompt(prompt, model="gpt-4o")                               # doctest: +SKIP
    """

    def __init__(
        self,
        logger: LLMLogger,
        log_prompts: bool = True,
        log_responses: bool = True,
        max_length: int = 1000,
    ) -> None:
        self.logger = logger
        self.log_prompts = log_prompts
        self.log_responses = log_responses
        self.max_length = max_length

    def log_prompt(self, prompt: str, model: str, trace_id: str | None = None) -> None:
        """Log a prompt (unless prompts are off)."""
        if self.log_prompts:
            self._log("LLM prompt", "prompt", prompt, model, trace_id)

    def log_response(self, response: str, model: str, trace_id: str | None = None) -> None:
        """Log a response (unless responses are off)."""
        if self.log_responses:
            self._log("LLM response", "response", response, model, trace_id)

    def truncate(self, text: str) -> str:
        """``text`` cut to ``max_length`` characters, saying how many were cut."""
        return truncate(text, self.max_length)

    def _log(self, message: str, key: str, text: str, model: str, trace_id: str | None) -> None:
        self.logger.debug(
            message, model=model, trace_id=trace_id, attributes={key: self.truncate(text)}
        )
