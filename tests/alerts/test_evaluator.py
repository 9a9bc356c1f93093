"""The evaluator on real databases: built-ins fire, hold and resolve; history is kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from llmobs_store.alerts.active import list_active_alerts
from llmobs_store.alerts.defaults import DEFAULT_RULES
from llmobs_store.alerts.evaluator import Evaluator
from llmobs_store.alerts.history import list_events
from llmobs_store.alerts.rules import Rule, set_rule_enabled
from llmobs_store.db.models import AlertEvent
from llmobs_store.ingest.records import Record
from llmobs_store.store import Store
from tests.alerts.crafted import NOON, cache_samples, llm_span, spread, stored

BUILT_IN = {r.name: r for r in DEFAULT_RULES}
MINUTE = timedelta(minutes=1)


def _error_burst() -> list[Record]:
    bad = spread(NOON - 4 * MINUTE, 120, 2.0, status="error")
    good = spread(NOON - 4 * MINUTE, 80, 3.0)
    recovered = spread(NOON + 6 * MINUTE, 150, 1.0)
    return [*bad, *good, *recovered]


def _slow_calls() -> list[Record]:
    slow = spread(NOON - 4 * MINUTE, 30, 5.0, duration_ms=7_000.0)
    fast = spread(NOON + 6 * MINUTE, 30, 5.0, duration_ms=300.0)
    return [*slow, *fast]


def _cost_jump() -> list[Record]:
    hourly = [
        llm_span(NOON - timedelta(hours=h, minutes=30), cost_usd=1.0 + h % 2 * 0.5)
        for h in range(2, 30)
    ]
    jump = [llm_span(NOON - timedelta(minutes=40 - i), cost_usd=10.0) for i in range(5)]
    after = [llm_span(NOON + timedelta(hours=1, minutes=20), cost_usd=1.2)]
    return [*hourly, *jump, *after]


def _cache_misses() -> list[Record]:
    return [
        *cache_samples(NOON - 50 * MINUTE, hits=10, misses=110, every_s=10.0),
        *cache_samples(NOON + 70 * MINUTE, hits=110, misses=10, every_s=10.0),
    ]


# Rule, its data, and when it fires / still holds / has resolved.
SCENARIOS: dict[str, tuple[Callable[[], list[Record]], tuple[datetime, datetime, datetime]]] = {
    "high_error_rate": (_error_burst, (NOON, NOON + 2 * MINUTE, NOON + 11 * MINUTE)),
    "high_latency": (_slow_calls, (NOON, NOON + 2 * MINUTE, NOON + 11 * MINUTE)),
    "cost_spike": (_cost_jump, (NOON, NOON + 10 * MINUTE, NOON + timedelta(hours=2))),
    "low_cache_hit_rate": (_cache_misses, (NOON, NOON + 10 * MINUTE, NOON + 2 * 60 * MINUTE)),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_each_built_in_fires_holds_and_resolves(store: Store, name: str) -> None:
    rule = stored(store, BUILT_IN[name])
    data, (fire_at, hold_at, resolve_at) = SCENARIOS[name]
    store.write(data())
    evaluator = Evaluator(store)
    assert evaluator.evaluate(fire_at - timedelta(hours=3), rules=[rule]).transitions == []
    fired = evaluator.evaluate(fire_at, rules=[rule]).transitions
    assert [(t.state, t.severity) for t in fired] == [("firing", rule.severity)]
    assert fired[0].value is not None and rule.severity_for(fired[0].value) == rule.severity
    assert evaluator.evaluate(hold_at, rules=[rule]).transitions == []
    with store.connect() as conn:
        assert [a.name for a in list_active_alerts(conn)] == [name]
    resolved = evaluator.evaluate(resolve_at, rules=[rule]).transitions
    assert [t.state for t in resolved] == ["resolved"]
    with store.connect() as conn:
        assert list_active_alerts(conn) == []
        events = list_events(conn, rule_name=name)
    assert [(e.state, e.time) for e in events] == [("resolved", resolve_at), ("firing", fire_at)]
    firing = events[1]
    assert firing.value == pytest.approx(fired[0].value)
    assert firing.threshold == rule.threshold_for(rule.severity)
    assert firing.num_samples == fired[0].num_samples > 0
    assert firing.message == fired[0].message and firing.active_since == fire_at


def test_group_by_fires_per_group_and_records_labels(store: Store) -> None:
    rule = stored(
        store,
        Rule(
            name="tenant_spend",
            metric="cost_sum",
            group_by=("tenant",),
            window_s=3600,
            comparator=">",
            warning_threshold=1.0,
            critical_threshold=5.0,
            message_template="{tenant} spent {value} USD (limit {threshold})",
        ),
    )
    store.write(
        [
            *spread(NOON - 30 * MINUTE, 3, 60.0, cost_usd=1.0, metadata={"tenant": "acme"}),
            *spread(NOON - 30 * MINUTE, 3, 60.0, cost_usd=0.1, metadata={"tenant": "globex"}),
            *spread(NOON - 20 * MINUTE, 2, 60.0, cost_usd=4.0, metadata={"tenant": "initech"}),
        ]
    )
    found = Evaluator(store).evaluate(NOON, rules=[rule]).transitions
    assert [(t.labels, t.severity, t.value, t.threshold) for t in found] == [
        ({"tenant": "acme"}, "warning", 3.0, 1.0),
        ({"tenant": "initech"}, "critical", 8.0, 5.0),
    ]
    with store.connect() as conn:
        rows = conn.execute(
            select(AlertEvent.group_key, AlertEvent.labels, AlertEvent.message).order_by(
                AlertEvent.group_key
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ('{"tenant":"acme"}', {"tenant": "acme"}, "acme spent 3 USD (limit 1)"),
        ('{"tenant":"initech"}', {"tenant": "initech"}, "initech spent 8 USD (limit 5)"),
    ]


def test_a_restart_continues_from_the_history(store: Store) -> None:
    rule = stored(
        store,
        Rule(
            name="busy",
            metric="request_count",
            window_s=600,
            comparator=">",
            warning_threshold=5.0,
            for_s=120,
            cooldown_s=1800,
        ),
    )
    store.write(spread(NOON - 30 * MINUTE, 120, 30.0))
    first = Evaluator(store)
    assert [t.state for t in first.evaluate(NOON, rules=[rule]).transitions] == ["pending"]
    # A new evaluator (a restarted server) keeps the pending start and fires on time.
    second = Evaluator(store)
    assert second.evaluate(NOON + MINUTE, rules=[rule]).transitions == []
    fired = second.evaluate(NOON + 2 * MINUTE, rules=[rule]).transitions
    assert [(t.state, t.active_since) for t in fired] == [("firing", NOON)]
    # Another restart neither fires again nor renotifies before the cooldown.
    third = Evaluator(store)
    assert third.evaluate(NOON + 20 * MINUTE, rules=[rule]).transitions == []
    again = third.evaluate(NOON + 33 * MINUTE, rules=[rule]).transitions
    assert [(t.state, t.notify) for t in again] == [("firing", "due")]


def test_a_broken_rule_does_not_stop_the_others(store: Store) -> None:
    stored(
        store,
        Rule(
            name="broken",
            metric="custom_sql",
            query="SELECT nope FROM spans",
            window_s=60,
            comparator=">",
            warning_threshold=1.0,
        ),
    )
    stored(
        store,
        Rule(
            name="busy", metric="request_count", window_s=60, comparator=">=", warning_threshold=1.0
        ),
    )
    store.write([llm_span(NOON - MINUTE / 2)])
    result = Evaluator(store).evaluate(NOON)
    assert [t.rule_name for t in result.transitions] == ["busy"]
    assert list(result.errors) == ["broken"] and "nope" in result.errors["broken"]


def test_disabled_rules_are_not_evaluated(store: Store) -> None:
    stored(
        store,
        Rule(
            name="off",
            metric="request_count",
            window_s=60,
            comparator=">=",
            warning_threshold=1.0,
            enabled=False,
        ),
    )
    store.write([llm_span(NOON - MINUTE / 2)])
    assert Evaluator(store).evaluate(NOON).transitions == []


def test_disabling_a_firing_rule_resolves_its_alerts(store: Store) -> None:
    stored(
        store,
        Rule(
            name="busy",
            metric="request_count",
            window_s=600,
            comparator=">=",
            warning_threshold=1.0,
            group_by=("model",),
        ),
    )
    store.write([llm_span(NOON - MINUTE, model="a"), llm_span(NOON - MINUTE, model="b")])
    assert len(Evaluator(store).evaluate(NOON).transitions) == 2
    with store.engine.begin() as conn:
        set_rule_enabled(conn, "busy", False, now=NOON)
    # A restarted evaluator knows the alerts from the history and retires them.
    retired = Evaluator(store).evaluate(NOON + MINUTE).transitions
    assert [(t.rule_name, t.labels, t.state, t.message) for t in retired] == [
        ("busy", {"model": "a"}, "resolved", "Resolved: rule busy was disabled or deleted"),
        ("busy", {"model": "b"}, "resolved", "Resolved: rule busy was disabled or deleted"),
    ]
    with store.connect() as conn:
        assert list_active_alerts(conn) == []
