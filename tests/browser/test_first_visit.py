"""A first visit by clicks: dashboard, a failed LLM call's prompt, a cost CSV, a SQL answer."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser

FAILED_LLM_CALLS = text(
    "SELECT trace_id, input_text FROM spans "
    "WHERE span_type = 'llm' AND status = 'error' AND input_text IS NOT NULL"
)


def test_dashboard_to_a_failed_calls_prompt_to_a_cost_csv_to_a_sql_answer(
    demo_server: DemoServer, browser_page: Page
) -> None:
    page = browser_page
    with demo_server.store.connect() as conn:
        prompts = dict(conn.execute(FAILED_LLM_CALLS).tuples().all())

    page.goto(demo_server.base_url + "/")
    page.click("#failed-calls")
    expect(page).to_have_url(re.compile(r"/traces\?.*status=error"))
    listed = page.locator("#trace-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.traceId)"
    )
    trace_id = next(t for t in listed if t in prompts)
    page.locator(f'#trace-table tr[data-trace-id="{trace_id}"] td a').first.click()
    expect(page).to_have_url(re.compile(rf"/traces/{trace_id}"))

    page.locator(".wf-row.wf-llm.is-error .wf-label").first.click()
    expect(page).to_have_url(re.compile(r"span=[0-9a-f]{16}"))
    expect(page.locator("#span-detail")).to_contain_text("Traceback")
    prompt = page.locator("#prompt")
    expect(prompt).to_be_visible()
    # Stored as "role: content" lines; shown as a conversation with the role as a heading.
    opening = prompts[trace_id].splitlines()[0].partition(": ")[2][:30]
    assert opening and opening in prompt.inner_text()

    page.click("nav >> text=Costs")
    with page.expect_download() as info:
        page.click("#cost-csv")
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8"))))
    assert rows and {"model", "requests", "cost_usd", "price_coverage"} <= set(rows[0])

    page.click("nav >> text=SQL")
    page.fill("#sql-q", "SELECT count(*) AS failed FROM spans WHERE status = 'error'")
    page.click("text=Run query")
    with demo_server.store.connect() as conn:
        failed = conn.execute(text("SELECT count(*) FROM spans WHERE status = 'error'")).scalar()
    expect(page.locator("table.sql-results tbody tr td").first).to_have_text(str(failed))
