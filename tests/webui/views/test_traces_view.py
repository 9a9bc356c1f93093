"""The Traces screens through the Flask client: list filters, sorting, pages, the trace page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from llmobs_store.ingest.content import render_messages
from llmobs_store.ingest.records import LogRecord, SpanRecord
from llmobs_store.store import Store
from tests.conftest import BACKENDS
from tests.factories import make_log, make_span
from tests.webui.views.conftest import open_seeded_store

TRACE = "feed" * 8
LINKED = "beef" * 8
ROOT, LLM, TOOL = "1" * 16, "2" * 16, "3" * 16
MODEL = "test-model-x"
PROMPT = render_messages(
    [
        {"role": "system", "content": "You answer about parcels."},
        {"role": "user", "content": "Where is parcel 4471?"},
    ]
)
ANSWER = render_messages(
    [
        {
            "role": "assistant",
            "content": "Let me look.",
            "tool_calls": [{"function": {"name": "track", "arguments": '{"id": 4471}'}}],
        }
    ]
)


def crafted(now: datetime) -> list[SpanRecord | LogRecord]:
    """One failing trace with an LLM call, a tool error, logs, a link, and a session sibling."""
    start = now - timedelta(hours=2)

    def at(span: SpanRecord, offset_ms: float) -> SpanRecord:
        moment = start + timedelta(milliseconds=offset_ms)
        return replace(span, start_time=moment, end_time=moment + (span.end_time - span.start_time))

    return [
        at(
            make_span(
                trace_id=TRACE,
                span_id=ROOT,
                name="parcel question",
                duration_ms=2000,
                span_type="agent",
                service_name="parcels",
                session_id="sess-view",
                user_id="view-user",
            ),
            0,
        ),
        at(
            make_span(
                trace_id=TRACE,
                span_id=LLM,
                parent_span_id=ROOT,
                name=f"chat {MODEL}",
                duration_ms=800,
                span_type="llm",
                kind="client",
                model=MODEL,
                request_model=MODEL,
                provider="openai",
                operation="chat",
                input_tokens=1200,
                cache_read_tokens=1000,
                output_tokens=60,
                reasoning_tokens=20,
                total_tokens=1260,
                cost_usd=0.0042,
                ttft_ms=210.0,
                input_text=PROMPT,
                output_text=ANSWER,
                service_name="parcels",
                attributes={"gen_ai.request.temperature": 0.25, "gen_ai.request.max_tokens": 512},
                links=[{"trace_id": LINKED, "span_id": "4" * 16}],
            ),
            100,
        ),
        at(
            make_span(
                trace_id=TRACE,
                span_id=TOOL,
                parent_span_id=LLM,
                name="tool track",
                duration_ms=300,
                span_type="tool",
                status="error",
                status_message="tracking API down",
                error_type="ConnectionError",
                events=[
                    {
                        "name": "exception",
                        "time": start.isoformat(),
                        "attributes": {
                            "exception.type": "ConnectionError",
                            "exception.message": "tracking API down",
                            "exception.stacktrace": "Traceback: line 42",
                        },
                    }
                ],
            ),
            1000,
        ),
        at(
            make_span(
                trace_id=LINKED,
                span_id="4" * 16,
                name="sibling question",
                session_id="sess-view",
                service_name="parcels",
            ),
            -60_000,
        ),
        replace(
            make_log(
                "tool failed hard",
                trace_id=TRACE,
                span_id=TOOL,
                model=MODEL,
                service_name="parcels",
            ),
            time=start + timedelta(seconds=1),
            level="error",
        ),
    ]


@pytest.fixture(scope="module", params=BACKENDS)
def seeded_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The demo store plus the crafted trace, shared by the module's read-only tests."""
    store = open_seeded_store(request.param, tmp_path_factory.mktemp("traces_view"))
    try:
        store.write(crafted(datetime.now(UTC)))
        yield store
    finally:
        store.close()


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def listed(html: str) -> list[str]:
    return re.findall(r'data-trace-id="([0-9a-f]{32})"', html)


def next_link(html: str) -> str | None:
    match = re.search(r'<a href="([^"]+)" id="next-page"', html)
    return unescape(match.group(1)) if match else None


def test_the_list_pages_through_every_trace_of_the_period_once(
    client: FlaskClient, seeded_store: Store
) -> None:
    since = datetime.now(UTC) - timedelta(hours=24)
    with seeded_store.connect() as conn:
        want = conn.execute(
            text("SELECT count(*) FROM traces WHERE start_time >= :s"), {"s": since}
        ).scalar_one()
    seen: list[str] = []
    url: str | None = "/traces?sort=cost"
    while url is not None:
        html = page(client, url)
        seen.extend(listed(html))
        url = next_link(html)
    assert len(seen) == len(set(seen)) == want > 50  # more than one page


