"""The layout in a real browser: navigation, the global filters and the strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser


def test_choosing_a_period_keeps_it_in_the_url_and_the_navigation(
    demo_server: DemoServer, browser_page: Page
) -> None:
    page = browser_page
    page.goto(demo_server.base_url + "/sql")
    page.select_option("#global-range", "7d")
    page.wait_for_url("**range=7d**")
    expect(page.locator(".mainnav a", has_text="Costs")).to_have_attribute(
        "href", "/costs?range=7d"
    )
    expect(page.locator(".mainnav a.current")).to_have_text("SQL")


def test_a_chart_without_data_says_so(demo_server: DemoServer, browser_page: Page) -> None:
    page = browser_page
    page.goto(
        demo_server.base_url + "/costs?range=custom&since=2001-01-01T00:00&until=2001-01-02T00:00"
    )
    chart = page.locator(".chart[data-chart=cost-chart]")
    expect(chart).to_have_attribute("data-chart-state", "empty")
    expect(chart).to_have_text("No data in this period")
    expect(page.locator(".custom-range")).to_be_visible()
