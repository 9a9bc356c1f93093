"""Backtest: replaying history makes exactly the transitions a live evaluation made."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from llmobs_store.alerts.backtest import backtest
from llmobs_store.alerts.evaluate import Transition
from llmobs_store.alerts.evaluator import Evaluator
from llmobs_store.alerts.history import list_events
from llmobs_store.alerts.rules import Rule
from llmobs_store.ingest.records import SpanRecord
from llmobs_store.store import Store
from tests.alerts.crafted import NOON, llm_span, stored

STEP = timedelta(minutes=5)


def _bursty_spans() -> list[SpanRecord]:
    """Three hours of calls for two models; latency bursts at different times per model."""
    rng = random.Random(11)
    spans = []
    for i in range(360):
        at = NOON + timedelta(seconds=i * 30)
        model = ("gpt-4o", "claude")[i % 2]
        burst = (model == "gpt-4o" and 40 <= i < 120) or (model == "claude" and 200 <= i < 230)
        slow = 3000.0 if i >= 300 else 2000.0
        duration = rng.uniform(slow, slow + 500) if burst else rng.uniform(100, 600)
        spans.append(llm_span(at, duration_ms=round(duration, 3), model=model))
    return spans


def _brief(transitions: list[Transition]) -> list[tuple[object, ...]]:
    return [
        (t.time, t.group_key, t.state, t.severity, t.value, t.threshold, t.num_samples, t.notify)
        for t in transitions
    ]


@pytest.mark.parametrize("for_s", [0, 600])
def test_backtest_reproduces_a_live_evaluation(store: Store, for_s: int) -> None:
    rule = stored(
        store,
        Rule(
            name="slow",
            metric="latency_p90",
            group_by=("model",),
            window_s=600,
            comparator=">",
            warning_threshold=1500.0,
            critical_threshold=2500.0,
            min_samples=5,
            for_s=for_s,
            cooldown_s=1800,
        ),
    )
    store.write(_bursty_spans())
    evaluator = Evaluator(store)
    live: list[Transition] = []
    times = [NOON + k * STEP for k in range(40)]
    for moment in times:
        live += evaluator.evaluate(moment, rules=[rule]).transitions
    replay = backtest(store, rule, since=times[0], until=times[-1], step_s=300)
    assert replay.num_steps == len(times)
    assert _brief(replay.transitions) == _brief(live)
    states = {t.state for t in live}
    assert {"firing", "resolved"} <= states
    assert ("pending" in states) == (for_s > 0)
    assert {t.group_key for t in live if t.state == "firing"} == {
        '{"model":"gpt-4o"}',
        '{"model":"claude"}',
    }
    # Nothing of the replay was stored: the history holds the live run only.
    with store.connect() as conn:
        assert len(list_events(conn, limit=1000)) == len(live)
    firing_now: set[str] = set()
    starts = []
    for t in live:
        if t.state == "firing" and t.group_key not in firing_now:
            starts.append((t.labels["model"], t.time))
        if t.state == "firing":
            firing_now.add(t.group_key)
        else:
            firing_now.discard(t.group_key)
    assert [(e.labels["model"], e.fired_at) for e in replay.episodes] == sorted(
        starts, key=lambda e: (e[1], e[0])
    )


def test_backtest_of_a_quiet_range_finds_nothing(store: Store) -> None:
    rule = Rule(name="r", metric="error_rate", window_s=300, comparator=">", warning_threshold=0.1)
    store.write([llm_span(NOON + timedelta(minutes=m)) for m in range(30)])
    result = backtest(store, rule, since=NOON, until=NOON + timedelta(hours=1), step_s=60)
    assert (result.num_steps, result.transitions, result.episodes) == (61, [], [])
    with pytest.raises(ValueError, match="before until"):
        backtest(store, rule, since=NOON, until=NOON - STEP)


@pytest.mark.parametrize("metric", ["cost_sum", "error_rate", "cost_zscore"])
def test_backtest_of_windowed_sums_reproduces_a_live_evaluation(store: Store, metric: str) -> None:
    thresholds = {"cost_sum": (0.5, 1.0), "error_rate": (0.2, 0.4), "cost_zscore": (2.0, 4.0)}
    warning, critical = thresholds[metric]
    rule = stored(
        store,
        Rule(
            name="sums",
            metric=metric,
            group_by=("tenant",),
            window_s=1800,
            comparator=">",
            warning_threshold=warning,
            critical_threshold=critical,
            cooldown_s=900,
        ),
    )
    rng = random.Random(5)
    start = NOON - timedelta(hours=6)
    spans = [
        llm_span(
            start + timedelta(seconds=i * 45 + rng.uniform(0, 40)),
            cost_usd=round(rng.uniform(0.001, 0.05) * (8 if 300 <= i < 340 else 1), 6),
            status="error" if rng.random() < (0.5 if 380 <= i < 420 else 0.05) else "ok",
            metadata={"tenant": ("acme", "globex")[i % 2]},
        )
        for i in range(560)
    ]
    store.write(spans)
    evaluator = Evaluator(store)
    live: list[Transition] = []
    times = [NOON - timedelta(hours=3) + k * STEP for k in range(37)]
    for moment in times:
        live += evaluator.evaluate(moment, rules=[rule]).transitions
    replay = backtest(store, rule, since=times[0], until=times[-1], step_s=300)
    assert {t.state for t in live} >= {"firing", "resolved"}
    exact = [(t.time, t.group_key, t.state, t.severity, t.num_samples, t.notify) for t in live]
    assert [
        (t.time, t.group_key, t.state, t.severity, t.num_samples, t.notify)
        for t in replay.transitions
    ] == exact
    # Sums may be added in another order: equal to the last bits.
    assert [t.value for t in replay.transitions] == pytest.approx([t.value for t in live])