def test_filters_narrow_the_list(client: FlaskClient) -> None:
    assert listed(page(client, f"/traces?model={MODEL}")) == [TRACE]
    assert listed(page(client, "/traces?q=PARCEL+4471")) == [TRACE]
    assert listed(page(client, "/traces?session=sess-view")) == [TRACE, LINKED]
    assert listed(page(client, "/traces?session=sess-view&order=asc")) == [LINKED, TRACE]
    assert listed(page(client, "/traces?user=view-user&status=error")) == [TRACE]
    assert listed(page(client, "/traces?user=view-user&status=ok")) == []
    assert listed(page(client, "/traces?service=parcels&min_duration=1500")) == [TRACE]
    errors = page(client, "/traces?status=error")
    assert TRACE in listed(errors)
    assert len(re.findall(r'<tr class="is-error"', errors)) == len(listed(errors))
    assert "No trace matches" in page(client, "/traces?model=no-such-model")


def test_sorting_by_cost_is_descending_and_links_toggle(client: FlaskClient) -> None:
    html = page(client, "/traces?sort=cost")
    costs = [float(value or -1) for value in re.findall(r'data-cost="([^"]*)"', html)]
    assert len(costs) == 50
    assert costs == sorted(costs, reverse=True)
    assert 'aria-sort="descending"' in html and "order=asc" in html


def test_broken_input_is_explained(client: FlaskClient) -> None:
    html = page(client, "/traces?min_cost=lots", status=400)
    assert "Minimum cost: &#39;lots&#39; is not a number." in html
    html = page(client, "/traces?cursor=forged.123")
    assert "invalid page cursor" in html and "showing the first page" in html


def test_an_htmx_request_gets_the_results_only(client: FlaskClient) -> None:
    response = client.get(f"/traces?model={MODEL}", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and listed(html) == [TRACE]
    restore = client.get(
        "/traces", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.get_data(as_text=True)


def test_show_sql_opens_the_query_in_the_console(client: FlaskClient) -> None:
    html = page(client, f"/traces?model={MODEL}")
    href = unescape(re.search(r'<a class="show-sql" href="([^"]+)"', html).group(1))  # type: ignore[union-attr]
    parts = urlsplit(href)
    assert parts.path == "/sql"
    assert f"'{MODEL}'" in parse_qs(parts.query)["q"][0]


def test_the_trace_page_shows_summary_waterfall_and_first_span(client: FlaskClient) -> None:
    html = page(client, f"/traces/{TRACE}")
    assert "parcel question" in html and 'badge badge-error">error' in html
    rows = re.findall(r'<li class="wf-row ([^"]+)"\s+data-span-id="([0-9a-f]+)"', html)
    assert [span for _, span in rows] == [ROOT, LLM, TOOL]
    assert "wf-agent" in rows[0][0] and "is-selected" in rows[0][0]
    assert "wf-tool is-error" in rows[2][0]
    assert re.findall(r'style="--depth: (\d)"', html) == ["0", "1", "2"]
    # Bars placed by start and duration relative to the 2 s trace.
    assert 'style="left: 0.0%; width: 100.0%"' in html
    assert 'style="left: 5.0%; width: 40.0%"' in html
    assert 'style="left: 50.0%; width: 15.0%"' in html
    assert "tool failed hard" in html  # logs of the trace
    assert f'href="/traces/{LINKED}?span=4444444444444444' in html  # the link, stored
    assert "sibling question" in html  # the session's other trace


def test_selecting_the_llm_span_shows_the_call_and_conversation(client: FlaskClient) -> None:
    html = page(client, f"/traces/{TRACE}?span={LLM}")
    facts = html[html.index('id="llm-facts"') :]
    for fact in (
        MODEL,
        "openai",
        "1,200",
        "1,000 cached",
        "60",
        "20 reasoning",
        "$0.0042",
        "210 ms",
        "gen_ai.request.temperature",
        "0.25",
    ):
        assert fact in facts, fact
    prompt = html[html.index('id="prompt"') : html.index('id="answer"')]
    assert re.search(r'class="role">system<.*You answer about parcels\.', prompt, re.S)
    assert re.search(r'class="role">user<.*Where is parcel 4471\?', prompt, re.S)
    answer = html[html.index('id="answer"') :]
    assert "Let me look." in answer
    assert "tool call track({&#34;id&#34;: 4471})" in answer
    assert '<details class="raw" id="raw-json">' in html


def test_a_failing_span_shows_its_exception(client: FlaskClient) -> None:
    html = page(client, f"/traces/{TRACE}?span={TOOL}")
    assert "Exception ConnectionError" in html and "Traceback: line 42" in html
    assert "tracking API down" in html


def test_unknown_traces_and_spans(client: FlaskClient) -> None:
    html = page(client, f"/traces/{'0' * 31}9", status=404)
    assert "<html" in html and "no trace" in html
    assert "has no span" in page(client, f"/traces/{TRACE}?span={'9' * 16}")


def test_the_trace_page_offers_its_spans_query(client: FlaskClient) -> None:
    html = page(client, f"/traces/{TRACE}")
    href = unescape(re.search(r'<a class="show-sql small" href="([^"]+)"', html).group(1))  # type: ignore[union-attr]
    assert f"'{TRACE}'" in parse_qs(urlsplit(href).query)["q"][0]
