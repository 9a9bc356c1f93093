"""The evaluator: measures every enabled rule, advances its states, records and notifies."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError

from llmobs_store.alerts.delivery import NotificationDispatcher
from llmobs_store.alerts.evaluate import GroupState, Transition, advance, retire
from llmobs_store.alerts.history import load_states, record_transitions
from llmobs_store.alerts.measures import measure
from llmobs_store.alerts.notifiers import Notification, notifier_for
from llmobs_store.alerts.rules import Rule, list_rules
from llmobs_store.errors import LlmobsError
from llmobs_store.store import Store

logger = logging.getLogger("llmobs.alerts")


@dataclass(frozen=True)
class Evaluation:
    """What one evaluation at ``time`` did: its transitions, and rules that could not run."""

    time: datetime
    transitions: list[Transition]
    errors: dict[str, str] = field(default_factory=dict)


class Evaluator:
    """Evaluates the stored rules at a given time; states survive between calls and restarts.

    >>> evaluator = Evaluator(store, dispatcher=dispatcher)      # doctest: +SKIP
    >>> for t in evaluator.evaluate().transitions:
    ...     print(t.rule_name, t.state, t.value, t.threshold)

    The first evaluation reads each group's state back from ``alert_events``, so a restarted
    server does not fire (or notify) again what was already firing.
    """

    def __init__(
        self,
        store: Store,
        *,
        dispatcher: NotificationDispatcher | None = None,
        notify_timeout_s: float = 5.0,
    ) -> None:
        self.store = store
        self.dispatcher = dispatcher
        self.notify_timeout_s = notify_timeout_s
        self._states: dict[int, dict[str, GroupState]] | None = None
        self._lock = threading.Lock()

    def forget_states(self) -> None:
        """Read the states from the history again at the next evaluation."""
        with self._lock:
            self._states = None

    def evaluate(
        self, now: datetime | None = None, *, rules: Sequence[Rule] | None = None
    ) -> Evaluation:
        """Evaluate ``rules`` (default: every enabled stored rule) with windows ending at ``now``.

        Rules must be stored (they need their id). A rule whose query fails is reported in
        ``errors`` and the others still run.
        """
        moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        with self._lock:
            if self._states is None:
                with self.store.connect() as conn:
                    self._states = load_states(conn)
            found: list[tuple[Rule | None, Transition]] = []
            if rules is None:
                with self.store.connect() as conn:
                    rules = list_rules(conn, enabled_only=True)
                # Alerts of rules no longer evaluated would otherwise stay active for ever.
                kept = {r.id for r in rules}
                for rule_id, groups in self._states.items():
                    if rule_id not in kept:
                        found += [(None, t) for t in retire(rule_id, groups, moment)]
            errors: dict[str, str] = {}
            for rule in rules:
                if rule.id is None:
                    raise ValueError(f"rule {rule.name} is not stored (it has no id)")
                try:
                    measurements = measure(self.store, rule, moment)
                except (LlmobsError, SQLAlchemyError) as exc:
                    logger.warning("alert rule %s could not be evaluated: %s", rule.name, exc)
                    errors[rule.name] = str(exc).splitlines()[0]
                    continue
                states = self._states.setdefault(rule.id, {})
                found += [(rule, t) for t in advance(rule, states, measurements, moment)]
            self._record(found)
        return Evaluation(moment, [t for _, t in found], errors)

    def _record(self, found: list[tuple[Rule | None, Transition]]) -> None:
        if not found:
            return
        can_notify = self.dispatcher is not None
        statuses = [_status(rule, t, can_notify) for rule, t in found]
        with self.store.engine.begin() as conn:
            ids = record_transitions(conn, [t for _, t in found], statuses)
        for (rule, t), event_id, status in zip(found, ids, statuses, strict=True):
            if status != "queued" or rule is None:
                continue
            notifiers = [notifier_for(s, timeout_s=self.notify_timeout_s) for s in rule.notifiers]
            assert self.dispatcher is not None
            self.dispatcher.submit(event_id, notifiers, Notification.of(rule, t))


def _status(rule: Rule | None, transition: Transition, can_notify: bool) -> str | None:
    """``queued`` until the dispatcher records the outcome; NULL when nothing is sent."""
    if transition.notify == "skipped":
        return "skipped"
    if transition.notify == "due" and rule is not None and rule.notifiers and can_notify:
        return "queued"
    return None
