"""Notifications over real HTTP: webhook and Slack bodies, retries, failures recorded."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest

from llmobs_store.alerts.delivery import NotificationDispatcher
from llmobs_store.alerts.evaluator import Evaluator
from llmobs_store.alerts.history import AlertHistoryEntry, list_events
from llmobs_store.alerts.rules import Rule
from llmobs_store.store import Store
from tests.alerts.crafted import NOON, llm_span, spread, stored
from tests.alerts.receiver import receiving
from tests.conftest import count_rows

MINUTE = timedelta(minutes=1)


@pytest.fixture
def dispatcher(store: Store) -> Iterator[NotificationDispatcher]:
    sender = NotificationDispatcher(store.engine, max_attempts=3, backoff_s=0.01)
    sender.start()
    yield sender
    sender.stop()


def _spend_rule(store: Store, *notifiers: dict[str, str]) -> Rule:
    rule = Rule(
        name="spend",
        description="Spend per model",
        metric="cost_sum",
        group_by=("model",),
        window_s=600,
        comparator=">",
        warning_threshold=1.0,
        critical_threshold=10.0,
        message_template="{model} spent {value} USD",
        notifiers=notifiers,
    )
    store.write(spread(NOON - 5 * MINUTE, 4, 30.0, cost_usd=3.0, model="gpt-4o"))
    return stored(store, rule)


def _events(store: Store) -> list[AlertHistoryEntry]:
    with store.connect() as conn:
        return list_events(conn)


def test_webhook_and_slack_receive_their_payloads(
    store: Store, dispatcher: NotificationDispatcher
) -> None:
    with receiving([200]) as receiver:
        rule = _spend_rule(
            store,
            {"type": "webhook", "url": receiver.url + "/hook"},
            {"type": "slack", "url": receiver.url + "/slack"},
        )
        Evaluator(store, dispatcher=dispatcher).evaluate(NOON, rules=[rule])
        assert dispatcher.wait_idle(30)
    (hook_path, hook), (slack_path, slack) = receiver.received
    assert (hook_path, slack_path) == ("/hook", "/slack")
    assert hook == {
        "rule": "spend",
        "description": "Spend per model",
        "metric": "cost_sum",
        "comparator": ">",
        "state": "firing",
        "severity": "critical",
        "value": 12.0,
        "threshold": 10.0,
        "labels": {"model": "gpt-4o"},
        "message": "gpt-4o spent 12 USD",
        "num_samples": 4,
        "time": NOON.isoformat(),
        "active_since": NOON.isoformat(),
        "details": {},
    }
    assert slack == {
        "attachments": [
            {
                "color": "#f44336",
                "title": "[CRITICAL] spend",
                "text": "gpt-4o spent 12 USD",
                "fields": [
                    {"title": "Value", "value": "12", "short": True},
                    {"title": "Threshold", "value": "10", "short": True},
                    {"title": "model", "value": "gpt-4o", "short": True},
                ],
                "ts": int(NOON.timestamp()),
            }
        ]
    }
    [event] = _events(store)
    assert (event.notification_status, event.notification_attempts) == ("sent", 2)
    assert event.notification_error is None


def test_slack_colours_follow_severity_and_resolution(
    store: Store, dispatcher: NotificationDispatcher
) -> None:
    with receiving([200]) as receiver:
        rule = _spend_rule(store, {"type": "slack", "url": receiver.url})
        rule = stored(store, Rule(**{**rule.__dict__, "critical_threshold": None}))
        evaluator = Evaluator(store, dispatcher=dispatcher)
        evaluator.evaluate(NOON, rules=[rule])
        evaluator.evaluate(NOON + 20 * MINUTE, rules=[rule])
        assert dispatcher.wait_idle(30)
    colours = [
        (b["attachments"][0]["color"], b["attachments"][0]["title"]) for _, b in receiver.received
    ]
    assert colours == [("#ff9800", "[WARNING] spend"), ("#36a64f", "[RESOLVED] spend")]


def test_a_failing_receiver_is_retried_then_recorded(
    store: Store, dispatcher: NotificationDispatcher
) -> None:
    with receiving([500, 503, 200]) as flaky:
        rule = _spend_rule(store, {"type": "webhook", "url": flaky.url})
        Evaluator(store, dispatcher=dispatcher).evaluate(NOON, rules=[rule])
        assert dispatcher.wait_idle(30)
    assert len(flaky.received) == 3
    [event] = _events(store)
    assert (event.notification_status, event.notification_attempts) == ("sent", 3)

    with receiving([500]) as broken:
        store.write(spread(NOON + 5 * MINUTE, 4, 1.0, cost_usd=30.0, model="claude"))
        rule = stored(
            store, Rule(**{**rule.__dict__, "notifiers": ({"type": "webhook", "url": broken.url},)})
        )
        Evaluator(store, dispatcher=dispatcher).evaluate(NOON + 6 * MINUTE, rules=[rule])
        assert dispatcher.wait_idle(30)
    assert len(broken.received) == 3
    failed = next(e for e in _events(store) if e.labels == {"model": "claude"})
    assert (failed.notification_status, failed.notification_attempts) == ("failed", 3)
    assert failed.notification_error == f"webhook: HTTP 500 from {broken.url}"


def test_a_client_error_is_not_retried(store: Store, dispatcher: NotificationDispatcher) -> None:
    with receiving([404]) as receiver:
        rule = _spend_rule(store, {"type": "webhook", "url": receiver.url})
        Evaluator(store, dispatcher=dispatcher).evaluate(NOON, rules=[rule])
        assert dispatcher.wait_idle(30)
    [event] = _events(store)
    assert (event.notification_status, event.notification_attempts) == ("failed", 1)
    assert "HTTP 404" in (event.notification_error or "")


def test_a_closed_port_fails_after_every_attempt(
    store: Store, dispatcher: NotificationDispatcher
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    rule = _spend_rule(store, {"type": "webhook", "url": f"http://127.0.0.1:{port}/"})
    Evaluator(store, dispatcher=dispatcher).evaluate(NOON, rules=[rule])
    assert dispatcher.wait_idle(30)
    [event] = _events(store)
    assert (event.notification_status, event.notification_attempts) == ("failed", 3)
    assert "refused" in (event.notification_error or "").lower()


def test_a_stuck_receiver_blocks_neither_evaluation_nor_ingestion(
    store: Store, dispatcher: NotificationDispatcher
) -> None:
    with receiving([200], open_gate=False) as stuck:
        rule = _spend_rule(store, {"type": "webhook", "url": stuck.url})
        evaluator = Evaluator(store, dispatcher=dispatcher)
        assert [t.state for t in evaluator.evaluate(NOON, rules=[rule]).transitions] == ["firing"]
        # The receiver holds the request; the event is recorded and waits as queued.
        [event] = _events(store)
        assert event.notification_status == "queued"
        before = count_rows(store, "spans")
        store.write([llm_span(NOON + MINUTE, cost_usd=50.0, model="claude")])
        assert count_rows(store, "spans") == before + 1
        later = evaluator.evaluate(NOON + 2 * MINUTE, rules=[rule]).transitions
        assert [(t.labels, t.state) for t in later] == [({"model": "claude"}, "firing")]
        assert not dispatcher.wait_idle(0.05)
        stuck.gate.set()
        assert dispatcher.wait_idle(30)
    assert {e.notification_status for e in _events(store)} == {"sent"}


def test_the_log_notifier(
    store: Store, dispatcher: NotificationDispatcher, caplog: pytest.LogCaptureFixture
) -> None:
    rule = _spend_rule(store, {"type": "log"})
    with caplog.at_level(logging.WARNING, logger="llmobs.alerts"):
        Evaluator(store, dispatcher=dispatcher).evaluate(NOON, rules=[rule])
        assert dispatcher.wait_idle(30)
    assert [r.getMessage() for r in caplog.records] == ["[FIRING] gpt-4o spent 12 USD"]
    assert caplog.records[0].levelno == logging.ERROR
    [event] = _events(store)
    assert (event.notification_status, event.notification_attempts) == ("sent", 1)
