"""The Alerts screen in a browser: create a rule, see it listed, backtest it on a chart."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from llmobs_store.alerts.rules import get_rule
from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser


def test_create_a_rule_then_see_it_listed_and_backtested(
    demo_server: DemoServer, browser_page: Page
) -> None:
    page = browser_page
    page.goto(demo_server.base_url + "/alerts")
    expect(page.locator("h1")).to_contain_text("Alerts")
    page.click("#new-rule")
    page.fill("input[name=name]", "browser_slow_calls")
    page.fill("input[name=description]", "p90 per model, made in the browser")
    page.select_option("select[name=metric]", "latency_p90")
    page.fill("input[name=window]", "1h")
    page.fill("input[name=warning_threshold]", "800")
    page.fill("input[name=group_by]", "model")
    page.fill("input[name=filters]", "span_type=llm")
    page.click("#save-rule")

    expect(page.locator(".flashes")).to_contain_text("Rule browser_slow_calls saved.")
    row = page.locator("#rules-table tr", has_text="browser_slow_calls")
    expect(row).to_contain_text("latency_p90")
    expect(row).to_contain_text("1h")
    expect(row).to_contain_text("> 800.00")
    with demo_server.store.connect() as conn:
        rule = get_rule(conn, "browser_slow_calls")
    assert (rule.window_s, rule.group_by, rule.filters) == (3600, ("model",), {"span_type": "llm"})

    row.get_by_role("link", name="Backtest").click()
    expect(page.locator("#backtest-summary")).to_contain_text("evaluations every")
    chart = page.locator(".chart[data-chart=backtest-chart]")
    expect(chart).to_have_attribute("data-chart-state", "drawn")


def test_a_rule_form_with_an_error_keeps_what_was_typed(
    demo_server: DemoServer, browser_page: Page
) -> None:
    page = browser_page
    page.goto(demo_server.base_url + "/alerts/rules/new")
    page.fill("input[name=name]", "browser_no_threshold")
    page.fill("input[name=window]", "5m")
    page.click("#save-rule")
    expect(page.locator("#rule-error")).to_contain_text("set a warning or a critical threshold")
    expect(page.locator("input[name=name]")).to_have_value("browser_no_threshold")
