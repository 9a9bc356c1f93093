"""The Costs screen in a browser: the chart draws and the cost CSV downloads."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser


def test_the_cost_chart_draws_and_the_csv_downloads(
    demo_server: DemoServer, browser_page: Page
) -> None:
    page = browser_page
    page.goto(demo_server.base_url + "/costs?range=7d")
    page.select_option("select[name=group]", "day")
    page.select_option("select[name=then]", "model")
    page.click("text=Show report")
    chart = page.locator(".chart[data-chart=cost-chart]")
    expect(chart).to_have_attribute("data-chart-state", "drawn")
    # A drawn canvas has coloured pixels; a blank one is all transparent.
    painted = chart.locator("canvas").evaluate(
        """canvas => {
            const context = canvas.getContext("2d");
            const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
            let n = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
            return n;
        }"""
    )
    assert painted > 1000

    with page.expect_download() as info:
        page.click("#cost-csv")
    download = info.value
    assert download.suggested_filename.startswith("costs-day-model-")
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    with demo_server.store.connect() as conn:
        calls = conn.exec_driver_sql("SELECT count(*) FROM spans WHERE span_type = 'llm'").scalar()
    assert rows and sum(int(row["requests"]) for row in rows) == calls
    assert {"day", "model", "cost_usd", "price_coverage"} <= set(rows[0])


def test_the_costs_page_fits_a_phone_screen(demo_server: DemoServer, browser_page: Page) -> None:
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(demo_server.base_url + "/costs")
    expect(page.locator("#total-cost")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
