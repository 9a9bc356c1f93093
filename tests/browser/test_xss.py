"""Stored markup in spans and logs renders as text on the trace and log screens: nothing runs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from playwright.sync_api import Dialog, Page, expect

from llmobs_store.config import Settings
from llmobs_store.store import Store
from tests.factories import make_log, make_span
from tests.live_server import LiveServer, serving

pytestmark = pytest.mark.browser

PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    '"><svg onload=alert(1)>',
)
ALL = " ".join(PAYLOADS)
TRACE = "ab" * 16
ROOT, LLM = "1" * 16, "2" * 16


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server over a store whose every text field holds the payloads."""
    path = tmp_path_factory.mktemp("xss") / "xss.duckdb"
    start = datetime.now(UTC) - timedelta(hours=1)
    with Store.open(settings=Settings(database_url=f"duckdb:///{path}", server_threads=2)) as store:
        store.write(
            [
                replace(
                    make_span(
                        trace_id=TRACE,
                        span_id=ROOT,
                        name=ALL,
                        span_type="agent",
                        service_name=PAYLOADS[3],
                        user_id=PAYLOADS[0],
                        session_id=PAYLOADS[1],
                        status="error",
                        status_message=ALL,
                        attributes={PAYLOADS[0]: PAYLOADS[1], "url": PAYLOADS[2]},
                    ),
                    start_time=start,
                    end_time=start + timedelta(seconds=2),
                ),
                replace(
                    make_span(
                        trace_id=TRACE,
                        span_id=LLM,
                        parent_span_id=ROOT,
                        name=PAYLOADS[1],
                        span_type="llm",
                        model=PAYLOADS[3],
                        provider=PAYLOADS[0],
                        error_type=PAYLOADS[1],
                        cost_source=PAYLOADS[2],
                        input_text=f"user: {ALL}\nsystem: {PAYLOADS[3]}",
                        output_text=f"assistant: {ALL}\ntool_call {PAYLOADS[0]}({PAYLOADS[1]})",
                        attributes={
                            "gen_ai.request.temperature": PAYLOADS[0],
                            "nested": {"html": PAYLOADS[3]},
                        },
                        events=[
                            {
                                "name": "exception",
                                "time": start.isoformat(),
                                "attributes": {
                                    "exception.type": PAYLOADS[0],
                                    "exception.message": PAYLOADS[1],
                                    "exception.stacktrace": ALL,
                                },
                            }
                        ],
                        links=[
                            {
                                "trace_id": PAYLOADS[2],
                                "span_id": PAYLOADS[0],
                                "attributes": {"x": PAYLOADS[3]},
                            }
                        ],
                        metadata={"tenant": PAYLOADS[1]},
                    ),
                    start_time=start + timedelta(milliseconds=100),
                    end_time=start + timedelta(seconds=1),
                ),
                replace(
                    make_log(
                        ALL,
                        trace_id=TRACE,
                        span_id=LLM,
                        service_name=PAYLOADS[3],
                        model=PAYLOADS[0],
                        error_type=PAYLOADS[1],
                        error_message=ALL,
                    ),
                    time=start,
                    level="error",
                ),
            ]
        )
        with serving(store) as live:
            yield live


def assert_inert(page: Page, url: str, dialogs: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert dialogs == [], f"a dialog fired on {url}"
    injected = page.evaluate(
        """() => ({
            handlers: document.querySelectorAll("[onerror], [onload], [onclick]").length,
            images: document.querySelectorAll('img[src="x"]').length,
            svgs: document.querySelectorAll("main svg").length,
            jsLinks: Array.from(document.querySelectorAll("a[href], form[action]")).filter(
                el => /^\\s*javascript:/i.test(el.getAttribute("href") || el.getAttribute("action"))
            ).length,
            inlineScripts: Array.from(document.querySelectorAll("script")).filter(
                s => !s.src && s.type !== "application/json").length,
        })"""
    )
    assert injected == {"handlers": 0, "images": 0, "svgs": 0, "jsLinks": 0, "inlineScripts": 0}
    # The payloads are on the page as text a person can read.
    expect(page.get_by_text(PAYLOADS[0]).first).to_be_attached()


def test_payloads_render_as_text_on_every_trace_and_log_screen(
    hostile_server: LiveServer, browser_page: Page
) -> None:
    page = browser_page
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    base = hostile_server.url
    for url in (
        f"{base}/traces",
        f"{base}/traces?q={quote(PAYLOADS[0])}&model={quote(PAYLOADS[3])}",
        f"{base}/traces/{TRACE}",
        f"{base}/traces/{TRACE}?span={LLM}",
        f"{base}/traces/{TRACE}?span={quote(PAYLOADS[1])}",
        f"{base}/logs",
        f"{base}/logs?q={quote(PAYLOADS[0])}&trace_id={TRACE}",
    ):
        assert_inert(page, url, dialogs)
    # The selected span's conversation shows the payload verbatim in its messages.
    page.goto(f"{base}/traces/{TRACE}?span={LLM}")
    expect(page.locator("#prompt")).to_contain_text(ALL)
    expect(page.locator("#answer .tool-call")).to_contain_text(PAYLOADS[0])
    expect(page.locator("#span-name")).to_have_text(PAYLOADS[1])
