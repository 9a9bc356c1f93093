"""The Dashboard in a browser: every chart draws, and Show SQL opens the console with rows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser

CHARTS = ("requests", "latency", "model_latency", "tokens", "cost", "cache")
# Coloured (non-transparent) pixels of a canvas: a blank one has none.
PAINTED_PIXELS = """canvas => {
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
    return n;
}"""


def test_the_dashboard_charts_draw(demo_server: DemoServer, browser_page: Page) -> None:
    page = browser_page
    page.goto(demo_server.base_url + "/")
    expect(page.locator("#tile-requests .value")).not_to_have_text("0")
    for name in CHARTS:
        chart = page.locator(f".chart[data-chart=chart-{name}]")
        chart.scroll_into_view_if_needed()
        expect(chart).to_have_attribute("data-chart-state", "drawn")
        assert chart.locator("canvas").evaluate(PAINTED_PIXELS) > 500, name
    expect(page.locator("#model-table tbody tr").first).to_be_visible()


def test_show_sql_opens_the_query_in_the_console(
    demo_server: DemoServer, browser_page: Page
) -> None:
    page = browser_page
    page.goto(demo_server.base_url + "/")
    page.locator("#tile-requests a.show-sql").click()
    expect(page).to_have_url(re.compile(r"/sql\?"))
    expect(page.locator("table.sql-results tbody tr")).to_have_count(1)
