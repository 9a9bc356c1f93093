"""Records to Arrow tables shaped like their database tables, validated column by column.

Conversion runs on the submitting thread, so the single writer thread only concatenates
ready columns and hands them to the database.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from functools import cache
from operator import attrgetter
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import BigInteger, Boolean, Double, Integer, Table
from sqlalchemy.types import JSON, TypeEngine

from llmobs_store.db.models import Base
from llmobs_store.db.types import UtcDateTime
from llmobs_store.errors import IngestRejected
from llmobs_store.ids import SPAN_ID_PATTERN, TRACE_ID_PATTERN
from llmobs_store.ingest.records import Record

# Columns holding ids: the length in hex characters and the pattern every value must match.
_ID_COLUMNS = {
    "trace_id": (32, TRACE_ID_PATTERN),
    "span_id": (16, SPAN_ID_PATTERN),
    "parent_span_id": (16, SPAN_ID_PATTERN),
}


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
    schema = write_schema(table_name)
    json_columns = _json_columns(table_name)
    arrays = []
    for fld in schema:
        values = list(map(attrgetter(fld.name), records))
        if fld.name in json_columns:
            values = [None if v is None else dump_json(v) for v in values]
        try:
            array = pa.array(values, type=fld.type)
        except (pa.ArrowException, TypeError, ValueError, UnicodeError, OverflowError) as exc:
            raise IngestRejected(f"{table_name}.{fld.name}: {exc}", field=fld.name) from exc
        if not fld.nullable and array.null_count:
            raise IngestRejected(f"{table_name}.{fld.name} is required", field=fld.name)
        id_format = _ID_COLUMNS.get(fld.name)
        if id_format is not None:
            _check_ids(table_name, fld.name, array, *id_format)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, schema=schema)


def _check_ids(table_name: str, column: str, array: pa.Array, length: int, pattern: str) -> None:
    ok = pc.and_(pc.match_substring_regex(array, pattern), pc.not_equal(array, "0" * length))
    bad = pc.invert(ok.fill_null(True))
    if pc.any(bad).as_py():
        first = array.filter(bad)[0].as_py()
        raise IngestRejected(
            f"{table_name}.{column}: {first!r} is not an id of {length} lowercase hex "
            "characters (and not all zeros)",
            field=column,
        )


_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS
# The fallback for what orjson refuses (integers beyond 64 bits): one encoder for every call,
# since json.dumps builds a new one per call when given options.
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=str).encode


def dump_json(value: Any) -> str:
    """Compact JSON text of ``value``.

    orjson is ~5x faster than the standard library here, which matters at 100k spans/s.
    JSON has no NaN or infinity: such numbers become null (as JSON.stringify does).
    Objects JSON cannot hold (bytes, dates) are stored as their ``str()``.
    """
    try:
        return orjson.dumps(value, default=str, option=_ORJSON_OPTIONS).decode()
    except TypeError:
        return _encode(_finite(value))


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
