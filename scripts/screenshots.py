"""Write PNGs of the main pages into docs/img/: a demo store served locally, shot in Chromium.

Run with ``make screenshots`` (or ``.venv/bin/python scripts/screenshots.py [--out DIR]``).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import sync_playwright
from waitress.server import create_server

from llmobs_store.analytics import get_trace, top_traces
from llmobs_store.config import Settings
from llmobs_store.sql.examples import example_queries
from llmobs_store.store import Store
from seed_data import load_demo
from webui import close_app, create_app

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# (file name, path) of every page shot; the SQL console is shown running its first example.
PAGES = [
    ("dashboard", "/"),
    ("traces", "/traces"),
    ("logs", "/logs"),
    ("alerts", "/alerts?range=7d"),
    ("costs", "/costs?range=7d&group=day&then=model"),
]


def shoot(out: Path, *, num_traces: int = 3_000, width: int = 1280) -> list[Path]:
    """Serve a fresh demo store and save a PNG of each page into ``out``; returns the files."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(database_url=f"duckdb:///{folder}/demo.duckdb", server_threads=4)
        with Store.open(settings=settings) as store:
            end = datetime.now(UTC).replace(second=0, microsecond=0)
            load_demo(store, num_traces=num_traces, days=7, end=end, alert_history=True)
            app = create_app(store=store)
            server = create_server(app, host="127.0.0.1", port=0, threads=4)
            thread = threading.Thread(target=server.run, daemon=True)
            thread.start()
            base = f"http://127.0.0.1:{server.effective_port}"
            sql = example_queries(store.dialect_name)[0].sql
            pages = [
                *PAGES,
                ("trace", _trace_page(store)),
                ("sql", "/sql?" + urlencode({"q": sql})),
            ]
            try:
                with sync_playwright() as playwright:
                    browser = playwright.chromium.launch(
                        executable_path=CHROMIUM, args=CHROMIUM_ARGS
                    )
                    page = browser.new_page(viewport={"width": width, "height": 900})
                    for name, path in pages:
                        response = page.goto(base + path)
                        if response is None or response.status >= 400:
                            print(f"skipped {path}: {response.status if response else 'no answer'}")
                            continue
                        page.wait_for_load_state("networkidle")
                        target = out / f"{name}.png"
                        page.screenshot(path=str(target))
                        written.append(target)
                        print(f"wrote {target}")
                    browser.close()
            finally:
                server.close()
                close_app(app)
    return written


def _trace_page(store: Store) -> str:
    """The most expensive trace of the last day, its first LLM call selected."""
    with store.connect() as conn:
        (top,) = top_traces(conn, by="cost", limit=1, since=datetime.now(UTC) - timedelta(days=1))
        trace = get_trace(conn, top.trace_id)
    llm = next(node.span for node in trace.spans if node.span.span_type == "llm")
    return f"/traces/{top.trace_id}?" + urlencode({"span": llm.span_id})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("docs/img"), help="Folder of the PNGs.")
    parser.add_argument("--width", type=int, default=1280, help="Viewport width in pixels.")
    parser.add_argument("--traces", type=int, default=3_000, help="Demo traces to load.")
    options = parser.parse_args()
    shoot(options.out, num_traces=options.traces, width=options.width)


if __name__ == "__main__":
    main()
