"""Bulk writes of Arrow batches, one implementation per backend, inside the caller's transaction.

DuckDB takes the Arrow table natively (``INSERT … SELECT`` from a registered view);
PostgreSQL takes it through ``COPY`` as CSV rendered by Arrow's C++ writer.
"""

from __future__ import annotations

import io
from typing import Any, Protocol

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from sqlalchemy import Connection, Table, column, insert, select, table
from sqlalchemy.dialects.postgresql import insert as pg_insert

from llmobs_store.db.models import Span
from llmobs_store.ingest.arrow_tables import table_of, write_schema
from llmobs_store.ingest.metric_series import latest_cumulative, write_points
from llmobs_store.ingest.trace_summary import SOURCE_COLUMNS, insert_summaries, upsert_summaries

# Above this many distinct trace ids, probing the trace_id index id by id (~27 µs each) costs
# more than one hash join over the spans table (~20 ms per million rows), measured here.
_MAX_INDEX_PROBES = 1_000


# The span columns commit listeners (e.g. the Prometheus exposition) get for stored spans.
STORED_SPAN_COLUMNS = (
    *SOURCE_COLUMNS,
    "kind",
    "provider",
    "model",
    "duration_ms",
    "ttft_ms",
    "cache_read_tokens",
    "cache_write_tokens",
    "reasoning_tokens",
)


class Sink(Protocol):
    """Writes one flush worth of rows; the caller owns the transaction."""

    def write(
        self, conn: Connection, batches: dict[str, pa.Table], *, want_stored: bool = True
    ) -> dict[str, pa.Table]:
        """Store ``batches`` (table name → rows), skipping spans whose key is already stored.

        Returns what was really stored: spans without the skipped duplicates (only the
        ``STORED_SPAN_COLUMNS``), other tables as given. With ``want_stored`` false (nobody
        listens) the spans returned may include duplicates, which spares PostgreSQL a fetch.
        """
        ...


def sink_for(dialect_name: str) -> Sink:
    """The sink for a dialect name (``duckdb`` or ``postgresql``)."""
    return DuckDBSink() if dialect_name == "duckdb" else PostgresSink()


