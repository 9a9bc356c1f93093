"""The state machine alone: verdicts in, transitions out (no database)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from llmobs_store.alerts.evaluate import GroupState, Transition, advance, render_message
from llmobs_store.alerts.measures import Measurement
from llmobs_store.alerts.rules import Rule
from tests.alerts.crafted import NOON

MINUTE = timedelta(minutes=1)


def _rule(**changes: Any) -> Rule:
    values: dict[str, Any] = {
        "name": "latency",
        "metric": "latency_p95",
        "window_s": 300,
        "comparator": ">",
        "warning_threshold": 1000.0,
        "critical_threshold": 2000.0,
        "min_samples": 5,
        "cooldown_s": 600,
        "id": 1,
    }
    values.update(changes)
    return Rule(**values)


def _run(rule: Rule, values: Sequence[float | None], samples: int = 10) -> list[Transition]:
    """Evaluate once a minute from NOON with one ungrouped value per minute (None: no data)."""
    states: dict[str, GroupState] = {}
    found: list[Transition] = []
    for i, value in enumerate(values):
        measured = [] if value is None else [Measurement({}, value, samples)]
        found += advance(rule, states, measured, NOON + i * MINUTE)
    return found


def _brief(transitions: list[Transition]) -> list[tuple[int, str, str, str | None]]:
    return [(int((t.time - NOON) / MINUTE), t.state, t.severity, t.notify) for t in transitions]


def test_fires_at_once_without_for_and_records_value_and_threshold() -> None:
    found = _run(_rule(), [500, 1500, 1600, 800])
    assert _brief(found) == [(1, "firing", "warning", "due"), (3, "resolved", "warning", "due")]
    assert (found[0].value, found[0].threshold, found[0].num_samples) == (1500, 1000.0, 10)
    assert found[0].active_since == NOON + MINUTE
    assert found[1].value == 800


def test_for_keeps_the_alert_pending_until_it_has_held_long_enough() -> None:
    found = _run(_rule(for_s=120), [1500, 1500, 1500, 1500])
    assert _brief(found) == [(0, "pending", "warning", None), (2, "firing", "warning", "due")]
    assert found[1].active_since == NOON


def test_a_pending_alert_that_clears_never_fires() -> None:
    found = _run(_rule(for_s=180), [1500, 1500, 500, 1500])
    assert _brief(found) == [
        (0, "pending", "warning", None),
        (2, "resolved", "warning", None),
        (3, "pending", "warning", None),
    ]


def test_escalation_to_critical_notifies_at_once() -> None:
    found = _run(_rule(), [1500, 2500, 1500])
    assert _brief(found) == [
        (0, "firing", "warning", "due"),
        (1, "firing", "critical", "due"),
        (2, "firing", "warning", "skipped"),
    ]
    assert found[1].threshold == 2000.0


def test_cooldown_renotifies_a_long_alert_and_silences_a_flapping_one() -> None:
    rule = _rule(cooldown_s=600)
    held = _run(rule, [1500] * 12)
    assert _brief(held) == [(0, "firing", "warning", "due"), (10, "firing", "warning", "due")]
    flapping = _run(rule, [1500, 500, 1500, 500, 1500] + [1500] * 8)
    assert _brief(flapping) == [
        (0, "firing", "warning", "due"),
        (1, "resolved", "warning", "due"),
        (2, "firing", "warning", "skipped"),
        (3, "resolved", "warning", "due"),
        (4, "firing", "warning", "skipped"),
        (10, "firing", "warning", "due"),
    ]


def test_too_few_samples_give_no_verdict() -> None:
    rule = _rule(min_samples=50)
    assert _run(rule, [1500, 1500], samples=49) == []
    states: dict[str, GroupState] = {}
    advance(rule, states, [Measurement({}, 1500, 50)], NOON)
    assert states[""].state == "firing"
    # A firing alert with too few samples stays firing.
    assert advance(rule, states, [Measurement({}, 10, 3)], NOON + MINUTE) == []
    assert states[""].state == "firing"


def test_no_data_choices() -> None:
    assert _brief(_run(_rule(no_data="ok"), [1500, None])) == [
        (0, "firing", "warning", "due"),
        (1, "resolved", "warning", "due"),
    ]
    assert _brief(_run(_rule(no_data="keep"), [1500, None, None])) == [
        (0, "firing", "warning", "due")
    ]
    alerting = _run(_rule(no_data="alerting", severity="critical"), [None, 500])
    assert _brief(alerting) == [
        (0, "firing", "critical", "due"),
        (1, "resolved", "critical", "due"),
    ]
    assert alerting[0].value is None and alerting[0].message.startswith("latency")


def test_groups_move_independently() -> None:
    rule = _rule(group_by=("model",))
    states: dict[str, GroupState] = {}
    a, b = {"model": "a"}, {"model": "b"}
    first = advance(rule, states, [Measurement(a, 1500, 9), Measurement(b, 100, 9)], NOON)
    assert [(t.labels, t.state) for t in first] == [(a, "firing")]
    second = advance(rule, states, [Measurement(b, 1700, 9)], NOON + MINUTE)
    assert [(t.labels, t.state, t.value) for t in second] == [
        (a, "resolved", None),
        (b, "firing", 1700),
    ]
    assert second[0].message == "Resolved (no data): latency"


def test_messages_fill_values_thresholds_labels_and_details() -> None:
    rule = _rule(message_template="{metadata.tenant} at {value} over {threshold} ({cost}) {x}")
    text = render_message(
        rule, {"metadata.tenant": "acme"}, 1234.5678, 1000.0, "warning", {"cost": 2.5}
    )
    assert text == "acme at 1234.57 over 1000 (2.5) {x}"
    plain = render_message(_rule(), {"model": "m"}, 0.25, 0.1, "warning")
    assert plain == "latency: latency_p95 0.25 > 0.1 (model=m)"
