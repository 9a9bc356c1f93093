"""Engine set-up for both backends: UTC sessions, a bounded pool, DuckDB index reflection."""

from __future__ import annotations

import re
import types
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import QueuePool

from llmobs_store.errors import DatabaseLocked

_DUCKDB_LOCK_MESSAGE = re.compile(r"Could not set lock on file|Conflicting lock", re.IGNORECASE)


def is_duckdb(url: str | URL) -> bool:
    """True for ``duckdb:///…`` URLs."""
    return make_url(url).get_backend_name() == "duckdb"


def create_store_engine(
    url: str | URL,
    *,
    pool_size: int,
    duckdb_memory_limit_mb: int = 0,
    duckdb_checkpoint_mb: int = 0,
) -> Engine:
    """An engine whose every connection runs in UTC, with ``pool_size`` connections at most.

    DuckDB: each thread checks out its own connection from a ``QueuePool`` (a shared or
    static connection raises ``ResourceInUseException`` under threads and loses writes).
    ``duckdb_memory_limit_mb`` caps DuckDB's buffer pool (0: DuckDB's default, 80 % of RAM);
    ``duckdb_checkpoint_mb`` is the WAL size that triggers a checkpoint (0: DuckDB's 16 MB).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "duckdb":
        config = {}
        if duckdb_memory_limit_mb:
            config["memory_limit"] = f"{duckdb_memory_limit_mb}MB"
        if duckdb_checkpoint_mb:
            config["checkpoint_threshold"] = f"{duckdb_checkpoint_mb}MB"
        engine = create_engine(
            parsed,
            poolclass=QueuePool,
            pool_size=pool_size,
            max_overflow=0,
            connect_args={"config": config},
        )
        event.listen(engine, "connect", _configure_duckdb)
        _add_duckdb_index_reflection(engine)
        _check_duckdb_lock(engine, parsed)
        return engine
    # date_trunc and naive timestamps follow the session zone; pin it so results never drift.
    return create_engine(
        parsed,
        pool_size=pool_size,
        max_overflow=0,
        pool_pre_ping=True,
        connect_args={"options": "-c timezone=UTC"},
    )


def _configure_duckdb(dbapi_connection: Any, _record: Any) -> None:
    # The TimeZone setting needs ICU loaded, which it is only after connect (not in its config).
    dbapi_connection.execute("SET TimeZone = 'UTC'")
    # Nothing in llmobs reads or writes files through DuckDB (batches arrive as registered
    # Arrow tables), so file access, COPY, ATTACH, INSTALL and LOAD are switched off for the
    # whole database instance: the last line of defence behind the SQL console's allow-list.
    dbapi_connection.execute("SET enable_external_access = false")


def _check_duckdb_lock(engine: Engine, url: URL) -> None:
    """Open one connection now, so a file held by another process fails here, clearly."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        if _DUCKDB_LOCK_MESSAGE.search(str(exc.orig)):
            engine.dispose()
            raise DatabaseLocked(url.database or ":memory:", str(exc.orig).splitlines()[0]) from exc
        raise


def _add_duckdb_index_reflection(engine: Engine) -> None:
    """Teach this engine's dialect to reflect indexes from ``duckdb_indexes()``.

    duckdb-engine reflects none (and warns), which makes Alembic see every index as missing.
    The patch is bound to this engine's dialect instance only.
    """
    dialect = engine.dialect

    def get_indexes(
        self: Any, connection: Connection, table_name: str, schema: str | None = None, **kw: Any
    ) -> list[dict[str, Any]]:
        return _read_duckdb_indexes(connection, schema, [table_name]).get(table_name, [])

    def get_multi_indexes(
        self: Any,
        connection: Connection,
        schema: str | None = None,
        filter_names: Iterable[str] | None = None,
        **kw: Any,
    ) -> Iterable[tuple[tuple[str | None, str], list[dict[str, Any]]]]:
        found = _read_duckdb_indexes(connection, schema, filter_names)
        return [((schema, name), indexes) for name, indexes in found.items()]

    dialect.get_indexes = types.MethodType(get_indexes, dialect)  # type: ignore[method-assign]
    dialect.get_multi_indexes = types.MethodType(  # type: ignore[method-assign]
        get_multi_indexes, dialect
    )


def _read_duckdb_indexes(
    connection: Connection, schema: str | None, table_names: Iterable[str] | None
) -> dict[str, list[dict[str, Any]]]:
    rows = connection.execute(
        text(
            "SELECT table_name, index_name, is_unique, expressions FROM duckdb_indexes() "
            "WHERE schema_name = :schema AND database_name = current_database() "
            "ORDER BY table_name, index_name"
        ),
        {"schema": schema or "main"},
    ).all()
    wanted = None if table_names is None else set(table_names)
    found: dict[str, list[dict[str, Any]]] = {}
    for table_name, index_name, is_unique, expressions in rows:
        if wanted is not None and table_name not in wanted:
            continue
        # expressions reads like "[trace_id]" or "['\"time\"', model]".
        columns = [part.strip().strip("'\"") for part in expressions.strip("[]").split(",")]
        found.setdefault(table_name, []).append(
            {
                "name": index_name,
                "column_names": columns,
                "unique": bool(is_unique),
                "dialect_options": {},
            }
        )
    return found