class DuckDBSink:
    """Arrow in, columns out: duplicates are removed in Arrow, then one ``INSERT … SELECT``."""

    def __init__(self) -> None:
        # The statements only depend on the table and its columns: compiled once, they save
        # the writer thread a few milliseconds of Python (and the GIL) on every commit.
        self._statements: dict[tuple[str, tuple[str, ...], bool], list[str]] = {}
        # A trace has a summary row exactly when it has stored spans (both are written and
        # pruned together), so a batch whose traces have no stored span only adds summaries:
        # a plain INSERT costs half the upsert. Should a summary exist without spans after
        # all, that INSERT fails, and from then on (the writer retries) the upsert is used.
        self._plain_summaries = True

    def write(
        self, conn: Connection, batches: dict[str, pa.Table], *, want_stored: bool = True
    ) -> dict[str, pa.Table]:
        raw: Any = conn.connection.driver_connection
        stored: dict[str, pa.Table] = {}
        continuing = True
        for name, rows in batches.items():
            if name == "spans":
                rows, continuing = self._new_spans(raw, rows)
                stored[name] = rows.select(STORED_SPAN_COLUMNS)
            else:
                if name == "metric_points":
                    rows = latest_cumulative(rows)
                stored[name] = rows
            if not rows.num_rows:
                continue
            view = f"_llmobs_batch_{name}"
            raw.register(view, rows)
            try:
                source = table(view, *[column(n) for n in rows.column_names])
                if name == "metric_points":
                    write_points(conn, source, rows.column_names)
                    continue
                upsert = continuing or not self._plain_summaries
                for sql in self._insert_statements(conn, name, view, rows.column_names, upsert):
                    try:
                        raw.execute(sql)
                    except duckdb.ConstraintException:
                        if not upsert and sql.startswith("INSERT INTO traces"):
                            self._plain_summaries = False
                        raise
            finally:
                raw.unregister(view)
        return stored

    def _insert_statements(
        self, conn: Connection, name: str, view: str, columns: list[str], upsert: bool
    ) -> list[str]:
        key = (name, tuple(columns), upsert)
        if key not in self._statements:
            source = table(view, *[column(n) for n in columns])
            statements: list[Any] = [insert(table_of(name)).from_select(columns, select(source))]
            if name == "spans":
                spans = table(view, *map(column, SOURCE_COLUMNS))
                statements.append(upsert_summaries(spans) if upsert else insert_summaries(spans))
            self._statements[key] = [
                str(s.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
                for s in statements
            ]
        return self._statements[key]

    def _new_spans(self, raw: object, spans: pa.Table) -> tuple[pa.Table, bool]:
        """``spans`` without repeats of a key within the batch or of a key already stored,
        and whether any of their traces has spans stored already."""
        keys = pc.binary_join_element_wise(spans["trace_id"], spans["span_id"], "")
        if pc.count_distinct(keys).as_py() != spans.num_rows:
            first = (
                pa.table({"key": keys, "row": pa.array(range(spans.num_rows), pa.int64())})
                .group_by("key", use_threads=False)
                .aggregate([("row", "min")])["row_min"]
            )
            spans = spans.take(pc.sort_indices(first))
            keys = pc.binary_join_element_wise(spans["trace_id"], spans["span_id"], "")
        stored = self._stored_keys(raw, pc.unique(spans["trace_id"]))
        if len(stored) == 0:
            return spans, False
        return spans.filter(pc.invert(pc.is_in(keys, value_set=stored))), True

    def _stored_keys(self, raw: object, trace_ids: pa.Array) -> pa.Array:
        execute = raw.execute  # type: ignore[attr-defined]
        if len(trace_ids) <= _MAX_INDEX_PROBES:
            # Bound parameters still let DuckDB use the ART index on trace_id.
            placeholders = ", ".join("?" * len(trace_ids))
            rows = execute(
                f"SELECT trace_id || span_id FROM spans WHERE trace_id IN ({placeholders})",
                trace_ids.to_pylist(),
            ).fetchall()
        else:
            raw.register("_llmobs_trace_ids", pa.table({"trace_id": trace_ids}))  # type: ignore[attr-defined]
            try:
                rows = execute(
                    "SELECT s.trace_id || s.span_id FROM spans s "
                    "WHERE s.trace_id IN (SELECT trace_id FROM _llmobs_trace_ids)"
                ).fetchall()
            finally:
                raw.unregister("_llmobs_trace_ids")  # type: ignore[attr-defined]
        return pa.array([r[0] for r in rows], pa.string())


class PostgresSink:
    """``COPY`` into a temporary table, then one statement inserts new spans and summarises them.

    The unique index on (trace_id, span_id) settles races between collector processes:
    ``ON CONFLICT DO NOTHING`` skips what another process stored first, and only the rows
    really inserted (``RETURNING``) reach the trace summary.
    """

    def write(
        self, conn: Connection, batches: dict[str, pa.Table], *, want_stored: bool = True
    ) -> dict[str, pa.Table]:
        stored: dict[str, pa.Table] = {}
        for name, rows in batches.items():
            stored[name] = rows
            if not rows.num_rows:
                continue
            if name == "metric_points":
                stored[name] = rows = latest_cumulative(rows)
                self._stage(conn, "_llmobs_points_in", "metric_points", rows)
                staged = table("_llmobs_points_in", *[column(n) for n in rows.column_names])
                write_points(conn, staged, rows.column_names)
                continue
            if name != "spans":
                self._copy(conn, name, rows)
                continue
            self._stage(conn, "_llmobs_spans_in", "spans", rows)
            staged = table("_llmobs_spans_in", *[column(n) for n in rows.column_names])
            spans: Table = Span.__table__  # type: ignore[assignment]
            inserted = (
                pg_insert(spans)
                .from_select(rows.column_names, select(staged))
                .on_conflict_do_nothing(index_elements=["trace_id", "span_id"])
                .returning(*[spans.c[n] for n in STORED_SPAN_COLUMNS])
                .cte("inserted")
            )
            if not want_stored:
                conn.execute(upsert_summaries(inserted).add_cte(inserted))
                stored[name] = rows.select(STORED_SPAN_COLUMNS)
                continue
            # Fetching the inserted rows back costs ~30 % of the COPY path's throughput.
            summarised = upsert_summaries(inserted).cte("summarised")
            result = conn.execute(select(inserted).add_cte(summarised))
            columns = list(zip(*result.all(), strict=False)) or [()] * len(STORED_SPAN_COLUMNS)
            schema = pa.schema([write_schema("spans").field(n) for n in STORED_SPAN_COLUMNS])
            stored[name] = pa.Table.from_arrays(
                [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)],
                schema=schema,
            )
        return stored

    def _stage(self, conn: Connection, staging: str, like: str, rows: pa.Table) -> None:
        """``COPY`` ``rows`` into a per-session temporary copy of table ``like``."""
        conn.exec_driver_sql(
            f"CREATE TEMP TABLE IF NOT EXISTS {staging} "
            f"(LIKE {like} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        self._copy(conn, staging, rows)

    def _copy(self, conn: Connection, table_name: str, rows: pa.Table) -> None:
        buffer = io.BytesIO()
        # Arrow quotes every string and leaves nulls bare, which is exactly how PostgreSQL's
        # CSV format tells NULL from the empty string.
        pa_csv.write_csv(rows, buffer, pa_csv.WriteOptions(include_header=False))
        columns = ", ".join(f'"{n}"' for n in rows.column_names)
        raw = conn.connection.driver_connection
        with raw.cursor() as cursor:  # type: ignore[union-attr]
            with cursor.copy(f"COPY {table_name} ({columns}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getbuffer())
