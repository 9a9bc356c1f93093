"""Read-path benchmark: the analytics questions at 100k and 10M spans against portable SQL.

    python bench/bench_queries.py                    # 100k and 10M spans (files reused)
    python bench/bench_queries.py --sizes 100000 --regenerate

Spans are generated natively in DuckDB by ``query_data`` (INSERT … SELECT over range(), the
same data every run) into bench/out/, and reused. Each question runs through the llmobs
library and, as the baseline, as the portable SQL a first version would write
(``percentile_cont … WITHIN GROUP``, ``date_trunc``, a trace list aggregated from spans, a
trace read by a scan). Cold is the first run in a newly opened store (DuckDB's buffer pool
empty; the OS file cache is not dropped); warm runs alternate llmobs and baseline, so load
from other processes slows both alike, and their medians give the ratio.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
from query_data import END, FILTER_MODEL, START, generate
from sqlalchemy import Connection, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from llmobs_store.analytics import (
    SpanFilter,
    TraceFilters,
    get_trace,
    latency_percentiles,
    list_trace_spans,
    list_traces,
    rolling_error_rate,
    usage,
)
from llmobs_store.config import Settings
from llmobs_store.db.spans import Span
from llmobs_store.export import stream_cost_csv
from llmobs_store.store import Store

OUT = Path(__file__).resolve().parent / "out"
MONTH = SpanFilter(since=START, until=END, span_type="llm")
Runner = Callable[[Connection, Store], object]
# The ORM baseline loads every LLM span as an object: only run on the small file.
ORM_MAX_SPANS = 1_000_000


# --- the questions: (llmobs library call, portable baseline) ----------------------------------
def lib_percentiles(conn: Connection, _: Store) -> object:
    return latency_percentiles(conn, MONTH, group_by=["model"])


def lib_percentiles_hourly(conn: Connection, _: Store) -> object:
    return latency_percentiles(conn, MONTH, group_by=["model"], bucket="hour")


def lib_usage_daily(conn: Connection, _: Store) -> object:
    return usage(conn, MONTH, group_by=["model"], bucket="day")


def lib_error_rate(conn: Connection, _: Store) -> object:
    last_day = SpanFilter(since=END - timedelta(days=1), until=END)
    return rolling_error_rate(conn, last_day, window=timedelta(minutes=5), step="minute")


def lib_trace(conn: Connection, trace_id: str) -> object:
    """The trace view's read: summary, spans as a tree, logs, links, the session's traces."""
    return get_trace(conn, trace_id)


def lib_trace_spans(conn: Connection, trace_id: str) -> object:
    """Only the spans of the trace."""
    return list_trace_spans(conn, trace_id)


def lib_trace_page(conn: Connection, _: Store) -> object:
    page = list_traces(conn, TraceFilters(model=FILTER_MODEL), limit=50)
    assert len(page.rows) == 50
    return page


def lib_cost_csv(_: Connection, store: Store) -> object:
    return b"".join(stream_cost_csv(store, "model,day", since=START, until=END))


RANGE = "start_time >= :since AND start_time < :until"
PERCENTILES = ", ".join(
    f"percentile_cont({q}) WITHIN GROUP (ORDER BY duration_ms)" for q in (0.5, 0.9, 0.95, 0.99)
)
BASELINE_SQL = {
    "percentiles": f"SELECT model, count(*), {PERCENTILES} FROM spans "
    f"WHERE span_type = 'llm' AND {RANGE} GROUP BY model ORDER BY model",
    "percentiles_hourly": f"SELECT model, date_trunc('hour', start_time) AS h, count(*), "
    f"{PERCENTILES} FROM spans WHERE span_type = 'llm' AND {RANGE} GROUP BY 1, 2 ORDER BY 1, 2",
    "usage_daily": "SELECT model, date_trunc('day', start_time), count(*), "
    "count(*) FILTER (WHERE status = 'error'), sum(input_tokens), sum(output_tokens), "
    "sum(cache_read_tokens), sum(reasoning_tokens), sum(cost_usd), count(cost_usd) "
    f"FROM spans WHERE span_type = 'llm' AND {RANGE} GROUP BY 1, 2 ORDER BY 1, 2",
    "error_rate": "SELECT m, sum(n) OVER w, sum(e) OVER w FROM (SELECT date_trunc('minute', "
    "start_time) AS m, count(*) AS n, count(*) FILTER (WHERE status = 'error') AS e "
    "FROM spans WHERE start_time >= :day_ago - INTERVAL 4 MINUTE AND start_time < :until "
    "GROUP BY 1) WINDOW w AS (ORDER BY m RANGE BETWEEN INTERVAL 4 MINUTE PRECEDING "
    "AND CURRENT ROW) ORDER BY m",
    # ``lower(trace_id)`` cannot use the ART index: the read by scan (``trace_id || ''`` can:
    # DuckDB folds it away).
    "trace": "SELECT * FROM spans WHERE lower(trace_id) = :trace_id ORDER BY start_time",
    "trace_spans": "SELECT * FROM spans WHERE lower(trace_id) = :trace_id ORDER BY start_time",
    "trace_page": "SELECT trace_id, min(start_time) AS start, max(end_time), count(*), "
    "sum(cost_usd), count(*) FILTER (WHERE status = 'error') FROM spans GROUP BY trace_id "
    "HAVING bool_or(model = :model) ORDER BY start DESC LIMIT 50",
}


def baseline(name: str, trace_id: str) -> Runner:
    """The portable SQL of question ``name`` (the cost CSV: date_trunc SQL + csv.writer)."""
    params: dict[str, object] = {"since": START, "until": END, "day_ago": END - timedelta(days=1)}
    params |= {"trace_id": trace_id, "model": FILTER_MODEL}

    def run(conn: Connection, _: Store) -> object:
        if name == "percentiles_orm":
            return orm_percentiles(conn)
        if name == "cost_csv":
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerows(conn.execute(text(BASELINE_SQL["usage_daily"]), params))
            return out.getvalue()
        return conn.execute(text(BASELINE_SQL[name]), params).all()

    return run


def orm_percentiles(conn: Connection) -> dict[str | None, list[float]]:
    """p50/p90/p95/p99 per model computed in Python over ORM-loaded spans (numpy)."""
    found: dict[str | None, list[float]] = {}
    with Session(conn) as session:
        llm = select(Span).where(Span.span_type == "llm", *MONTH.clauses())
        for span in session.scalars(llm):
            found.setdefault(span.model, []).append(span.duration_ms)
    return {m: list(np.percentile(v, [50, 90, 95, 99])) for m, v in found.items()}


def time_it(url: str, runs: list[Runner], repeats: int, memory_mb: int) -> list[dict[str, float]]:
    """Per runner: cold (first run in a newly opened store) and the median of warm runs, ms.

    The warm runs alternate between the runners, so a busy machine slows them alike.
    """
    settings = Settings(duckdb_memory_limit_mb=memory_mb)
    cold = []
    for run in runs:
        with Store.open(url, settings=settings) as store, store.connect() as conn:
            cold.append(_elapsed_ms(run, conn, store))
    warm: list[list[float]] = [[] for _ in runs]
    with Store.open(url, settings=settings) as store, store.connect() as conn:
        for _ in range(repeats):
            for times, run in zip(warm, runs, strict=True):
                times.append(_elapsed_ms(run, conn, store))
    return [
        {"cold_ms": round(c, 1), "median_ms": round(statistics.median(w), 1)}
        for c, w in zip(cold, warm, strict=True)
    ]


def _elapsed_ms(run: Runner, conn: Connection, store: Store) -> float:
    started = time.perf_counter()
    run(conn, store)
    return (time.perf_counter() - started) * 1000


def compare(url: str, ours: Runner, base: Runner, repeats: int) -> dict[str, Any]:
    """llmobs in the store's default memory against the baseline in the same memory.

    When the baseline runs out of that memory, both run again in 1 GiB for the ratio.
    """
    memory_mb = Settings().duckdb_memory_limit_mb
    row: dict[str, Any] = {}
    try:
        mine, theirs = time_it(url, [ours, base], repeats, memory_mb)
    except OperationalError as exc:
        if "Out of Memory" not in str(exc):
            raise
        (mine,) = time_it(url, [ours], repeats, memory_mb)
        row["baseline_out_of_memory_mb"] = memory_mb
        memory_mb = 1_024
        mine_1g, theirs = time_it(url, [ours, base], repeats, memory_mb)
        row |= {f"llmobs_{memory_mb}mb_{k}": v for k, v in mine_1g.items()}
    row |= {f"llmobs_{k}": v for k, v in mine.items()}
    row |= {f"baseline_{k}": v for k, v in theirs.items()}
    same_memory = row.get(f"llmobs_{memory_mb}mb_median_ms", mine["median_ms"])
    row["ratio"] = round(theirs["median_ms"] / max(same_memory, 0.01), 1)
    row["ratio_memory_mb"] = memory_mb
    return row


def measure(path: Path, repeats: int) -> list[dict[str, Any]]:
    """Every question, library and baseline, on the file at ``path``."""
    url = f"duckdb:///{path}"
    with Store.open(url) as store, store.connect() as conn:
        trace_id = conn.execute(
            text(
                "SELECT trace_id FROM traces ORDER BY start_time DESC "
                "LIMIT 1 OFFSET 12345 % (SELECT count(*) FROM traces)"
            )
        )
        trace_id = trace_id.scalar_one()
        num_spans = conn.execute(text("SELECT count(*) FROM spans")).scalar_one()

    questions: dict[str, Runner] = {
        "percentiles": lib_percentiles,
        "percentiles_hourly": lib_percentiles_hourly,
        "usage_daily": lib_usage_daily,
        "error_rate": lib_error_rate,
        **({"percentiles_orm": lib_percentiles} if num_spans <= ORM_MAX_SPANS else {}),
        "trace": lambda conn, _: lib_trace(conn, trace_id),
        "trace_spans": lambda conn, _: lib_trace_spans(conn, trace_id),
        "trace_page": lib_trace_page,
        "cost_csv": lib_cost_csv,
    }
    results = []
    for name, ours in questions.items():
        row = {"spans": num_spans, "question": name, "load": os.getloadavg()[0]}
        row |= compare(url, ours, baseline(name, trace_id), repeats)
        row["load_after"] = os.getloadavg()[0]
        print(json.dumps(row), flush=True)
        results.append(row)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,10000000", help="span counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--regenerate", action="store_true", help="rebuild the DuckDB files")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        path = OUT / f"queries_{size}.duckdb"
        if args.regenerate or not path.exists():
            generate(path, size)
        results += measure(path, args.repeats)
    print(
        "\n| spans | question | llmobs cold | llmobs median | baseline cold | baseline median "
        "| ratio (baseline / llmobs, medians) |\n|---|---|---|---|---|---|---|"
    )
    for r in results:
        base, ratio = f"{r['baseline_median_ms']} ms", f"{r['ratio']}×"
        if "llmobs_1024mb_median_ms" in r:  # the baseline ran out of the default memory
            base += " (OOM in 128 MB; in 1 GiB)"
            ratio += f" (in 1 GiB: llmobs {r['llmobs_1024mb_median_ms']} ms)"
        print(
            f"| {r['spans']:,} | {r['question']} | {r['llmobs_cold_ms']} ms | "
            f"{r['llmobs_median_ms']} ms | {r['baseline_cold_ms']} ms | {base} | {ratio} |"
        )


if __name__ == "__main__":
    main()
