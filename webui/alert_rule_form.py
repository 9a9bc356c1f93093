"""The alert rule form: its fields to the dict ``rule_from_dict`` takes, and a rule back."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from llmobs_store.alerts.rules import Rule, format_duration
from llmobs_store.errors import InvalidRule

_SPLIT = re.compile(r"[,\n]")


def rule_values(form: MultiDict[str, str], name: str | None) -> dict[str, Any]:
    """The form's fields as ``rule_from_dict`` takes them; ``InvalidRule`` for a bad number."""
    text = {k: (form.get(k) or "").strip() for k in form}
    values: dict[str, Any] = {
        "name": name or text.get("name", ""),
        "description": text.get("description") or None,
        "enabled": form.get("enabled") == "1",
        "metric": text.get("metric", ""),
        "query": text.get("query") or None,
        "filters": _pairs(text.get("filters", "")),
        "group_by": [k.strip() for k in text.get("group_by", "").split(",") if k.strip()],
        "window": text.get("window") or "5m",
        "for": text.get("for") or "0",
        "cooldown": text.get("cooldown") or "0",
        "comparator": text.get("comparator", ""),
        "severity": text.get("severity") or "warning",
        "no_data": text.get("no_data") or "ok",
        "min_samples": _int(text.get("min_samples") or "1", "min samples"),
        "warning_threshold": text.get("warning_threshold") or None,
        "critical_threshold": text.get("critical_threshold") or None,
        "message_template": text.get("message_template") or None,
        "notifiers": _notifiers(text.get("notifiers", "")),
    }
    return values


def form_values(rule: Rule | None) -> dict[str, str]:
    """A rule as the form shows it (defaults for a new one)."""
    if rule is None:
        return {
            "window": "5m",
            "for": "0s",
            "cooldown": "1h",
            "min_samples": "1",
            "comparator": ">",
            "severity": "warning",
            "no_data": "ok",
            "enabled": "1",
            "metric": "error_rate",
        }
    return {
        "name": rule.name,
        "description": rule.description or "",
        "enabled": "1" if rule.enabled else "",
        "metric": rule.metric,
        "query": rule.query or "",
        "filters": ", ".join(
            f"{k}={'|'.join(map(str, v)) if isinstance(v, list | tuple) else v}"
            for k, v in _flat_filters(rule.filters)
        ),
        "group_by": ", ".join(rule.group_by),
        "window": format_duration(rule.window_s),
        "for": format_duration(rule.for_s),
        "cooldown": format_duration(rule.cooldown_s),
        "comparator": rule.comparator,
        "severity": rule.severity,
        "no_data": rule.no_data,
        "min_samples": str(rule.min_samples),
        "warning_threshold": ""
        if rule.warning_threshold is None
        else f"{rule.warning_threshold:g}",
        "critical_threshold": ""
        if rule.critical_threshold is None
        else f"{rule.critical_threshold:g}",
        "message_template": rule.message_template or "",
        "notifiers": "\n".join(
            " ".join(str(p) for p in (n.get("type"), n.get("url")) if p) for n in rule.notifiers
        ),
    }


def _pairs(text: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for part in _SPLIT.split(text):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        if not sep or not key.strip():
            raise InvalidRule(f"filter {part.strip()!r}: write key=value (a|b for either)")
        values = [v.strip() for v in value.split("|")]
        found[key.strip()] = values if len(values) > 1 else values[0]
    return found


def _flat_filters(filters: Any) -> list[tuple[str, Any]]:
    flat: list[tuple[str, Any]] = []
    for key, value in dict(filters).items():
        if key in ("metadata", "attributes") and isinstance(value, dict):
            flat += [(f"{key}.{k}", v) for k, v in value.items()]
        else:
            flat.append((key, value))
    return flat


def _notifiers(text: str) -> list[dict[str, str]]:
    found = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        spec = {"type": parts[0].lower()}
        if len(parts) > 1:
            spec["url"] = parts[1]
        found.append(spec)
    return found


def _int(text: str, label: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidRule(f"{label} must be a whole number") from None
