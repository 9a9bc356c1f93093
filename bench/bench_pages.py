"""Page benchmark: server time of the main UI pages at 100k and 10M spans, over real HTTP.

    python bench/bench_pages.py                       # 100k and 10M spans (files reused)
    python bench/bench_pages.py --sizes 100000 --pages "trace list,dashboard 24 h"

The data is bench_queries' DuckDB files (``query_data``: 30 days ending at ``END``); pages are
pinned to it with ``range=custom`` (dashboard and trace list: the last day; costs: 7 days).
The real app (``webui.create_app``, store opened with the default settings) runs behind
waitress on 127.0.0.1; a page's time is the wall time of a GET, body read, with the server's
own time (WSGI call to the body's end) beside it. The baseline, in the same run and store and
alternated with the requests, is the page's data read with bench_queries' portable SQL
(``percentile_cont``, ``date_trunc``, a trace list aggregated from spans, a trace read by a
scan), not rendered; when it runs out of the default memory, the ratio is taken in 1 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from bench_queries import BASELINE_SQL, PERCENTILES, RANGE
from query_data import END, FILTER_MODEL, START, generate
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from waitress.server import create_server

from llmobs_store.config import Settings
from llmobs_store.store import Store
from webui import close_app, create_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

OUT = Path(__file__).resolve().parent / "out"
DAY = (END - timedelta(days=1), END)
WEEK = (END - timedelta(days=7), END)
MONTH = (START, END)
Baseline = Callable[[Connection], object]


# --- the baselines: the page's data as portable SQL -------------------------------------------
def _bucket(seconds: int) -> str:
    """A portable ``seconds``-wide bucket of start_time (date_trunc plus whole steps)."""
    step, unit, part = (seconds // 60, "minute", "hour")
    if seconds >= 3_600:
        step, unit, part = (seconds // 3_600, "hour", "day")
    return (
        f"date_trunc('{part}', start_time) + INTERVAL '1 {unit}' * "
        f"(CAST(extract({unit} FROM start_time) AS INTEGER) // {step} * {step})"
    )


def dashboard_sql(seconds: int) -> list[str]:
    """The dashboard's numbers: usage per model and bucket, then five percentile reads."""
    llm, bucket = f"FROM spans WHERE span_type = 'llm' AND {RANGE}", _bucket(seconds)
    return [
        f"SELECT model, {bucket} AS b, count(*), count(*) FILTER (WHERE status = 'error'), "
        "sum(input_tokens), sum(output_tokens), sum(cache_read_tokens), sum(cost_usd), "
        f"count(cost_usd) {llm} GROUP BY 1, 2 ORDER BY 1, 2",
        f"SELECT {bucket} AS b, {PERCENTILES} {llm} GROUP BY 1 ORDER BY 1",
        f"SELECT model, {bucket} AS b, {PERCENTILES} {llm} GROUP BY 1, 2 ORDER BY 1, 2",
        f"SELECT model, {PERCENTILES} {llm} GROUP BY 1 ORDER BY 1",
        f"SELECT {PERCENTILES} {llm}",
        f"SELECT {PERCENTILES.replace('duration_ms', 'ttft_ms')} {llm}",
    ]


def trace_list_sql(model: str | None) -> list[str]:
    """The first 50 traces aggregated from spans (the model filter as a HAVING)."""
    having = "HAVING bool_or(model = :model) " if model else ""
    return [
        "SELECT trace_id, min(start_time) AS start, max(end_time), count(*), sum(cost_usd), "
        f"count(*) FILTER (WHERE status = 'error') FROM spans WHERE {RANGE} "
        f"GROUP BY trace_id {having}ORDER BY start DESC LIMIT 50"
    ]


# The cost report: usage and cost per model and day, and the models without a price.
COST_SQL = [
    BASELINE_SQL["usage_daily"],
    "SELECT model, count(*) FROM spans WHERE span_type = 'llm' AND status = 'ok' "
    f"AND cost_usd IS NULL AND {RANGE} GROUP BY model ORDER BY model",
]


def baseline(statements: list[str], window: tuple[datetime, datetime], **extra: Any) -> Baseline:
    """Runs ``statements`` over ``window`` (``:since``, ``:until``) and ``extra`` parameters."""
    params = {"since": window[0], "until": window[1], **extra}

    def run(conn: Connection) -> object:
        return [conn.execute(text(sql), params).all() for sql in statements]

    return run


