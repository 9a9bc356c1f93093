"""Adding a price for an unpriced model from the Costs page re-prices the period's calls."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from llmobs_store.store import Store
from tests.conftest import BACKENDS
from tests.factories import T0, make_span
from tests.webui.views.conftest import csrf_token_of, open_seeded_store
from webui import close_app, create_app


@pytest.fixture(params=BACKENDS)
def fresh_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[FlaskClient]:
    store = open_seeded_store(request.param, tmp_path)
    app = create_app(store=store)
    try:
        yield app.test_client()
    finally:
        close_app(app)
        store.close()


def _unpriced_calls(store: Store, model: str) -> int:
    with store.connect() as conn:
        return int(
            conn.exec_driver_sql(
                f"SELECT count(*) FROM spans WHERE model = '{model}' AND cost_usd IS NULL "
                "AND input_tokens IS NOT NULL"
            ).scalar_one()
        )


def test_adding_a_price_prices_the_model_and_drops_it_from_the_list(
    fresh_client: FlaskClient,
) -> None:
    client = fresh_client
    store: Store = client.application.extensions["llmobs_store"]
    assert _unpriced_calls(store, "acme-llm-7b") > 0
    token = csrf_token_of(client)
    response = client.post(
        "/costs/prices?range=7d",
        data={"csrf_token": token, "model": "acme-llm-7b", "input": "0.4", "output": "1.2"},
    )
    assert response.status_code == 302
    assert response.location == "/costs?range=7d"
    html = client.get(response.location).get_data(as_text=True)
    assert re.search(r"Added price override \d+ for acme-llm-7b; re-priced [1-9]", html)
    assert _unpriced_calls(store, "acme-llm-7b") == 0
    assert 'name="model" value="acme-llm-7b"' not in html


def test_a_bad_price_or_a_missing_token_changes_nothing(fresh_client: FlaskClient) -> None:
    client = fresh_client
    store: Store = client.application.extensions["llmobs_store"]
    before = _unpriced_calls(store, "acme-llm-7b")
    token = csrf_token_of(client)
    for prices, problem in [
        ({"input": "-1", "output": "1"}, "input price: a number of USD per million tokens, 0"),
        ({"input": "1", "output": "x"}, "output price: a number of USD per million tokens"),
    ]:
        data = {"csrf_token": token, "model": "acme-llm-7b", **prices}
        bad = client.post("/costs/prices", data=data, follow_redirects=True)
        assert f"Price not added: {problem}" in bad.get_data(as_text=True)
    forged = client.post(
        "/costs/prices", data={"model": "acme-llm-7b", "input": "1", "output": "1"}
    )
    assert forged.status_code == 400
    assert _unpriced_calls(store, "acme-llm-7b") == before
    assert store.price_overrides == ()


def test_model_names_are_text_in_the_table_chart_and_forms(fresh_client: FlaskClient) -> None:
    client = fresh_client
    store: Store = client.application.extensions["llmobs_store"]
    payload = '</script><script>alert(1)</script>"><img src=x onerror=alert(2)>'
    start = datetime.now(UTC) - timedelta(hours=1)
    store.write(
        [
            make_span(
                offset_ms=(start - T0).total_seconds() * 1000,
                span_type="llm",
                model=payload,
                input_tokens=10,
                output_tokens=5,
            )
        ]
    )
    html = client.get("/costs").get_data(as_text=True)
    assert payload not in html
    assert "<img src=x" not in html and "<script>alert" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html  # table, form
    assert "\\u003c/script\\u003e" in html  # the chart's JSON block
