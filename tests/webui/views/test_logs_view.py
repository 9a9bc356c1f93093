"""The Logs screen through the Flask client: filters, links to traces, newest-first pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from llmobs_store.store import Store
from tests.conftest import BACKENDS
from tests.factories import make_log
from tests.webui.views.conftest import open_seeded_store

TRACE = "cafe" * 8
SPAN = "5" * 16


@pytest.fixture(scope="module", params=BACKENDS)
def seeded_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """The demo store plus a few crafted log entries."""
    store = open_seeded_store(request.param, tmp_path_factory.mktemp("logs_view"))
    now = datetime.now(UTC)
    try:
        store.write(
            [
                replace(
                    make_log(
                        "quota nearly exhausted",
                        model="view-model",
                        service_name="billing",
                        trace_id=TRACE,
                        span_id=SPAN,
                    ),
                    time=now - timedelta(minutes=5),
                    level="warning",
                ),
                replace(
                    make_log(
                        "quota exhausted",
                        model="view-model",
                        service_name="billing",
                        trace_id=TRACE,
                        error_type="QuotaError",
                        error_message="no credit left",
                    ),
                    time=now - timedelta(minutes=4),
                    level="critical",
                ),
                replace(make_log("ancient history", trace_id=TRACE), time=now - timedelta(days=20)),
            ]
        )
        yield store
    finally:
        store.close()


def page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def messages(html: str) -> list[str]:
    return [unescape(m).strip() for m in re.findall(r'<td class="message-cell">([^<]*)', html)]


def test_filters_by_level_model_text_and_service(client: FlaskClient) -> None:
    assert messages(page(client, "/logs?model=view-model")) == [
        "quota exhausted",
        "quota nearly exhausted",
    ]
    assert messages(page(client, "/logs?model=view-model&level=critical")) == ["quota exhausted"]
    assert messages(page(client, "/logs?q=NO+CREDIT")) == ["quota exhausted"]
    assert messages(page(client, "/logs?q=quota&service=billing&level=warning")) == [
        "quota exhausted",
        "quota nearly exhausted",
    ]
    html = page(client, "/logs?level=critical")
    assert all(level == "critical" for level in re.findall(r'badge badge-error">(\w+)<', html))
    assert "is not one of" in page(client, "/logs?level=loud")


def test_a_trace_id_shows_that_trace_whatever_the_period(client: FlaskClient) -> None:
    html = page(client, f"/logs?trace_id={TRACE}")
    assert messages(html) == ["quota exhausted", "quota nearly exhausted", "ancient history"]
    assert "any time" in html


def test_each_line_links_to_its_trace_and_span(client: FlaskClient) -> None:
    html = page(client, "/logs?model=view-model")
    links = [unescape(href) for href in re.findall(r'class="id trace-link" href="([^"]+)"', html)]
    assert links[0].startswith(f"/traces/{TRACE}?") and "span=" not in links[0]
    assert links[1].startswith(f"/traces/{TRACE}?span={SPAN}")


def test_older_pages_cover_the_period_once(client: FlaskClient, seeded_store: Store) -> None:
    since = datetime.now(UTC) - timedelta(hours=24)
    with seeded_store.connect() as conn:
        want = conn.execute(
            text("SELECT count(*) FROM logs WHERE time >= :s"), {"s": since}
        ).scalar_one()
    seen = 0
    url: str | None = "/logs"
    pages = 0
    while url is not None:
        html = page(client, url)
        seen += len(messages(html))
        pages += 1
        match = re.search(r'<a href="([^"]+)" id="next-page"', html)
        url = unescape(match.group(1)) if match else None
    assert seen == want and pages > 1
    assert "invalid page cursor" in page(client, "/logs?cursor=abc.def")