# --- serving and timing --------------------------------------------------------------------
@dataclass
class ServerClock:
    """WSGI wrapper around the app: each request's server time, call to the body's end."""

    app: WSGIApplication
    times_ms: list[float] = field(default_factory=list)
    done: threading.Condition = field(default_factory=threading.Condition)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        body = self.app(environ, start_response)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
            with self.done:
                self.times_ms.append((time.perf_counter() - started) * 1000)
                self.done.notify_all()

    def wait_for(self, count: int) -> float:
        """The server time of request number ``count`` once its body is done."""
        with self.done:
            self.done.wait_for(lambda: len(self.times_ms) >= count, timeout=10)
            return self.times_ms[count - 1]


@dataclass
class Server:
    """A running app on loopback: its base URL, store and clock."""

    url: str
    store: Store
    clock: ServerClock

    def get(self, path: str) -> tuple[float, float]:
        """(wall ms, server ms) of one GET of ``path``; the page must answer 200."""
        count = len(self.clock.times_ms) + 1
        started = time.perf_counter()
        with urllib.request.urlopen(self.url + path, timeout=600) as response:
            body = response.read()
            status = response.status
        wall = (time.perf_counter() - started) * 1000
        assert status == 200 and len(body) > 1_000, (path, status, len(body))
        return wall, self.clock.wait_for(count)


@contextmanager
def serving(settings: Settings) -> Iterator[Server]:
    """A new store with ``settings`` served by waitress on loopback as ``llmobs serve`` does."""
    with Store.open(settings=settings) as store:
        app = create_app(store=store)
        clock = ServerClock(app)
        server = create_server(clock, host="127.0.0.1", port=0, threads=settings.server_threads)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        try:
            yield Server(f"http://127.0.0.1:{server.effective_port}", store, clock)
        finally:
            # Closing the sockets under the running loop makes its poll() fail with EBADF:
            # close them from inside the loop; with nothing left to watch, the loop returns.
            server.trigger.pull_trigger(lambda: _close_all(server))
            thread.join(10)
            close_app(app)


def _close_all(server: Any) -> None:
    for dispatcher in list(server._map.values()):
        if dispatcher is not server and dispatcher is not server.trigger:
            dispatcher.close()
    server.close()


def _ms(run: Baseline, conn: Connection) -> float:
    started = time.perf_counter()
    run(conn)
    return (time.perf_counter() - started) * 1000


def compare(settings: Settings, path: str, base: Baseline | None, repeats: int) -> dict[str, Any]:
    """Cold (a new store and server) and warm page times, alternated with the baseline.

    The baseline's cold run is the first in a newly opened store of its own.
    """
    row: dict[str, Any] = {}
    if base is not None:
        with Store.open(settings=settings) as store, store.connect() as conn:
            row["baseline_cold_ms"] = round(_ms(base, conn), 1)
    with serving(settings) as server:
        row["page_cold_ms"], row["server_cold_ms"] = (round(t, 1) for t in server.get(path))
        warm: list[tuple[float, float]] = []
        base_warm: list[float] = []
        with server.store.connect() as conn:
            for _ in range(repeats):
                warm.append(server.get(path))
                if base is not None:
                    base_warm.append(_ms(base, conn))
    row["page_median_ms"] = round(statistics.median(w for w, _ in warm), 1)
    row["server_median_ms"] = round(statistics.median(s for _, s in warm), 1)
    if base is not None:
        row["baseline_median_ms"] = round(statistics.median(base_warm), 1)
        row["ratio"] = round(row["baseline_median_ms"] / row["page_median_ms"], 2)
    return row


def measure_page(url: str, path: str, base: Baseline, repeats: int) -> dict[str, Any]:
    """The page and its baseline in the default settings.

    When the baseline runs out of the default DuckDB memory, the page is measured alone there,
    and both again in 1 GiB for the ratio.
    """
    settings = Settings(database_url=url)
    try:
        return compare(settings, path, base, repeats)
    except OperationalError as exc:
        if "Out of Memory" not in str(exc):
            raise
    row = compare(settings, path, None, repeats)
    row["baseline_out_of_memory_mb"] = settings.duckdb_memory_limit_mb
    in_1g = compare(settings.replace(duckdb_memory_limit_mb=1_024), path, base, repeats)
    return row | {f"{name}_1gib": value for name, value in in_1g.items()}


