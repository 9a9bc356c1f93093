"""``llmobs serve`` and ``llmobs demo``: the HTTP server (waitress) over one Store."""

from __future__ import annotations

import gc
import ipaddress
import signal
import time
from pathlib import Path
from types import FrameType

import click
import pyarrow as pa
from sqlalchemy import text
from sqlalchemy.engine import make_url

from llmobs_store.alerts.scheduler import AlertScheduler
from llmobs_store.cli.options import db_option
from llmobs_store.cli.seed import seed_store
from llmobs_store.config import Settings
from llmobs_store.store import Store
from seed_data import DEFAULT_DAYS, DEFAULT_NUM_TRACES


def _server_options(func: click.decorators.FC) -> click.decorators.FC:
    func = click.option(
        "--allow-unauthenticated",
        is_flag=True,
        help="Serve on a non-loopback address without LLMOBS_API_KEYS (anyone may write).",
    )(func)
    func = click.option("--threads", type=int, help="Worker threads (default 8).")(func)
    func = click.option("--port", type=int, help="Port (default 4318, the OTLP/HTTP port).")(func)
    func = click.option("--host", help="Address to listen on (default 127.0.0.1).")(func)
    return func


@click.command()
@_server_options
@db_option
def serve(
    host: str | None,
    port: int | None,
    threads: int | None,
    allow_unauthenticated: bool,
    database_url: str,
) -> None:
    """Serve the collector API and web UI over the database (schema upgraded first).

    \b
    Example:
      llmobs serve --db duckdb:///llmobs.duckdb --port 4318
      LLMOBS_API_KEYS=secret llmobs serve --host 0.0.0.0
    """
    settings = _settings(database_url, host, port, threads)
    _check_exposure(settings, allow_unauthenticated)
    started = time.perf_counter()
    store = Store.open(settings=settings)
    run_server(store, started)


@click.command()
@click.option("--traces", "num_traces", type=int, help="Demo traces to generate when empty.")
@click.option("--fresh", is_flag=True, help="Delete the demo database first and reload it.")
@_server_options
@click.option(
    "--db",
    "database_url",
    default="duckdb:///demo.duckdb",
    show_default=True,
    metavar="URL",
    help="Database for the demo (kept apart from your real llmobs.duckdb).",
)
def demo(
    num_traces: int | None,
    fresh: bool,
    host: str | None,
    port: int | None,
    threads: int | None,
    allow_unauthenticated: bool,
    database_url: str,
) -> None:
    """Load demo data (once) into an embedded DuckDB file and serve it.

    \b
    Example:
      llmobs demo                 # demo.duckdb, http://127.0.0.1:4318
      llmobs demo --fresh --traces 20000
    """
    settings = _settings(database_url, host, port, threads)
    _check_exposure(settings, allow_unauthenticated)
    url = make_url(database_url)
    if fresh and url.get_backend_name() == "duckdb" and url.database:
        for path in (Path(url.database), Path(url.database + ".wal")):
            path.unlink(missing_ok=True)
    store = Store.open(settings=settings)
    with store.connect() as conn:
        has_data = conn.execute(text("SELECT count(*) FROM spans")).scalar_one() > 0
    if not has_data:
        click.echo(f"loading demo data into {database_url} …", err=True)
        summary = seed_store(
            store,
            num_traces=num_traces or DEFAULT_NUM_TRACES,
            days=DEFAULT_DAYS,
            seed=42,
            end=None,
        )
        click.echo(f"loaded {summary.num_traces} traces, {summary.num_spans} spans", err=True)
    run_server(store, time.perf_counter())


def _settings(
    database_url: str, host: str | None, port: int | None, threads: int | None
) -> Settings:
    changes: dict[str, object] = {"database_url": database_url}
    if host is not None:
        changes["server_host"] = host
    if port is not None:
        changes["server_port"] = port
    if threads is not None:
        changes["server_threads"] = threads
    return Settings.from_env().replace(**changes)


def _check_exposure(settings: Settings, allow_unauthenticated: bool) -> None:
    """Refuse to accept writes from the network without API keys, unless told to."""
    if settings.api_keys or allow_unauthenticated:
        return
    try:
        loopback = ipaddress.ip_address(settings.server_host).is_loopback
    except ValueError:
        loopback = settings.server_host == "localhost"
    if not loopback:
        raise click.UsageError(
            f"refusing to serve on {settings.server_host} without API keys: set "
            "LLMOBS_API_KEYS, or pass --allow-unauthenticated to accept writes from anyone"
        )


def run_server(store: Store, started: float) -> None:
    """Serve ``store`` with waitress until SIGINT/SIGTERM, then flush the writer and close."""
    from waitress import create_server

    from webui import close_app, create_app

    settings = store.settings
    # Arrow's mimalloc pool keeps freed batches cached; the system allocator hands them back,
    # which took peak RSS under the OTLP benchmark from ~610 to ~450 MiB.
    pa.set_memory_pool(pa.system_memory_pool())
    app = create_app(settings=settings, store=store)
    # The modules and objects loaded so far live as long as the server: moving them out of the
    # collector's generations saves it rescanning them (~10 % of ingest CPU per span).
    gc.freeze()
    server = create_server(
        app,
        host=settings.server_host,
        port=settings.server_port,
        threads=settings.server_threads,
        ident="llmobs",
        # Compressed bodies are refused past the limit here; decompressed ones by the app.
        max_request_body_size=int(settings.max_request_mb * 1024 * 1024),
    )

    def stop(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    # Rules are evaluated beside the server (alert_interval_s; 0 turns it off).
    scheduler = AlertScheduler(store)
    scheduler.start()
    address = f"http://{settings.server_host}:{server.effective_port}"
    click.echo(
        f"llmobs serving {store.dialect_name} at {address} "
        f"(ready in {time.perf_counter() - started:.2f} s; Ctrl+C to stop)\n"
        f"  web UI: open {address}/ in a browser\n"
        f"  OTLP:   OTEL_EXPORTER_OTLP_ENDPOINT={address}"
    )
    try:
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.close()
        scheduler.stop()
        close_app(app)
        store.close()
        click.echo("llmobs stopped; every accepted record is committed", err=True)
