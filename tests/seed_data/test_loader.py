"""The demo's alert history: what the rules would have recorded over the generated days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from llmobs_store.alerts.backtest import backtest
from llmobs_store.alerts.rules import list_rules
from llmobs_store.store import Store
from seed_data import load_demo
from tests.conftest import count_rows

END = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_the_history_is_the_backtest_of_every_enabled_rule_recorded_once(store: Store) -> None:
    summary = load_demo(store, num_traces=2_000, days=1, seed=5, end=END, alert_history=True)
    with store.connect() as conn:
        rules = list_rules(conn, enabled_only=True)
        recorded = conn.execute(
            text(
                "SELECT rule_name, group_key, state, value, notification_status"
                " FROM alert_events ORDER BY rule_name, time, id"
            )
        ).all()
    expected = [
        (t.rule_name, t.group_key, t.state)
        for rule in sorted(rules, key=lambda r: r.name)
        for t in backtest(store, rule, since=END - timedelta(days=1), until=END).transitions
    ]
    assert summary.num_alert_events == len(recorded) == len(expected) > 0
    assert [(r.rule_name, r.group_key, r.state) for r in recorded] == expected
    assert {r.state for r in recorded} >= {"firing", "resolved"}
    assert all(r.notification_status is None for r in recorded)  # nothing was sent
    assert all(r.value is not None for r in recorded if r.state != "resolved")

    again = load_demo(store, num_traces=20, days=1, seed=6, end=END, alert_history=True)
    assert again.num_alert_events == 0
    assert count_rows(store, "alert_events") == len(recorded)
