"""Browser fixtures: a live server over a small demo store, and Debian Chromium via Playwright.

Both the server and the browser are started once for this folder's tests; every test gets a fresh
browser context (cookies, storage) and page. A failing test leaves a screenshot in
``tests/browser/artifacts/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright
from playwright.sync_api import Response as PlaywrightResponse

from llmobs_store.config import Settings
from llmobs_store.store import Store
from seed_data import load_demo
from tests.live_server import serving

CHROMIUM = os.environ.get("LLMOBS_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
DEMO_TRACES = 300
DEMO_DAYS = 2.0
DEMO_SEED = 42
_ASSET_TYPES = frozenset({"script", "stylesheet", "image", "font"})


@dataclass(frozen=True)
class DemoServer:
    """A running server over the demo store."""

    base_url: str
    store: Store


@pytest.fixture(scope="package")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """``llmobs serve`` over a DuckDB file holding the demo's last two days (300 traces).

    The data set is the same on every run except for its times, which end now so that the
    UI's default period (the last 24 hours) shows it.
    """
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    settings = Settings(database_url=f"duckdb:///{path}", server_threads=4)
    end = datetime.now(UTC).replace(second=0, microsecond=0)
    with Store.open(settings=settings) as store:
        load_demo(store, num_traces=DEMO_TRACES, days=DEMO_DAYS, seed=DEMO_SEED, end=end)
        with serving(store) as live:
            yield DemoServer(live.url, store)


# Package scope: Playwright's sync API keeps an event loop running in the main thread while it
# is open, and asyncio.run() in the tests after this folder would refuse to start.
@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (``apt-get install chromium``); no browser is downloaded."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install it with `apt-get install chromium`")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the test item, for the screenshot on failure."""
    report: pytest.TestReport = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser_page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A new page in its own context, 1280x800.

    The test fails if the page throws, logs an error (a CSP violation does) or a script,
    stylesheet or image fails to load; pages themselves may answer 4xx (a refused query).
    """
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: _console_error(msg, errors))
    page.on("response", lambda response: _asset_error(response, errors))
    try:
        yield page
        assert not errors, f"the page reported errors: {errors}"
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
        context.close()


def _console_error(message: ConsoleMessage, errors: list[str]) -> None:
    # Failed page loads are reported as responses below (pages may answer 4xx on purpose).
    if message.type == "error" and not message.text.startswith("Failed to load resource"):
        errors.append(message.text)


def _asset_error(response: PlaywrightResponse, errors: list[str]) -> None:
    if response.status >= 400 and response.request.resource_type in _ASSET_TYPES:
        errors.append(f"{response.status} for {response.url}")
