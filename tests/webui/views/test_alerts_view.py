"""The Alerts screen: active alerts, history, rules (create, edit, toggle) and backtests."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from llmobs_store.alerts.evaluator import Evaluator
from llmobs_store.alerts.rules import Rule, get_rule, list_rules
from llmobs_store.store import Store
from tests.alerts.crafted import spread, stored
from webui import close_app, create_app

NOW = datetime.now(UTC).replace(second=0, microsecond=0)


@pytest.fixture
def client(store: Store) -> Iterator[FlaskClient]:
    app = create_app(store=store)
    try:
        yield app.test_client()
    finally:
        close_app(app)


def _token(client: FlaskClient) -> str:
    client.get("/alerts")
    with client.session_transaction() as session:
        token: str = session["csrf_token"]
    return token


def _slow_rule(store: Store) -> Rule:
    return stored(
        store,
        Rule(
            name="slow_calls",
            description="p95 of LLM calls",
            metric="latency_p95",
            group_by=("model",),
            window_s=600,
            comparator=">",
            warning_threshold=1000.0,
            critical_threshold=5000.0,
            notifiers=({"type": "log"},),
        ),
    )


def _chart(html: str, chart_id: str) -> dict[str, object]:
    found = re.search(rf'<script type="application/json" id="{chart_id}">(.*?)</script>', html)
    assert found, chart_id
    spec: dict[str, object] = json.loads(found.group(1))
    return spec


def test_active_alerts_history_and_rules(client: FlaskClient, store: Store) -> None:
    rule = _slow_rule(store)
    store.write(spread(NOW - timedelta(minutes=40), 6, 60.0, duration_ms=2500.0, model="gpt-4o"))
    store.write(spread(NOW - timedelta(minutes=40), 6, 60.0, duration_ms=100.0, model="claude"))
    evaluator = Evaluator(store)
    evaluator.evaluate(NOW - timedelta(minutes=34), rules=[rule])
    html = client.get("/alerts?range=1h").get_data(as_text=True)
    firing = html.split('id="active-alerts"')[1].split("</section>")[0]
    assert "slow_calls" in firing and "model=gpt-4o" in firing and "claude" not in firing
    assert "2,500.00" in firing and "1,000.00" in firing
    history = html.split('id="alert-history"')[1].split("</section>")[0]
    assert "1 alert in this period" in history and "<strong>firing</strong>" in history
    timeline = _chart(html, "alert-timeline")
    assert timeline["kind"] == "bar"
    series: list[dict[str, Any]] = timeline["series"]  # type: ignore[assignment]
    assert [s["label"] for s in series] == ["warning"] and sum(series[0]["values"]) == 1
    assert 'id="rules-table"' in html and "&gt; 1,000.00" in html

    # Resolved: the history shows how long it lasted; nothing is firing any more.
    evaluator.evaluate(NOW - timedelta(minutes=20), rules=[rule])
    html = client.get("/alerts?range=1h").get_data(as_text=True)
    assert 'id="no-active-alerts"' in html
    history = html.split('id="alert-history"')[1].split("</section>")[0]
    assert ">resolved<" in history and ">14m<" in history


def test_create_a_rule_with_the_form(client: FlaskClient, store: Store) -> None:
    form = {
        "csrf_token": _token(client),
        "name": "tenant_spend",
        "metric": "cost_sum",
        "window": "1h",
        "comparator": ">=",
        "warning_threshold": "5",
        "critical_threshold": "",
        "severity": "critical",
        "group_by": "tenant, model",
        "filters": "span_type=llm, model=gpt-4o|gpt-4o-mini",
        "min_samples": "2",
        "for": "5m",
        "cooldown": "2h",
        "no_data": "keep",
        "message_template": "{tenant} spent {value}",
        "notifiers": "slack https://hooks.example.com/x\nlog",
        "enabled": "1",
    }
    response = client.post("/alerts/rules/new", data=form)
    assert response.status_code == 302 and response.location.endswith("#rules")
    with store.connect() as conn:
        rule = get_rule(conn, "tenant_spend")
    assert rule.filters == {"span_type": "llm", "model": ["gpt-4o", "gpt-4o-mini"]}
    assert (rule.group_by, rule.window_s, rule.for_s, rule.cooldown_s) == (
        ("tenant", "model"),
        3600,
        300,
        7200,
    )
    assert (rule.warning_threshold, rule.severity, rule.no_data, rule.min_samples) == (
        5.0,
        "critical",
        "keep",
        2,
    )
    assert rule.notifiers == (
        {"type": "slack", "url": "https://hooks.example.com/x"},
        {"type": "log"},
    )
    html = client.get(response.location).get_data(as_text=True)
    assert "Rule tenant_spend saved." in html and ">tenant_spend</a>" in html
    # The same name again is refused.
    again = client.post("/alerts/rules/new", data=form)
    assert again.status_code == 400
    assert "a rule named tenant_spend exists already" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"warning_threshold": ""}, "set a warning or a critical threshold"),
        ({"warning_threshold": "lots"}, "warning_threshold must be a number"),
        ({"window": "5 minutes"}, "is not a duration"),
        ({"filters": "model"}, "write key=value"),
        ({"notifiers": "webhook"}, "needs an http(s) url"),
        ({"metric": "custom_sql"}, "needs a query"),
    ],
)
def test_an_invalid_form_is_shown_again_with_the_reason(
    client: FlaskClient, store: Store, changes: dict[str, str], message: str
) -> None:
    form = {
        "csrf_token": _token(client),
        "name": "bad",
        "metric": "error_rate",
        "window": "5m",
        "comparator": ">",
        "warning_threshold": "0.1",
        **changes,
    }
    response = client.post("/alerts/rules/new", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html.replace("&#39;", "'")
    assert 'value="bad"' in html  # what was typed is kept
    with store.connect() as conn:
        assert list_rules(conn) == []


def test_edit_toggle_and_csrf(client: FlaskClient, store: Store) -> None:
    _slow_rule(store)
    form_page = client.get("/alerts/rules/slow_calls/edit").get_data(as_text=True)
    assert 'value="slow_calls"' in form_page and "readonly" in form_page
    assert (
        'value="10m"' in form_page and 'value="1000"' in form_page and 'value="model"' in form_page
    )
    token = _token(client)
    edited = {
        "csrf_token": token,
        "name": "renamed-is-ignored",
        "metric": "latency_p99",
        "window": "15m",
        "comparator": ">",
        "warning_threshold": "1200",
        "critical_threshold": "6000",
        "group_by": "model",
        "notifiers": "log",
        "enabled": "1",
    }
    assert client.post("/alerts/rules/slow_calls/edit", data=edited).status_code == 302
    with store.connect() as conn:
        rule = get_rule(conn, "slow_calls")
        assert [r.name for r in list_rules(conn)] == ["slow_calls"]
    assert (rule.metric, rule.window_s, rule.warning_threshold) == ("latency_p99", 900, 1200.0)

    disable = {"csrf_token": token, "enabled": "0"}
    assert client.post("/alerts/rules/slow_calls/enabled", data=disable).status_code == 302
    with store.connect() as conn:
        assert get_rule(conn, "slow_calls").enabled is False
    assert client.post("/alerts/rules/slow_calls/enabled", data={"enabled": "1"}).status_code == 400
    assert client.post("/alerts/rules/nope/enabled", data=disable).status_code == 404
    assert client.get("/alerts/rules/nope/edit").status_code == 404
    with store.connect() as conn:
        assert get_rule(conn, "slow_calls").enabled is False


def test_backtest_page_charts_the_value_against_the_thresholds(
    client: FlaskClient, store: Store
) -> None:
    _slow_rule(store)
    start = NOW - timedelta(hours=5)
    store.write(spread(start, 30, 60.0, duration_ms=3000.0, model="gpt-4o"))
    store.write(spread(start, 300, 60.0, duration_ms=200.0, model="claude"))
    response = client.get("/alerts/rules/slow_calls/backtest?days=1")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "fired 1 time." in html
    episodes = html.split('id="backtest-episodes"')[1].split("</table>")[0]
    assert "model=gpt-4o" in episodes and "claude" not in episodes
    chart = _chart(html, "backtest-chart")
    labels = [s["label"] for s in chart["series"]]  # type: ignore[attr-defined]
    assert labels[-2:] == ["warning threshold", "critical threshold"]
    assert {"model=gpt-4o", "model=claude"} <= set(labels)
    assert chart["unit"] == "ms" and len(chart["x"]) == 481  # type: ignore[arg-type]
    assert client.get("/alerts/rules/nope/backtest").status_code == 404
