"""The evaluator thread: installs the built-ins, evaluates on its interval, stops cleanly."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from llmobs_store.alerts.defaults import DEFAULT_RULES
from llmobs_store.alerts.evaluate import Transition
from llmobs_store.alerts.history import list_events, record_transitions
from llmobs_store.alerts.rules import Rule, list_rules
from llmobs_store.alerts.scheduler import AlertScheduler
from llmobs_store.config import Settings
from llmobs_store.store import Store
from tests.alerts.crafted import NOON, llm_span, stored
from tests.alerts.receiver import receiving
from tests.conftest import POSTGRES_URL, reset_postgres


def test_the_scheduler_evaluates_and_notifies_until_stopped(
    database_url: str, settings: Settings
) -> None:
    tuned = settings.replace(alert_interval_s=0.05, alert_notify_backoff_s=0.01)
    with Store.open(database_url, settings=tuned) as store, receiving([200]) as receiver:
        stored(
            store,
            Rule(
                name="any_call",
                metric="request_count",
                window_s=3600,
                comparator=">=",
                warning_threshold=1.0,
                notifiers=({"type": "webhook", "url": receiver.url},),
            ),
        )
        store.write([llm_span(datetime.now(UTC) - timedelta(minutes=1))])
        scheduler = AlertScheduler(store)
        scheduler.start()
        try:
            assert scheduler.running
            for _ in range(600):
                if receiver.received:
                    break
                threading.Event().wait(0.05)
        finally:
            scheduler.stop()
        assert not scheduler.running
        with store.connect() as conn:
            names = {r.name for r in list_rules(conn)}
            events = list_events(conn, rule_name="any_call")
        assert {r.name for r in DEFAULT_RULES} <= names
        # Evaluated many times, fired once: the state carries from one run to the next.
        assert [(e.state, e.notification_status) for e in events] == [("firing", "sent")]
        assert [body["rule"] for _, body in receiver.received] == ["any_call"]


def test_an_interval_of_zero_turns_the_evaluator_off(database_url: str, settings: Settings) -> None:
    with Store.open(database_url, settings=settings.replace(alert_interval_s=0)) as store:
        scheduler = AlertScheduler(store)
        scheduler.start()
        assert not scheduler.running
        scheduler.stop()
        with store.connect() as conn:
            assert list_rules(conn) == []


def _wait_for(condition: Callable[[], bool]) -> bool:
    for _ in range(600):
        if condition():
            return True
        threading.Event().wait(0.05)
    return False


@pytest.mark.postgres
def test_one_server_of_several_evaluates_and_another_takes_over(settings: Settings) -> None:
    reset_postgres()
    tuned = settings.replace(alert_interval_s=0.05, alert_install_defaults=False)
    with (
        Store.open(POSTGRES_URL, settings=tuned) as one,
        Store.open(POSTGRES_URL, settings=tuned) as two,
    ):
        rule = Rule(
            name="any_call",
            metric="request_count",
            window_s=3600,
            comparator=">=",
            warning_threshold=1.0,
        )
        stored(one, rule)
        one.write([llm_span(datetime.now(UTC) - timedelta(minutes=1))])
        first, second = AlertScheduler(one), AlertScheduler(two)
        first.start()
        second.start()
        try:
            assert _wait_for(lambda: _states(one) == ["firing"])
            threading.Event().wait(0.3)  # a few more rounds of both
            assert _states(one) == ["firing"]
            leader = first if first.leading else second
            other = second if leader is first else first
            assert leader.leading and not other.leading
            leader.stop()
            stored(one, dataclasses.replace(rule, warning_threshold=5.0))
            # The other server takes over from the history: it resolves, and never re-fires.
            assert _wait_for(lambda: _states(one) == ["firing", "resolved"])
        finally:
            first.stop()
            second.stop()


def _states(store: Store) -> list[str]:
    with store.connect() as conn:
        return [e.state for e in reversed(list_events(conn, rule_name="any_call"))]


def test_notifications_queued_by_a_stopped_server_are_marked_failed(
    database_url: str, settings: Settings
) -> None:
    tuned = settings.replace(alert_interval_s=60.0, alert_install_defaults=False)
    with Store.open(database_url, settings=tuned) as store:
        lost = Transition(
            rule_id=1,
            rule_name="gone",
            group_key="",
            labels={},
            state="firing",
            severity="warning",
            value=2.0,
            threshold=1.0,
            num_samples=3,
            message="m",
            time=NOON,
            active_since=NOON,
        )
        with store.engine.begin() as conn:
            record_transitions(conn, [lost], ["queued"])
        scheduler = AlertScheduler(store)
        scheduler.start()
        try:
            assert _wait_for(lambda: _statuses(store) == [None, "failed"])
        finally:
            scheduler.stop()
        with store.connect() as conn:
            retired, event = list_events(conn)
        assert event.notification_error == (
            "the server stopped before the notification was delivered"
        )
        # The rule no longer exists, so its alert was resolved as well.
        assert (retired.state, retired.message) == (
            "resolved",
            "Resolved: rule gone was disabled or deleted",
        )


def _statuses(store: Store) -> list[str | None]:
    with store.connect() as conn:
        return [e.notification_status for e in list_events(conn)]
