"""The Traces screens in a browser: filter by model, open a trace, read the LLM call's prompt."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from llmobs_store.analytics.conversation import split_messages
from llmobs_store.analytics.trace_filters import TraceFilters
from llmobs_store.analytics.trace_list import list_traces
from llmobs_store.analytics.traces import get_trace
from tests.browser.conftest import DemoServer

pytestmark = pytest.mark.browser


def test_filter_by_model_open_a_trace_and_read_the_prompt(
    demo_server: DemoServer, browser_page: Page
) -> None:
    since = datetime.now(UTC) - timedelta(hours=20)
    with demo_server.store.connect() as conn:
        model = conn.execute(
            text(
                "SELECT model FROM spans WHERE span_type = 'llm' AND input_text IS NOT NULL "
                "AND start_time >= :since GROUP BY model ORDER BY count(*) DESC, model LIMIT 1"
            ),
            {"since": since},
        ).scalar_one()
        expected = list_traces(conn, TraceFilters(model=model, since=since), limit=50).rows
    page = browser_page
    page.goto(demo_server.base_url + "/traces")
    page.fill("#trace-filters input[name=model]", model)
    page.click("#trace-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"model=" + re.escape(model)))
    rows = page.locator("#trace-table tbody tr")
    expect(rows.first).to_have_attribute("data-trace-id", expected[0].trace_id)
    assert rows.count() >= len(expected)
    for row in rows.all():
        expect(row).to_contain_text(model)

    rows.first.locator("td").first.locator("a").click()
    expect(page).to_have_url(re.compile(r"/traces/[0-9a-f]{32}"))
    trace_id = page.url.split("/traces/")[1].split("?")[0]
    assert trace_id == expected[0].trace_id
    with demo_server.store.connect() as conn:
        trace = get_trace(conn, trace_id)
    llm = next(
        node.span for node in trace.spans if node.span.span_type == "llm" and node.span.input_text
    )
    page.locator(f'.wf-row[data-span-id="{llm.span_id}"] .wf-label').click()
    expect(page).to_have_url(re.compile(rf"span={llm.span_id}"))
    expect(page.locator(f'.wf-row[data-span-id="{llm.span_id}"]')).to_have_class(
        re.compile("is-selected")
    )
    prompt = page.locator("#prompt")
    expect(prompt).to_be_visible()
    first_text = next(
        part.text for message in split_messages(llm.input_text) for part in message.parts
    )
    expect(prompt).to_contain_text(first_text.strip().splitlines()[0])
    expect(page.locator("#llm-facts")).to_contain_text(llm.model or "")
    page.click("#raw-json summary")
    expect(page.locator("#raw-json pre")).to_be_visible()


def test_the_trace_page_works_without_javascript(
    demo_server: DemoServer, browser_page: Page
) -> None:
    with demo_server.store.connect() as conn:
        row = list_traces(conn, limit=1).rows[0]
        trace = get_trace(conn, row.trace_id)
    last = trace.spans[-1].span
    page = browser_page
    page.context.set_extra_http_headers({})
    page.goto(f"{demo_server.base_url}/traces/{row.trace_id}?span={last.span_id}")
    expect(page.locator("#span-name")).to_have_text(last.name)
    expect(page.locator(".wf-row")).to_have_count(len(trace.spans))
