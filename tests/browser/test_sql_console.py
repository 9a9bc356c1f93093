"""The SQL console in a browser: a query runs, its rows show, and the CSV download has them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser

QUERY = "SELECT model, count(*) AS calls FROM spans WHERE span_type = 'llm' GROUP BY model"


def test_a_query_runs_shows_its_rows_and_downloads_them_as_csv(
    demo_server: DemoServer, browser_page: Page
) -> None:
    page = browser_page
    page.goto(demo_server.base_url + "/sql")
    page.fill("#sql-q", QUERY + " ORDER BY model")
    page.click("text=Run query")
    rows = page.locator("table.sql-results tbody tr")
    expect(rows.first).to_be_visible()
    with demo_server.store.connect() as conn:
        expected = conn.exec_driver_sql(QUERY + " ORDER BY model").all()
    shown = [tuple(row.locator("td").all_inner_texts()) for row in rows.all()]
    assert shown == [(str(model), str(calls)) for model, calls in expected]
    expect(page.locator("#sql-summary")).to_contain_text(f"{len(expected)} rows in")

    with page.expect_download() as info:
        page.click("text=Download CSV")
    download = info.value
    assert download.suggested_filename == "query.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert list(csv.reader(io.StringIO(text))) == [
        ["model", "calls"],
        *([model, str(calls)] for model, calls in expected),
    ]


def test_a_refused_query_shows_the_reason(demo_server: DemoServer, browser_page: Page) -> None:
    page = browser_page
    page.goto(demo_server.base_url + "/sql")
    page.fill("#sql-q", "DROP TABLE spans")
    page.press("#sql-q", "Control+Enter")
    expect(page.locator("#sql-error")).to_contain_text("only SELECT queries are allowed")
