"""The Dashboard: tiles, charts and the model table agree with the data; Show SQL links run."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy
import pytest
from flask.testing import FlaskClient
from sqlalchemy import insert, text

from llmobs_store.analytics.buckets import floor_to_bucket
from llmobs_store.db.models import AlertEvent
from llmobs_store.sql.runner import run_query
from llmobs_store.store import Store
from webui.views.dashboard import bucket_for

# A fixed period around the seeded day, so the page and the checks below see the same spans.
UNTIL = floor_to_bucket(datetime.now(UTC), 900) + timedelta(hours=1)
SINCE = UNTIL - timedelta(hours=31)
PERIOD = {"range": "custom", "since": SINCE.isoformat(), "until": UNTIL.isoformat()}


def _llm_calls(store: Store, service: str | None = None) -> list[tuple[Any, ...]]:
    sql = (
        "SELECT model, status, duration_ms, cost_usd, input_tokens, output_tokens FROM spans "
        "WHERE span_type = 'llm' AND start_time >= :since AND start_time < :until"
        + (" AND service_name = :service" if service else "")
    )
    params = {"since": SINCE, "until": UNTIL, "service": service}
    with store.connect() as conn:
        return [tuple(row) for row in conn.execute(text(sql), params)]


def _charts(html: str) -> dict[str, dict[str, Any]]:
    blocks = re.findall(
        r'<script type="application/json" id="chart-([a-z_]+)">(.*?)</script>', html, re.S
    )
    return {name: json.loads(body) for name, body in blocks}


def _tile(html: str, name: str) -> str:
    match = re.search(rf'id="tile-{name}">.*?<div class="value">(.*?)</div>', html, re.S)
    assert match is not None
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_tiles_match_the_stored_calls(client: FlaskClient, seeded_store: Store) -> None:
    response = client.get("/", query_string=PERIOD)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    calls = _llm_calls(seeded_store)
    assert calls
    assert _tile(html, "requests") == f"{len(calls):,}"
    errors = sum(status == "error" for _, status, *_ in calls)
    assert _tile(html, "error-rate") == f"{errors / len(calls) * 100:.1f} %"
    p95 = numpy.percentile([c[2] for c in calls], 95)
    assert _tile(html, "latency") == f"{p95:,.0f} ms"
    tokens = sum((c[4] or 0) + (c[5] or 0) for c in calls)
    assert _tile(html, "tokens") == f"{tokens:,}"
    cost = sum(c[3] for c in calls if c[3] is not None)
    assert _tile(html, "cost") == f"${cost:,.2f}"
    priced = sum(c[3] is not None for c in calls)
    assert f'id="price-coverage">{priced / len(calls) * 100:.1f} %<' in html


def test_failed_calls_link_to_their_traces(client: FlaskClient, seeded_store: Store) -> None:
    html = client.get("/", query_string=PERIOD).get_data(as_text=True)
    match = re.search(r'<a id="failed-calls" href="([^"]+)">([\d,]+) failed</a>', html)
    assert match is not None
    errors = sum(status == "error" for _, status, *_ in _llm_calls(seeded_store))
    assert int(match.group(2).replace(",", "")) == errors
    link = urlparse(unescape(match.group(1)))
    assert link.path == "/traces" and parse_qs(link.query)["status"] == ["error"]
    listed = client.get(link.path, query_string=link.query).get_data(as_text=True)
    assert "badge badge-error" in listed


def test_charts_cover_the_period_and_sum_to_the_totals(
    client: FlaskClient, seeded_store: Store
) -> None:
    html = client.get("/", query_string=PERIOD).get_data(as_text=True)
    charts = _charts(html)
    assert set(charts) == {"requests", "latency", "model_latency", "tokens", "cost", "cache"}
    requests = charts["requests"]
    x = requests["x"]
    assert isinstance(x, list) and len(x) == 31 * 4  # 31 hours in 15-minute buckets
    assert x[0] == SINCE.timestamp() and x[-1] == UNTIL.timestamp() - 900
    assert all(b - a == 900 for a, b in zip(x, x[1:], strict=False))
    series = {s["label"]: s["values"] for s in requests["series"]}
    calls = _llm_calls(seeded_store)
    assert sum(series["Calls"]) == len(calls)
    assert sum(series["Errors"]) == sum(c[1] == "error" for c in calls)
    cost_series = charts["cost"]["series"]
    assert isinstance(cost_series, list) and len(cost_series) >= 2
    cost = sum(sum(v for v in s["values"] if v) for s in cost_series)
    assert cost == pytest.approx(sum(c[3] for c in calls if c[3] is not None))
    assert charts["latency"]["unit"] == "ms" and charts["cache"]["unit"] == "%"


def test_the_model_table(client: FlaskClient, seeded_store: Store) -> None:
    html = client.get("/", query_string=PERIOD).get_data(as_text=True)
    table = html.split('id="model-table"')[1].split("</table>")[0]
    models = re.findall(r'<td><a href="/traces\?[^"]*model=([^"&]+)[^"]*">', table)
    calls = _llm_calls(seeded_store)
    assert set(models) == {c[0] for c in calls if c[0] is not None}
    busiest = max({c[0] for c in calls}, key=lambda m: sum(c[0] == m for c in calls))
    row = table.split("<tbody>")[1].split("</tr>")[0]
    assert busiest in row
    values = [c[2] for c in calls if c[0] == busiest]
    cells = [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    assert cells[1] == f"{len(values):,}"
    assert cells[4] == f"{numpy.percentile(values, 95):,.0f}"


def test_show_sql_links_run_in_the_console_and_agree(
    client: FlaskClient, seeded_store: Store
) -> None:
    html = client.get("/", query_string=PERIOD).get_data(as_text=True)
    links = {unescape(link) for link in re.findall(r'<a class="show-sql" href="([^"]+)"', html)}
    assert len(links) >= 6
    for link in links:
        url = urlparse(link)
        assert url.path == "/sql"
        (sql,) = parse_qs(url.query)["q"]
        result = run_query(seeded_store, sql)  # passes the guard and runs read-only
        assert result.columns
        page = client.get(link)
        assert page.status_code == 200
    # The requests tile's own query gives the number the tile shows.
    tile = html.split('id="tile-requests"')[1].split('id="tile-error-rate"')[0]
    match = re.search(r'<a class="show-sql" href="([^"]+)"', tile)
    assert match is not None
    (sql,) = parse_qs(urlparse(unescape(match.group(1))).query)["q"]
    (row,) = run_query(seeded_store, sql).rows
    assert _tile(html, "requests") == f"{int(row[0]):,}"


def test_the_service_filter_narrows_everything(client: FlaskClient, seeded_store: Store) -> None:
    with seeded_store.connect() as conn:
        service = conn.execute(
            text(
                "SELECT service_name FROM spans WHERE span_type = 'llm' "
                "GROUP BY 1 ORDER BY count(*) LIMIT 1"
            )
        ).scalar_one()
    html = client.get("/", query_string={**PERIOD, "service": service}).get_data(as_text=True)
    calls = _llm_calls(seeded_store, service)
    assert _tile(html, "requests") == f"{len(calls):,}"
    nobody = client.get("/", query_string={"service": "no-such-service"}).get_data(as_text=True)
    assert _tile(nobody, "requests") == "0"
    assert "No LLM calls in this period" in nobody
    assert _tile(nobody, "latency") == "–"


def test_ranges_choose_their_buckets(client: FlaskClient) -> None:
    assert bucket_for(timedelta(hours=1)) == 60
    assert bucket_for(timedelta(hours=24)) == 300
    assert bucket_for(timedelta(days=7)) == 3600
    assert bucket_for(timedelta(days=30)) == 21_600
    assert bucket_for(timedelta(days=400)) == 86_400
    for range_key, step in (("1h", 60), ("24h", 300), ("7d", 3600), ("30d", 21_600)):
        html = client.get("/", query_string={"range": range_key}).get_data(as_text=True)
        x = _charts(html)["tokens"]["x"]
        assert isinstance(x, list) and x[1] - x[0] == step


def test_the_per_model_latency_chart_shows_the_chosen_percentile(
    client: FlaskClient, seeded_store: Store
) -> None:
    html = client.get("/", query_string={**PERIOD, "percentile": "p99"}).get_data(as_text=True)
    chart = _charts(html)["model_latency"]
    assert chart["title"] == "Latency p99 per model"
    series = chart["series"][0]
    index, value = next((i, v) for i, v in enumerate(series["values"]) if v is not None)
    start = datetime.fromtimestamp(chart["x"][index], UTC)
    with seeded_store.connect() as conn:
        durations = conn.execute(
            text(
                "SELECT duration_ms FROM spans WHERE span_type = 'llm' AND model = :model "
                "AND start_time >= :start AND start_time < :end"
            ),
            {"model": series["label"], "start": start, "end": start + timedelta(minutes=15)},
        ).scalars()
        assert value == pytest.approx(numpy.percentile(list(durations), 99))
    fallback = client.get("/", query_string={**PERIOD, "percentile": "p42"}).get_data(as_text=True)
    assert _charts(fallback)["model_latency"]["title"] == "Latency p95 per model"


def test_the_alerts_tile_counts_firing_alerts(client: FlaskClient, seeded_store: Store) -> None:
    # Runs last in this module: it adds alert events to the shared store.
    now = datetime.now(UTC)
    events = [
        ("high_error_rate", "firing", now - timedelta(minutes=5)),
        ("cost_spike", "firing", now - timedelta(minutes=9)),
        ("cost_spike", "resolved", now - timedelta(minutes=2)),
    ]
    with seeded_store.engine.begin() as conn:
        for name, state, time in events:
            conn.execute(
                insert(AlertEvent).values(
                    rule_id=1 if name == "high_error_rate" else 2,
                    rule_name=name,
                    group_key="",
                    state=state,
                    severity="critical",
                    value=0.3,
                    threshold=0.1,
                    time=time,
                )
            )
    html = client.get("/", query_string=PERIOD).get_data(as_text=True)
    assert _tile(html, "alerts") == "1"
    tile = html.split('id="tile-alerts"')[1].split("</div>\n</div>")[0]
    assert "high_error_rate" in tile and "cost_spike" not in tile