def _window(window: tuple[datetime, datetime]) -> dict[str, str]:
    return {"range": "custom", "since": window[0].isoformat(), "until": window[1].isoformat()}


def pages(conn: Connection) -> dict[str, tuple[str, Baseline]]:
    """Page name -> (path with query string, baseline)."""
    # A 5-span trace from the middle of the last day, and its first LLM span.
    trace_id, span_id = conn.execute(
        text(
            "SELECT trace_id, span_id FROM spans WHERE span_type = 'llm' AND trace_id = "
            "(SELECT trace_id FROM traces WHERE start_time >= :noon AND num_spans >= 5 "
            "ORDER BY start_time LIMIT 1) ORDER BY start_time LIMIT 1"
        ),
        {"noon": END - timedelta(hours=12)},
    ).one()
    traces, costs = _window(DAY), _window(WEEK) | {"group": "model", "then": "day"}
    return {
        "dashboard 24 h": ("/?" + urlencode(_window(DAY)), baseline(dashboard_sql(300), DAY)),
        "dashboard 30 d": (
            "/?" + urlencode(_window(MONTH)),
            baseline(dashboard_sql(21_600), MONTH),
        ),
        "trace list": ("/traces?" + urlencode(traces), baseline(trace_list_sql(None), DAY)),
        "trace list, model=": (
            "/traces?" + urlencode(traces | {"model": FILTER_MODEL}),
            baseline(trace_list_sql(FILTER_MODEL), DAY, model=FILTER_MODEL),
        ),
        # The trace's spans read by a scan (``lower(trace_id)``).
        "trace page, ?span=": (
            f"/traces/{trace_id}?" + urlencode({"span": span_id}),
            baseline([BASELINE_SQL["trace"]], MONTH, trace_id=trace_id),
        ),
        "costs 7 d, model then day": ("/costs?" + urlencode(costs), baseline(COST_SQL, WEEK)),
    }


def measure(path: Path, repeats: int, only: set[str] | None) -> list[dict[str, Any]]:
    """Every page and its baseline on the file at ``path``."""
    url, results = f"duckdb:///{path}", []
    with Store.open(settings=Settings(database_url=url)) as store, store.connect() as conn:
        num_spans = conn.execute(text("SELECT count(*) FROM spans")).scalar_one()
        chosen = pages(conn)
    for name, (page, base) in chosen.items():
        if only and name not in only:
            continue
        row: dict[str, Any] = {"spans": num_spans, "page": name, "path": page}
        row["load"] = round(os.getloadavg()[0], 2)
        row |= measure_page(url, page, base, repeats)
        row["load_after"] = round(os.getloadavg()[0], 2)
        print(json.dumps(row), flush=True)
        results.append(row)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,10000000", help="span counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pages", default="", help="only these pages (names, comma-separated)")
    args = parser.parse_args()
    only = {p.strip() for p in args.pages.split(",") if p.strip()} or None
    OUT.mkdir(exist_ok=True)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        path = OUT / f"queries_{size}.duckdb"
        if not path.exists():
            generate(path, size)
        results += measure(path, args.repeats, only)
    print(
        "\n(*: the baseline ran out of the default memory; it and the ratio are in 1 GiB)\n"
        "| spans | page | cold (server) | median (server) | baseline cold | baseline median "
        "| ratio | load |\n|---|---|---|---|---|---|---|---|"
    )
    for r in results:
        sfx = "_1gib" if "ratio_1gib" in r else ""
        base = f"{r[f'baseline_cold_ms{sfx}']} ms | {r[f'baseline_median_ms{sfx}']} ms"
        ratio = f"{r[f'ratio{sfx}']}×" + (f" * (page {r['page_median_ms_1gib']} ms)" if sfx else "")
        print(
            f"| {r['spans']:,} | {r['page']} | {r['page_cold_ms']} ms ({r['server_cold_ms']}) "
            f"| {r['page_median_ms']} ms ({r['server_median_ms']}) | {base} | {ratio} "
            f"| {r['load']}–{r['load_after']} |"
        )


if __name__ == "__main__":
    main()
