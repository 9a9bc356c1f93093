"""Runs one guarded query read-only, stopped at a time limit, with a capped number of rows."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from llmobs_store.errors import InvalidSql, QueryTimeout
from llmobs_store.sql.guard import check_read_only
from llmobs_store.store import Store


@dataclass(frozen=True)
class QueryResult:
    """Rows of an ad-hoc query; ``truncated`` is True when more rows existed than were kept."""

    columns: list[str]
    rows: list[tuple[Any, ...]]
    truncated: bool
    elapsed_ms: float


def run_query(
    store: Store,
    sql: str,
    params: Mapping[str, Any] | None = None,
    *,
    time_limit_ms: int | None = None,
    max_rows: int | None = None,
) -> QueryResult:
    """Run ``sql`` (one SELECT, ``:named`` parameters) in a read-only transaction.

    Layers: the sqlglot allow-list, a READ ONLY transaction on its own connection, a time
    limit (DuckDB ``interrupt()``, PostgreSQL ``statement_timeout``) and a row cap.
    """
    limit_ms = time_limit_ms or store.settings.sql_time_limit_ms
    cap = max_rows or store.settings.max_returned_rows
    check_read_only(sql, dialect=store.dialect_name)
    started = time.perf_counter()
    with store.connect() as conn:
        try:
            result = _execute(conn, sql, dict(params or {}), limit_ms, cap)
        except (DBAPIError, duckdb.Error) as exc:
            # Translate driver errors at the boundary: the user sees the database's own words.
            orig = exc.orig if isinstance(exc, DBAPIError) else exc
            message = str(orig).strip().splitlines()[0]
            if isinstance(orig, duckdb.InterruptException) or "statement timeout" in message:
                raise QueryTimeout(limit_ms) from exc
            raise InvalidSql(message) from exc
        finally:
            if conn.in_transaction():
                conn.rollback()
    columns, rows, truncated = result
    return QueryResult(columns, rows, truncated, (time.perf_counter() - started) * 1000)


def _execute(
    conn: Connection, sql: str, params: dict[str, Any], limit_ms: int, cap: int
) -> tuple[list[str], list[tuple[Any, ...]], bool]:
    if conn.dialect.name == "duckdb":
        return _execute_duckdb(conn, sql, params, limit_ms, cap)
    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    conn.execute(text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(limit_ms)})
    result = conn.execute(text(sql), params)
    fetched = result.fetchmany(cap + 1)
    return list(result.keys()), [tuple(r) for r in fetched[:cap]], len(fetched) > cap


def _execute_duckdb(
    conn: Connection, sql: str, params: dict[str, Any], limit_ms: int, cap: int
) -> tuple[list[str], list[tuple[Any, ...]], bool]:
    # A DuckDB transaction is read-only only if it begins so, and SQLAlchemy's autobegin
    # would open a normal one first: run on the driver connection, with SQLAlchemy only
    # turning :named parameters into DuckDB's positional $n ones.
    compiled = text(sql).compile(dialect=conn.dialect)
    bound = compiled.construct_params(params)
    positional = [bound[name] for name in compiled.positiontup or []]
    raw: Any = conn.connection.driver_connection
    raw.execute("BEGIN TRANSACTION READ ONLY")
    timer = threading.Timer(limit_ms / 1000, raw.interrupt)
    timer.start()
    try:
        cursor = raw.execute(compiled.string, positional)
        columns = [d[0] for d in cursor.description or []]
        fetched = cursor.fetchmany(cap + 1)
    finally:
        timer.cancel()
        raw.execute("ROLLBACK")
    return columns, [tuple(r) for r in fetched[:cap]], len(fetched) > cap
