"""Runs one guarded query read-only, stopped at a time limit, with a capped number of rows."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, InvalidRequestError, StatementError

from llmobs_store.errors import InvalidSql, QueryTimeout
from llmobs_store.sql.guard import check_read_only
from llmobs_store.store import Store

# SQLSTATE query_canceled: PostgreSQL's answer when statement_timeout stops a query.
_PG_QUERY_CANCELED = "57014"


@dataclass(frozen=True)
class QueryResult:
    """Rows of an ad-hoc query; ``truncated`` is True when more rows existed than were kept.

    >>> result = run_query(store, "SELECT model FROM spans WHERE user_id = :u", {"u": "u-1"})
    ... # doctest: +SKIP
    """

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
    limit (DuckDB ``interrupt()``, PostgreSQL ``statement_timeout``) and a row cap. Raises
    ``InvalidSql`` (refused, or the database's own error) and ``QueryTimeout``.
    """
    limit_ms = time_limit_ms or store.settings.sql_time_limit_ms
    cap = max_rows or store.settings.max_returned_rows
    if cap < 1 or limit_ms < 1:
        raise InvalidSql("max_rows and the time limit must be positive")
    check_read_only(sql, dialect=store.dialect_name)
    started = time.perf_counter()
    with store.connect() as conn:
        try:
            result = _execute(conn, sql, dict(params or {}), limit_ms, cap)
        except _Interrupted as exc:
            # The interrupt may land after the query ended and linger on the connection:
            # drop it rather than hand a possibly interrupted connection to the next caller.
            conn.invalidate()
            if exc.result is None:
                raise QueryTimeout(limit_ms) from exc.__cause__
            result = exc.result
        except StatementError as exc:
            if isinstance(exc, DBAPIError):
                raise _translate(exc.orig, limit_ms) from exc
            # A :name in the text with no value given (SQLAlchemy's own check).
            raise InvalidSql(f"{exc.orig}; pass it as a parameter") from exc
        except InvalidRequestError as exc:
            raise InvalidSql(f"{exc}; pass it as a parameter") from exc
        except duckdb.Error as exc:
            raise _translate(exc, limit_ms) from exc
        finally:
            if not conn.invalidated and conn.in_transaction():
                conn.rollback()
    columns, rows, truncated = result
    return QueryResult(columns, rows, truncated, (time.perf_counter() - started) * 1000)


def _translate(orig: BaseException | None, limit_ms: int) -> InvalidSql | QueryTimeout:
    """Driver errors become typed ones; the user sees the database's own words."""
    if getattr(orig, "sqlstate", None) == _PG_QUERY_CANCELED:
        return QueryTimeout(limit_ms)
    lines = str(orig).strip().splitlines()
    return InvalidSql(lines[0] if lines else type(orig).__name__)


_Rows = tuple[list[str], list[tuple[Any, ...]], bool]


class _Interrupted(Exception):
    """The DuckDB timer fired; ``result`` holds the rows if the query finished regardless."""

    def __init__(self, result: _Rows | None) -> None:
        super().__init__("interrupted")
        self.result = result


def _execute(conn: Connection, sql: str, params: dict[str, Any], limit_ms: int, cap: int) -> _Rows:
    if conn.dialect.name == "duckdb":
        return _execute_duckdb(conn, sql, params, limit_ms, cap)
    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
    conn.execute(text("SELECT set_config('statement_timeout', :ms, true)"), {"ms": str(limit_ms)})
    # A server-side cursor: only the rows kept (plus one, to detect truncation) cross the wire,
    # where psycopg's default cursor would load the whole answer into memory first.
    statement = text(sql).execution_options(stream_results=True, max_row_buffer=cap + 1)
    result = conn.execute(statement, params)
    try:
        fetched = result.fetchmany(cap + 1)
        columns = list(result.keys())
    finally:
        result.close()
    return columns, [tuple(r) for r in fetched[:cap]], len(fetched) > cap


def _execute_duckdb(
    conn: Connection, sql: str, params: dict[str, Any], limit_ms: int, cap: int
) -> _Rows:
    # A DuckDB transaction is read-only only if it begins so, and SQLAlchemy's autobegin
    # would open a normal one first: run on the driver connection, with SQLAlchemy only
    # turning :named parameters into DuckDB's positional $n ones. DuckDB streams results,
    # so fetching cap + 1 rows does not compute the rest.
    compiled = text(sql).compile(dialect=conn.dialect)
    bound = compiled.construct_params(params)
    positional = [bound[name] for name in compiled.positiontup or []]
    raw: Any = conn.connection.driver_connection
    fired = threading.Event()

    def interrupt() -> None:
        fired.set()
        raw.interrupt()

    raw.execute("BEGIN TRANSACTION READ ONLY")
    timer = threading.Timer(limit_ms / 1000, interrupt)
    timer.start()
    result: _Rows | None = None
    error: duckdb.Error | None = None
    try:
        cursor = raw.execute(compiled.string, positional)
        columns = [d[0] for d in cursor.description or []]
        fetched = cursor.fetchmany(cap + 1)
        result = columns, [tuple(r) for r in fetched[:cap]], len(fetched) > cap
    except duckdb.Error as exc:
        error = exc
    finally:
        timer.cancel()
        timer.join()
    if fired.is_set():
        raise _Interrupted(result) from error
    raw.execute("ROLLBACK")
    if error is not None:
        raise error
    assert result is not None
    return result
