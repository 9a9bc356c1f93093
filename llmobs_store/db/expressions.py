"""Portable SQL expressions compiled differently per dialect."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Double
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


class milliseconds_between(FunctionElement[float]):  # noqa: N801 - reads as a SQL function
    """``end - start`` in milliseconds as a double, for two timestamp expressions."""

    type = Double()
    inherit_cache = True
    name = "milliseconds_between"

    def __init__(self, start: ColumnElement[Any], end: ColumnElement[Any]) -> None:
        super().__init__(start, end)


@compiles(milliseconds_between, "duckdb")
def _ms_duckdb(element: milliseconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = element.clauses
    # date_diff counts whole microseconds without going through ICU's calendar arithmetic.
    return (
        f"(date_diff('microsecond', {compiler.process(start, **kw)}, "
        f"{compiler.process(end, **kw)}) / 1000.0)"
    )


@compiles(milliseconds_between)
def _ms_postgres(element: milliseconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = element.clauses
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) * 1000.0)"
    )


class epoch_seconds(FunctionElement[float]):  # noqa: N801 - reads as a SQL function
    """Seconds since 1970-01-01 UTC of a timestamp, as a double."""

    type = Double()
    inherit_cache = True
    name = "epoch_seconds"


@compiles(epoch_seconds, "duckdb")
def _epoch_duckdb(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    # Epoch arithmetic, not date_trunc: date_trunc on TIMESTAMPTZ goes through ICU (~10x slower).
    return f"epoch({compiler.process(element.clauses, **kw)})"


@compiles(epoch_seconds)
def _epoch_postgres(element: epoch_seconds, compiler: SQLCompiler, **kw: Any) -> str:
    return f"EXTRACT(EPOCH FROM {compiler.process(element.clauses, **kw)})"
