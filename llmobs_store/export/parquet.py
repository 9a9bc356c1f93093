"""Parquet copies of llmobs tables, written batch by batch with pyarrow from streamed rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ColumnElement,
    Date,
    Double,
    Float,
    Integer,
    String,
    Table,
    Text,
    cast,
    select,
)

from llmobs_store.db.models import Base
from llmobs_store.db.types import UtcDateTime
from llmobs_store.errors import NotFound
from llmobs_store.store import Store

BATCH_ROWS = 50_000


def export_parquet(
    store: Store,
    table: str,
    sink: str | Path | BinaryIO,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    batch_rows: int = BATCH_ROWS,
) -> int:
    """Write the rows of ``table`` (those whose ``time_column`` is in [since, until)) to ``sink``.

    Returns the number of rows written. JSON columns are written as JSON text, timestamps as
    UTC microseconds; memory holds one batch of ``batch_rows`` at a time.

    >>> export_parquet(store, "spans", "spans.parquet", since=start)   # doctest: +SKIP
    120000

    DuckDB runs with file access switched off, so the file is written here, not by ``COPY``.
    """
    source = _table(table)
    schema = arrow_schema(source)
    stmt = select(*(_selected(col) for col in source.columns))
    if since is not None or until is not None:
        moment = source.c[time_column(table)]
        if since is not None:
            stmt = stmt.where(moment >= since)
        if until is not None:
            stmt = stmt.where(moment < until)
    num_rows = 0
    with store.connect() as conn, pq.ParquetWriter(sink, schema, compression="zstd") as writer:
        result = conn.execution_options(stream_results=True, yield_per=batch_rows).execute(stmt)
        for rows in result.partitions():
            columns = list(zip(*rows, strict=True))
            arrays = [
                pa.array(values, type=field.type)
                for values, field in zip(columns, schema, strict=True)
            ]
            writer.write_batch(pa.record_batch(arrays, schema=schema))
            num_rows += len(rows)
    return num_rows


def time_column(table: str) -> str:
    """The column a time range applies to: the table's first timestamp column."""
    for column in _table(table).columns:
        if isinstance(column.type, UtcDateTime):
            return column.name
    raise NotFound(f"table {table!r} has no time column")


def arrow_schema(table: Table) -> pa.Schema:
    """The Arrow schema ``export_parquet`` writes for ``table``, with its column comments."""
    return pa.schema(
        [
            pa.field(
                column.name,
                _arrow_type(column),
                nullable=column.nullable is not False,
                metadata={"comment": column.comment or ""},
            )
            for column in table.columns
        ]
    )


def _table(name: str) -> Table:
    try:
        return Base.metadata.tables[name]
    except KeyError:
        tables = ", ".join(sorted(Base.metadata.tables))
        raise NotFound(f"no table {name!r}; tables: {tables}") from None


def _selected(column: Column[Any]) -> ColumnElement[Any]:
    # Read JSON as its text: parsing it into Python only to serialise it again costs ~3x.
    if isinstance(column.type, JSON):
        return cast(column, Text).label(column.name)
    return column


def _arrow_type(column: Column[Any]) -> pa.DataType:
    kind = column.type
    if isinstance(kind, UtcDateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(kind, Date):
        return pa.date32()
    if isinstance(kind, Boolean):
        return pa.bool_()
    if isinstance(kind, BigInteger | Integer):
        return pa.int64()
    if isinstance(kind, Double | Float):
        return pa.float64()
    if isinstance(kind, String | Text | JSON):
        return pa.string()
    raise TypeError(f"no Parquet type for {column.table.name}.{column.name} ({kind!r})")
