"""Named grouping dimensions of spans: columns, user labels and any attribute key."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, SQLColumnExpression, Text, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from llmobs_store.db.spans import Span

# Dimension names that are plain columns of ``spans``.
_COLUMNS: dict[str, InstrumentedAttribute[Any]] = {
    "model": Span.model,
    "provider": Span.provider,
    "service": Span.service_name,
    "span_type": Span.span_type,
    "operation": Span.operation,
    "status": Span.status,
    "user": Span.user_id,
    "session": Span.session_id,
    "request_model": Span.request_model,
    "error_type": Span.error_type,
}
ATTRIBUTE_PREFIX = "attr:"
METADATA_PREFIX = "meta:"
# The tenant is a user label (metadata.tenant), asked for often enough to have a short name.
TENANT_KEY = "tenant"


class json_text(FunctionElement[str]):  # noqa: N801 - reads as a SQL function
    """The value under one top-level ``key`` of a JSON column as text (NULL when absent)."""

    type = Text()
    inherit_cache = True
    name = "json_text"

    def __init__(self, column: SQLColumnExpression[Any], key: str) -> None:
        if not key or '"' in key:
            raise ValueError(f"invalid JSON key {key!r}: it must be non-empty, without '\"'")
        # The key travels as a bound parameter; DuckDB gets a quoted JSONPath so that keys
        # starting with '$' or '/' are not read as a path or a JSON pointer.
        self.key = key
        super().__init__(column, literal(key, Text()), literal(f'$."{key}"', Text()))


@compiles(json_text, "duckdb")
def _json_text_duckdb(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    column, _, path = element.clauses
    return f"({compiler.process(column, **kw)} ->> {compiler.process(path, **kw)})"


@compiles(json_text)
def _json_text_default(element: json_text, compiler: SQLCompiler, **kw: Any) -> str:
    # A chain of -> / ->> works on both dialects; the #> path operator fails on DuckDB.
    column, key, _ = element.clauses
    return f"({compiler.process(column, **kw)} ->> {compiler.process(key, **kw)})"


def dimension_column(name: str) -> ColumnElement[Any]:
    """The SQL expression of dimension ``name``, labelled for result sets.

    ``name`` is one of model, provider, service, span_type, operation, status, user, session,
    tenant, request_model, error_type, or ``attr:<key>`` (an attribute of the span as sent) or
    ``meta:<key>`` (a user label such as ``meta:feature``). Raises ``ValueError`` otherwise.
    """
    return _expression(name).label(dimension_label(name))


def dimension_label(name: str) -> str:
    """A column name for dimension ``name`` in a result set (``attr:a.b`` → ``attr_a_b``)."""
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name)


def _expression(name: str) -> ColumnElement[Any]:
    if name in _COLUMNS:
        return _COLUMNS[name].expression
    if name == TENANT_KEY:
        return json_text(Span.metadata_, TENANT_KEY)
    if name.startswith(ATTRIBUTE_PREFIX):
        return json_text(Span.attributes, name.removeprefix(ATTRIBUTE_PREFIX))
    if name.startswith(METADATA_PREFIX):
        return json_text(Span.metadata_, name.removeprefix(METADATA_PREFIX))
    known = ", ".join([*_COLUMNS, TENANT_KEY, "attr:<key>", "meta:<key>"])
    raise ValueError(f"unknown dimension {name!r}; use one of {known}")


def dimension_expression(name: str) -> ColumnElement[Any]:
    """The unlabelled SQL expression of dimension ``name`` (for WHERE clauses)."""
    return _expression(name)
