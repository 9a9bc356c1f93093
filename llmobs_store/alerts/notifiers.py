"""Where alerts go: the ``Notifier`` protocol, a JSON webhook, a Slack webhook and the log."""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from llmobs_store.alerts.evaluate import Transition, format_number
from llmobs_store.alerts.rules import Rule
from llmobs_store.errors import LlmobsError

# The seed guide's Slack colours per severity; a resolved alert shows green.
SLACK_COLOURS = {"info": "#36a64f", "warning": "#ff9800", "critical": "#f44336"}
SLACK_DEFAULT_COLOUR = "#808080"
SLACK_RESOLVED_COLOUR = "#36a64f"
logger = logging.getLogger("llmobs.alerts")


@dataclass(frozen=True)
class Notification:
    """What a notifier is told: one transition of one rule, with the rule's context."""

    rule_name: str
    metric: str
    comparator: str
    description: str | None
    state: str
    severity: str
    value: float | None
    threshold: float | None
    labels: dict[str, Any]
    message: str
    time: datetime
    active_since: datetime | None
    num_samples: int
    details: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, rule: Rule, transition: Transition) -> Notification:
        """The notification for ``transition`` of ``rule``."""
        t = transition
        return cls(
            rule.name,
            rule.metric,
            rule.comparator,
            rule.description,
            t.state,
            t.severity,
            t.value,
            t.threshold,
            dict(t.labels),
            t.message,
            t.time,
            t.active_since,
            t.num_samples,
            dict(t.details),
        )


class DeliveryFailed(LlmobsError):
    """A notifier could not deliver; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class Notifier(Protocol):
    """Delivers a notification or raises ``DeliveryFailed``.

    >>> class Printer:
    ...     name = "print"
    ...     def send(self, notification: Notification) -> None:
    ...         print(notification.message)
    """

    name: str

    def send(self, notification: Notification) -> None:
        """Deliver ``notification`` once (the dispatcher retries)."""


def webhook_payload(n: Notification) -> dict[str, Any]:
    """The generic webhook's JSON body."""
    return {
        "rule": n.rule_name,
        "description": n.description,
        "metric": n.metric,
        "comparator": n.comparator,
        "state": n.state,
        "severity": n.severity,
        "value": n.value,
        "threshold": n.threshold,
        "labels": n.labels,
        "message": n.message,
        "num_samples": n.num_samples,
        "time": n.time.isoformat(),
        "active_since": n.active_since.isoformat() if n.active_since else None,
        "details": n.details,
    }


def slack_payload(n: Notification) -> dict[str, Any]:
    """A Slack incoming-webhook body in the seed guide's shape: colour, title, Value, Threshold."""
    resolved = n.state == "resolved"
    colour = (
        SLACK_RESOLVED_COLOUR if resolved else SLACK_COLOURS.get(n.severity, SLACK_DEFAULT_COLOUR)
    )
    tag = "RESOLVED" if resolved else n.severity.upper()
    fields = [
        {"title": "Value", "value": format_number(n.value), "short": True},
        {"title": "Threshold", "value": format_number(n.threshold), "short": True},
    ]
    fields += [{"title": k, "value": str(v), "short": True} for k, v in n.labels.items()]
    return {
        "attachments": [
            {
                "color": colour,
                "title": f"[{tag}] {n.rule_name}",
                "text": n.message,
                "fields": fields,
                "ts": int(n.time.timestamp()),
            }
        ]
    }


class WebhookNotifier:
    """POSTs ``webhook_payload`` as JSON to ``url``."""

    name = "webhook"

    def __init__(
        self, url: str, *, timeout_s: float = 5.0, headers: Mapping[str, str] | None = None
    ) -> None:
        self.url = url
        self.timeout_s = timeout_s
        self.headers = dict(headers or {})

    def payload(self, notification: Notification) -> dict[str, Any]:
        """The JSON body sent for ``notification``."""
        return webhook_payload(notification)

    def send(self, notification: Notification) -> None:
        """POST once; ``DeliveryFailed`` on a network error or a non-2xx answer."""
        body = json.dumps(self.payload(notification)).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "llmobs-alerts",
            **self.headers,
        }
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            # 429 and 5xx may pass; any other 4xx will answer the same next time.
            retryable = exc.code == 429 or exc.code >= 500
            raise DeliveryFailed(f"HTTP {exc.code} from {self.url}", retryable=retryable) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DeliveryFailed(f"{self.url}: {reason}", retryable=True) from exc


class SlackNotifier(WebhookNotifier):
    """POSTs ``slack_payload`` to a Slack (or Slack-compatible) incoming webhook."""

    name = "slack"

    def payload(self, notification: Notification) -> dict[str, Any]:
        """The Slack body sent for ``notification``."""
        return slack_payload(notification)


class LogNotifier:
    """Writes the notification to the ``llmobs.alerts`` logger."""

    name = "log"

    def send(self, notification: Notification) -> None:
        """Log at WARNING (ERROR for critical, INFO when resolved)."""
        level = logging.WARNING
        if notification.state == "resolved":
            level = logging.INFO
        elif notification.severity == "critical":
            level = logging.ERROR
        logger.log(level, "[%s] %s", notification.state.upper(), notification.message)


def ensure_log_output() -> None:
    """Send ``llmobs.alerts`` records to stderr when the application configured no logging.

    Without it Python prints only warnings (and drops the INFO of resolved alerts).
    """
    if not logger.hasHandlers():
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def notifier_for(spec: Mapping[str, Any], *, timeout_s: float = 5.0) -> Notifier:
    """The notifier a rule's ``{type, url, headers}`` entry describes."""
    kind = spec.get("type")
    if kind == "log":
        return LogNotifier()
    headers = spec.get("headers") or {}
    if kind == "slack":
        return SlackNotifier(str(spec["url"]), timeout_s=timeout_s, headers=headers)
    if kind == "webhook":
        return WebhookNotifier(str(spec["url"]), timeout_s=timeout_s, headers=headers)
    raise ValueError(f"unknown notifier type {kind!r}")
