"""Python column values to a checked Arrow table (``arrow_tables`` derives the schemas).

Free of SQLAlchemy and database drivers: the serving process builds the tables of the
columns its worker processes prepare.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from llmobs_store.errors import IngestRejected
from llmobs_store.ids import SPAN_ID_PATTERN, TRACE_ID_PATTERN

# Columns holding ids: the length in hex characters and the pattern every value must match.
_ID_COLUMNS = {
    "trace_id": (32, TRACE_ID_PATTERN),
    "span_id": (16, SPAN_ID_PATTERN),
    "parent_span_id": (16, SPAN_ID_PATTERN),
}


def table_from_columns(
    table_name: str,
    schema: pa.Schema,
    columns: Mapping[str, Sequence[Any]],
    *,
    check_ids: bool = True,
) -> pa.Table:
    """The Arrow table of ``columns`` (JSON columns as JSON text, timestamps as datetimes or
    integer microseconds since the epoch), checked before anything is queued.

    Raises ``IngestRejected`` naming the column when a value cannot be stored: a malformed id
    (unless ``check_ids`` is false: ids made from checked bytes), a missing required value,
    a value of the wrong type, or text that is not valid UTF-8.
    """
    arrays = []
    for fld in schema:
        try:
            array = pa.array(columns[fld.name], type=fld.type)
        except (pa.ArrowException, TypeError, ValueError, UnicodeError, OverflowError) as exc:
            raise IngestRejected(f"{table_name}.{fld.name}: {exc}", field=fld.name) from exc
        if not fld.nullable and array.null_count:
            raise IngestRejected(f"{table_name}.{fld.name} is required", field=fld.name)
        id_format = _ID_COLUMNS.get(fld.name) if check_ids else None
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
