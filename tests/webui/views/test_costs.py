"""The Costs page: the report follows the grouping and the global filters; CSV; chart data."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import text

from llmobs_store.store import Store


def _llm_totals(store: Store, where: str = "") -> tuple[int, float]:
    sql = (
        "SELECT count(*), coalesce(sum(cost_usd), 0) FROM spans WHERE span_type = 'llm' "
        "AND start_time >= :since " + where
    )
    since = datetime.now(UTC) - timedelta(hours=25)
    with store.connect() as conn:
        calls, cost = conn.execute(text(sql), {"since": since}).one()
    return int(calls), float(cost)


def _chart(html: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="cost-chart">(.*?)</script>', html, re.S)
    assert match is not None
    chart: dict[str, object] = json.loads(match.group(1))
    return chart


def test_the_report_groups_by_model_with_totals_and_coverage(
    client: FlaskClient, seeded_store: Store
) -> None:
    response = client.get("/costs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    calls, cost = _llm_totals(seeded_store)
    assert re.search(rf'<td colspan="1">Total</td>\s*<td class="num">{calls:,}</td>', html)
    assert f'id="total-cost">${cost:,.2f}<' in html
    assert 'id="price-coverage">' in html
    chart = _chart(html)
    assert chart["kind"] == "bar" and chart["unit"] == "$" and chart["x_type"] == "category"
    assert "acme-llm-7b" in html  # the demo's unpriced model is listed with a price form
    assert 'name="model" value="acme-llm-7b"' in html


def test_grouping_by_day_and_model_draws_a_line_per_model(client: FlaskClient) -> None:
    html = client.get("/costs", query_string={"group": "day", "then": "model"}).get_data(
        as_text=True
    )
    chart = _chart(html)
    assert chart["kind"] == "line" and chart["x_type"] == "time"
    series = chart["series"]
    assert isinstance(series, list) and len(series) > 1
    assert "<th>Day</th>" not in html and "<th>day</th>" in html


def test_the_service_filter_and_attribute_grouping_change_the_report(
    client: FlaskClient, seeded_store: Store
) -> None:
    everything = client.get("/costs").get_data(as_text=True)
    one = client.get("/costs", query_string={"service": "search-api"}).get_data(as_text=True)
    calls, _ = _llm_totals(seeded_store, "AND service_name = 'search-api'")
    assert re.search(rf'<td colspan="1">Total</td>\s*<td class="num">{calls:,}</td>', one)
    assert everything != one
    tenants = client.get("/costs", query_string={"group": "attribute", "attribute": "tenant"})
    assert tenants.status_code == 200
    assert "acme" in tenants.get_data(as_text=True)
    missing = client.get("/costs", query_string={"group": "attribute"})
    assert missing.status_code == 400
    assert "type the attribute" in missing.get_data(as_text=True)


def test_the_csv_download_has_every_group(client: FlaskClient, seeded_store: Store) -> None:
    response = client.get("/costs.csv", query_string={"group": "model", "range": "24h"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="costs-model-')
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    calls, cost = _llm_totals(seeded_store)
    assert sum(int(row["requests"]) for row in rows) == calls
    assert abs(sum(float(row["cost_usd"] or 0) for row in rows) - cost) < 1e-6
    assert client.get("/costs.csv", query_string={"group": "nope!"}).status_code == 400


def test_a_period_without_calls_is_an_empty_report(client: FlaskClient) -> None:
    args = {"range": "custom", "since": "2001-01-01T00:00", "until": "2001-01-02T00:00"}
    html = client.get("/costs", query_string=args).get_data(as_text=True)
    assert "No LLM calls in this period." in html
    assert _chart(html)["x"] == []
    assert 'id="all-priced"' in html
