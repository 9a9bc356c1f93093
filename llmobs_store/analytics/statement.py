"""Analytics statements as runnable SQL text, parameters inlined, for "show SQL"."""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ClauseElement
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler

from llmobs_store.db.types import as_utc

_COMPILERS: dict[type[SQLCompiler], type[SQLCompiler]] = {}


def render_sql(statement: ClauseElement, dialect: Dialect) -> str:
    """``statement`` as one SQL text for ``dialect`` with every parameter written as a literal.

    The text passes the SQL console's read-only guard and gives the same rows there. Datetimes
    become ``TIMESTAMPTZ '… +00:00'`` literals, strings are quoted by doubling ``'`` (standard
    conforming strings: both DuckDB and PostgreSQL read backslashes literally).

    >>> render_sql(latency_percentiles_statement(SpanFilter()), conn.dialect)  # doctest: +SKIP
    """
    compiler_class = _literal_compiler(dialect.statement_compiler)
    compiled = compiler_class(dialect, statement, compile_kwargs={"literal_binds": True})
    return str(compiled)


def sql_literal(value: Any) -> str:
    """One Python value as a SQL literal both DuckDB and PostgreSQL read the same way."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"no SQL literal for {value!r}")
        return repr(value)
    if isinstance(value, datetime):
        return f"TIMESTAMPTZ '{as_utc(value).isoformat(sep=' ')}'"
    if isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise ValueError(f"no SQL literal for a {type(value).__name__}")


def _literal_compiler(base: type[SQLCompiler]) -> type[SQLCompiler]:
    if base not in _COMPILERS:

        class LiteralCompiler(base):  # type: ignore[valid-type, misc]
            def render_literal_value(self, value: Any, type_: Any) -> str:
                return sql_literal(value)

        _COMPILERS[base] = LiteralCompiler
    return _COMPILERS[base]
