"""Records to Arrow tables shaped like their database tables, validated column by column.

Conversion runs on the submitting thread, so the single writer thread only concatenates
ready columns and hands them to the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from operator import attrgetter
from typing import Any

import pyarrow as pa
from sqlalchemy import BigInteger, Boolean, Double, Integer, Table
from sqlalchemy.types import JSON, TypeEngine

from llmobs_store.db.models import Base
from llmobs_store.db.types import UtcDateTime
from llmobs_store.ingest.arrow_columns import table_from_columns
from llmobs_store.ingest.json_text import dump_json
from llmobs_store.ingest.records import Record


def arrow_type(sql_type: TypeEngine[Any]) -> pa.DataType:
    """The Arrow type a column of ``sql_type`` is written from (JSON travels as text)."""
    if isinstance(sql_type, UtcDateTime):
        return pa.timestamp("us", tz="UTC")
    if isinstance(sql_type, BigInteger):
        return pa.int64()
    if isinstance(sql_type, Integer):
        return pa.int32()
    if isinstance(sql_type, Double):
        return pa.float64()
    if isinstance(sql_type, Boolean):
        return pa.bool_()
    return pa.string()


@cache
def write_schema(table_name: str) -> pa.Schema:
    """Arrow schema of what llmobs writes to ``table_name`` (ids the database fills left out)."""
    table = table_of(table_name)
    return pa.schema(
        [
            pa.field(col.name, arrow_type(col.type), nullable=col.nullable is not False)
            for col in table.columns
            if col.server_default is None
        ]
    )


def table_of(table_name: str) -> Table:
    """The SQLAlchemy ``Table`` called ``table_name``."""
    return Base.metadata.tables[table_name]


@cache
def _json_columns(table_name: str) -> frozenset[str]:
    return frozenset(col.name for col in table_of(table_name).columns if isinstance(col.type, JSON))


def to_arrow(table_name: str, records: Sequence[Record]) -> pa.Table:
    """One Arrow table of ``records`` (all of one type), checked before anything is queued.

    Raises ``IngestRejected`` naming the column when a value cannot be stored: a malformed id,
    a missing required value, a value of the wrong type, or text that is not valid UTF-8.
    """
    json_columns = _json_columns(table_name)
    columns: dict[str, Sequence[Any]] = {}
    for fld in write_schema(table_name):
        values = list(map(attrgetter(fld.name), records))
        if fld.name in json_columns:
            values = [None if v is None else dump_json(v) for v in values]
        columns[fld.name] = values
    return table_from_columns(table_name, write_schema(table_name), columns)


__all__ = ["arrow_type", "dump_json", "table_of", "to_arrow", "write_schema"]
