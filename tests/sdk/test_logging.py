"""LLMLogger, PromptLogger and LLMObsLogHandler: stored rows, JSON lines, context, no doubles."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Row, select

from llmobs_store.db.logs import Log
from llmobs_store.sdk import (
    LLMLogEntry,
    LLMLogger,
    LLMObsLogHandler,
    LLMTracer,
    LogLevel,
    PromptLogger,
)
from llmobs_store.store import Store
from tests.conftest import count_rows


def stored_logs(store: Store) -> list[Row[Any]]:
    """Every stored log row in insertion order."""
    logs = Log.__table__
    with store.connect() as conn:
        return list(conn.execute(select(logs).order_by(logs.c.id)))


def record(name: str, msg: str, args: tuple[Any, ...] = ()) -> logging.LogRecord:
    """A stdlib info record, as a logger would make it."""
    return logging.LogRecord(name, logging.INFO, __file__, 1, msg, args, None)


@pytest.fixture
def stdlib_logger() -> Iterator[logging.Logger]:
    """A stdlib logger of its own, left as it was found."""
    logger = logging.getLogger("tests.sdk.app")
    level, handlers = logger.level, list(logger.handlers)
    yield logger
    logger.setLevel(level)
    logger.handlers[:] = handlers


def test_levels_below_the_threshold_are_dropped(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    log = LLMLogger("llm.levels", LogLevel.WARNING, store=store, service_name="chat")
    with caplog.at_level(logging.DEBUG, logger="llm.levels"):
        log.debug("not kept")
        log.info("not kept either")
        log.warning("slow answer", latency_ms=9100.5)
        log.error("refused", model="gpt-4o", finish="content_filter", level="org")
    log.flush()

    warning, error = stored_logs(store)
    assert (warning.level, warning.message, warning.latency_ms) == (
        "warning",
        "slow answer",
        9100.5,
    )
    assert (warning.severity_number, warning.logger_name, warning.service_name) == (
        13,
        "llm.levels",
        "chat",
    )
    assert (error.level, error.model, error.attributes) == (
        "error",
        "gpt-4o",
        {"finish": "content_filter", "level": "org"},
    )
    lines = [json.loads(r.getMessage()) for r in caplog.records]
    assert [line["message"] for line in lines] == ["slow answer", "refused"]
    assert lines[1]["attributes"] == {"finish": "content_filter", "level": "org"}
    assert lines[1]["level"] == "error" and "trace_id" not in lines[1]
    assert [r.levelno for r in caplog.records] == [logging.WARNING, logging.ERROR]


def test_log_request_and_log_error_fill_their_columns(store: Store) -> None:
    log = LLMLogger(store=store)
    log.log_request("gpt-4o-mini", 120, 30, 812.5, cost_usd=0.0004, provider="openai")
    try:
        raise ConnectionError("reset by peer")
    except ConnectionError as exc:
        log.log_error(exc, model="gpt-4o-mini", attempt=2)
    log.flush()

    request, failure = stored_logs(store)
    assert (request.message, request.model, request.provider) == (
        "LLM request completed",
        "gpt-4o-mini",
        "openai",
    )
    assert (request.input_tokens, request.output_tokens) == (120, 30)
    assert (request.latency_ms, request.cost_usd) == (812.5, 0.0004)
    assert failure.message == "LLM request failed: reset by peer"
    assert (failure.error_type, failure.error_message) == ("ConnectionError", "reset by peer")
    assert failure.attributes["attempt"] == 2
    assert 'raise ConnectionError("reset by peer")' in failure.attributes["exception.stacktrace"]


def test_context_is_per_thread_and_task(store: Store) -> None:
    log = LLMLogger(store=store)
    log.set_context(model="gpt-4o", tenant="acme")
    log.set_context(user_id="u-1")
    log.info("with context", tenant="override")

    def in_thread() -> None:
        log.info("thread sees none")
        log.set_context(tenant="thread-only")

    worker = threading.Thread(target=in_thread)
    worker.start()
    worker.join()

    async def task_sets(name: str) -> None:
        log.set_context(task=name)
        await asyncio.sleep(0.001)
        log.info(f"task {name}")

    async def main() -> None:
        await asyncio.gather(task_sets("a"), task_sets("b"))
        log.info("after tasks")

    asyncio.run(main())
    log.clear_context()
    log.info("cleared")
    log.flush()

    rows = {row.message: row for row in stored_logs(store)}
    assert rows["with context"].model == "gpt-4o"
    assert rows["with context"].attributes == {"tenant": "override", "user_id": "u-1"}
    assert rows["thread sees none"].model is None and rows["thread sees none"].attributes is None
    for name in ("a", "b"):
        # Each task starts from the creator's context and keeps its own additions to itself.
        assert rows[f"task {name}"].attributes == {"tenant": "acme", "user_id": "u-1", "task": name}
    assert rows["after tasks"].attributes == {"tenant": "acme", "user_id": "u-1"}
    assert rows["cleared"].model is None and rows["cleared"].attributes is None


def test_entries_carry_the_current_span(store: Store) -> None:
    tracer = LLMTracer(store=store)
    log = LLMLogger(store=store)
    trace_id = tracer.start_trace("request")
    span_id = tracer.start_span("llm call")
    log.info("inside")
    log.info("explicit", trace_id="4bf92f3577b34da6a3ce929d0e0e4736")
    tracer.end_span()
    tracer.end_span()
    log.info("outside")
    log.flush()

    rows = {row.message: row for row in stored_logs(store)}
    assert (rows["inside"].trace_id, rows["inside"].span_id) == (trace_id, span_id)
    # A span id of another trace would point at the wrong span: left empty.
    assert (rows["explicit"].trace_id, rows["explicit"].span_id) == (
        "4bf92f3577b34da6a3ce929d0e0e4736",
        None,
    )
    assert (rows["outside"].trace_id, rows["outside"].span_id) == (None, None)


def test_prompt_logger_truncates_with_an_exact_marker(store: Store) -> None:
    log = LLMLogger(level=LogLevel.DEBUG, store=store)
    prompts = PromptLogger(log, max_length=10)
    assert prompts.truncate("0123456789") == "0123456789"
    assert prompts.truncate("0123456789abcdef") == "0123456789… (6 chars truncated)"
    prompts.log_prompt("What is the capital of France?", model="gpt-4o")
    prompts.log_response("Paris.", model="gpt-4o", trace_id="4bf92f3577b34da6a3ce929d0e0e4736")
    PromptLogger(log, log_prompts=False, log_responses=False).log_prompt("hidden", "gpt-4o")
    PromptLogger(log, log_responses=False).log_response("hidden", "gpt-4o")
    log.flush()

    prompt, response = stored_logs(store)
    assert (prompt.message, prompt.level, prompt.model) == ("LLM prompt", "debug", "gpt-4o")
    assert prompt.attributes == {"prompt": "What is th… (20 chars truncated)"}
    assert response.attributes == {"response": "Paris."}
    assert response.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"


def test_entry_json_skips_empty_fields() -> None:
    entry = LLMLogEntry("2026-01-01T00:00:00+00:00", "info", "hi", model="m", attributes={"x": {1}})
    assert json.loads(entry.to_json()) == {
        "timestamp": "2026-01-01T00:00:00+00:00",
        "level": "info",
        "message": "hi",
        "model": "m",
        "attributes": {"x": "{1}"},
    }


def test_handler_stores_stdlib_records_with_their_span(
    store: Store, stdlib_logger: logging.Logger
) -> None:
    tracer = LLMTracer(store=store)
    handler = LLMObsLogHandler(store=store, service_name="api")
    stdlib_logger.addHandler(handler)
    stdlib_logger.setLevel(logging.DEBUG)
    trace_id = tracer.start_trace("request")
    stdlib_logger.info("retrieved %d documents", 4, extra={"index": "docs"})
    try:
        raise KeyError("missing")
    except KeyError:
        stdlib_logger.exception("lookup failed")
    tracer.end_span()
    stdlib_logger.log(25, "between info and warning")
    stdlib_logger.critical("disk full")
    stdlib_logger.debug("details")
    handler.flush()

    info, failure, custom, critical, debug = stored_logs(store)
    assert (info.message, info.level, info.logger_name) == (
        "retrieved 4 documents",
        "info",
        "tests.sdk.app",
    )
    assert (info.trace_id, info.service_name, info.severity_text) == (trace_id, "api", "INFO")
    assert info.span_id is not None and info.attributes["index"] == "docs"
    assert (
        info.attributes["code.function.name"]
        == "test_handler_stores_stdlib_records_with_their_span"
    )
    assert (failure.level, failure.error_type, failure.error_message) == (
        "error",
        "KeyError",
        "'missing'",
    )
    assert "KeyError: 'missing'" in failure.attributes["exception.stacktrace"]
    assert (custom.level, custom.trace_id) == ("info", None)
    assert (critical.level, critical.severity_number) == ("critical", 21)
    assert debug.level == "debug"


def test_llm_logger_entries_are_not_stored_twice(store: Store) -> None:
    handler = LLMObsLogHandler(store=store)
    llm_stdlib = logging.getLogger("llm.once")
    llm_stdlib.addHandler(handler)
    try:
        log = LLMLogger("llm.once", store=store)
        log.info("stored by the logger only")
        llm_stdlib.warning("plain record")
        log.flush()
        handler.flush()
    finally:
        llm_stdlib.removeHandler(handler)
    assert [row.message for row in stored_logs(store)] == [
        "stored by the logger only",
        "plain record",
    ]


def test_handler_never_raises(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    handler = LLMObsLogHandler(store=store)
    # Handled directly: pytest's own capture handler would raise on this record first.
    handler.handle(record("app", "%d items", ("many",)))
    assert "--- Logging error ---" in capsys.readouterr().err
    # The store's own loggers are never stored: that would feed the writer its own records.
    handler.handle(record("llmobs_store.ingest.batch_writer", "batch write failed"))
    handler.flush()
    assert count_rows(store, "logs") == 0

    store.close()
    handler.handle(record("app", "after close"))
    # The export failed: logged and counted, not raised.
    assert handler.num_failed_exports == 1
