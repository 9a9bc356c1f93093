"""Alert rules: the validated ``Rule``, read from YAML/JSON files and kept in ``alert_rules``."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, Table, insert, select, update

from llmobs_store.db.models import AlertRule
from llmobs_store.errors import InvalidRule, NotFound

SIMPLE_METRICS = (
    "error_rate",
    "cost_sum",
    "cost_zscore",
    "token_sum",
    "cache_hit_rate",
    "request_count",
    "custom_sql",
)
PERCENTILE_METRIC = re.compile(r"^(latency|ttft)_p(\d{1,2}(?:\.\d+)?)$")
COMPARATORS = (">", ">=", "<", "<=")
SEVERITIES = ("info", "warning", "critical")
NO_DATA = ("ok", "keep", "alerting")
NOTIFIER_TYPES = ("webhook", "slack", "log")
_DURATION = re.compile(r"(\d+)\s*([smhdw])")
_UNIT_S = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800}
_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
_RULES: Table = AlertRule.__table__  # type: ignore[assignment]


def parse_duration(value: str | int | float) -> int:
    """Seconds in ``90s``, ``5m``, ``1h``, ``1d``, ``2w`` or ``1h30m`` (a number is seconds)."""
    if isinstance(value, bool):
        raise InvalidRule(f"{value!r} is not a duration such as 5m, 1h or 1d")
    if isinstance(value, int | float):
        return int(value)
    text = value.strip().replace(" ", "")
    if text.isdigit():
        return int(text)
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise InvalidRule(f"{value!r} is not a duration such as 5m, 1h or 1d")
    return sum(int(n) * _UNIT_S[u] for n, u in parts)


def format_duration(seconds: int) -> str:
    """``3600`` as ``1h``, ``5400`` as ``1h30m``: the shortest exact form."""
    if seconds <= 0:
        return "0s"
    out = ""
    for unit in ("w", "d", "h", "m", "s"):
        count, seconds = divmod(seconds, _UNIT_S[unit])
        if count:
            out += f"{count}{unit}"
    return out


@dataclass(frozen=True)
class Rule:
    """One alert rule, checked on construction.

    >>> Rule(name="slow_gpt4o", metric="latency_p95", window_s=300, comparator=">",
    ...      warning_threshold=2000, filters={"model": "gpt-4o"}).severity_for(2500.0)
    'warning'
    """

    name: str
    metric: str
    window_s: int
    comparator: str
    warning_threshold: float | None = None
    critical_threshold: float | None = None
    severity: str = "warning"
    description: str | None = None
    enabled: bool = True
    query: str | None = None
    filters: Mapping[str, Any] = field(default_factory=dict)
    group_by: tuple[str, ...] = ()
    min_samples: int = 1
    for_s: int = 0
    cooldown_s: int = 3_600
    no_data: str = "ok"
    message_template: str | None = None
    notifiers: tuple[Mapping[str, Any], ...] = ()
    id: int | None = None

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise InvalidRule(f"name {self.name!r}: use 1-100 letters, digits, _ . : -")
        if self.metric not in SIMPLE_METRICS and not PERCENTILE_METRIC.match(self.metric):
            raise InvalidRule(
                f"{self.name}: metric {self.metric!r} is not one of "
                f"{', '.join(SIMPLE_METRICS)}, latency_pNN or ttft_pNN"
            )
        if self.metric == "custom_sql" and not (self.query or "").strip():
            raise InvalidRule(f"{self.name}: metric custom_sql needs a query")
        if self.metric != "custom_sql" and self.query:
            raise InvalidRule(f"{self.name}: a query is only used with metric custom_sql")
        if self.comparator not in COMPARATORS:
            raise InvalidRule(f"{self.name}: comparator must be one of {' '.join(COMPARATORS)}")
        if self.warning_threshold is None and self.critical_threshold is None:
            raise InvalidRule(f"{self.name}: set a warning or a critical threshold (or both)")
        if self.warning_threshold is not None and self.critical_threshold is not None:
            if self.breaches(self.warning_threshold, self.critical_threshold):
                raise InvalidRule(
                    f"{self.name}: the critical threshold must be beyond the warning one"
                )
        if self.severity not in SEVERITIES:
            raise InvalidRule(f"{self.name}: severity must be one of {', '.join(SEVERITIES)}")
        if self.no_data not in NO_DATA:
            raise InvalidRule(f"{self.name}: no_data must be one of {', '.join(NO_DATA)}")
        if self.window_s < 1:
            raise InvalidRule(f"{self.name}: the window must be at least one second")
        for label, value in (("min_samples", self.min_samples), ("for", self.for_s)):
            if value < 0:
                raise InvalidRule(f"{self.name}: {label} cannot be negative")
        if self.cooldown_s < 0:
            raise InvalidRule(f"{self.name}: cooldown cannot be negative")
        for spec in self.notifiers:
            kind = spec.get("type")
            if kind not in NOTIFIER_TYPES:
                raise InvalidRule(f"{self.name}: notifier type must be webhook, slack or log")
            url = spec.get("url")
            if kind != "log" and not (
                isinstance(url, str) and url.startswith(("http://", "https://"))
            ):
                raise InvalidRule(f"{self.name}: a {kind} notifier needs an http(s) url")

    @property
    def percentile(self) -> float | None:
        """0.95 for ``latency_p95``; None for other metrics."""
        match = PERCENTILE_METRIC.match(self.metric)
        if match is None:
            return None
        value = float(match[2]) / 100
        if not 0 < value < 1:
            raise InvalidRule(f"{self.name}: percentile must be between p0 and p100")
        return value

    def breaches(self, value: float, threshold: float) -> bool:
        """Whether ``value`` is on the alerting side of ``threshold``."""
        if self.comparator == ">":
            return value > threshold
        if self.comparator == ">=":
            return value >= threshold
        if self.comparator == "<":
            return value < threshold
        return value <= threshold

    def severity_for(self, value: float) -> str | None:
        """``critical``, ``warning`` (or the rule's severity with one threshold), else None."""
        both = self.warning_threshold is not None and self.critical_threshold is not None
        if self.critical_threshold is not None and self.breaches(value, self.critical_threshold):
            return "critical" if both else self.severity
        if self.warning_threshold is not None and self.breaches(value, self.warning_threshold):
            return "warning" if both else self.severity
        return None

    def threshold_for(self, severity: str) -> float | None:
        """The threshold that gave ``severity``."""
        if severity == "critical" and self.critical_threshold is not None:
            return self.critical_threshold
        if self.warning_threshold is not None:
            return self.warning_threshold
        return self.critical_threshold


_COLUMNS = tuple(f.name for f in dataclasses.fields(Rule) if f.name != "id")
# Friendly spellings accepted in files, mapped to the column they fill.
_DURATIONS = {"window": "window_s", "for": "for_s", "cooldown": "cooldown_s"}


def rule_from_dict(data: Mapping[str, Any]) -> Rule:
    """A rule from a file entry or a form: columns (``window_s``) or friendly keys (``window``).

    ``thresholds: {warning: X, critical: Y}`` and ``threshold: X`` are accepted too.
    """
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key in _DURATIONS:
            values[_DURATIONS[key]] = parse_duration(value)
        elif key in ("window_s", "for_s", "cooldown_s") and value is not None:
            values[key] = parse_duration(value)
        elif key == "thresholds" and isinstance(value, Mapping):
            values["warning_threshold"] = value.get("warning")
            values["critical_threshold"] = value.get("critical")
        elif key == "threshold":
            values["warning_threshold"] = value
        elif key in _COLUMNS or key == "id":
            values[key] = value
        else:
            raise InvalidRule(f"{data.get('name', '?')}: unknown field {key!r}")
    missing = [k for k in ("name", "metric", "window_s", "comparator") if values.get(k) is None]
    if missing:
        raise InvalidRule(f"{data.get('name', '?')}: missing {', '.join(missing)}")
    for key in ("warning_threshold", "critical_threshold"):
        if values.get(key) is not None:
            values[key] = _number(values, key)
    values["filters"] = dict(values.get("filters") or {})
    group_by = values.get("group_by") or ()
    values["group_by"] = (group_by,) if isinstance(group_by, str) else tuple(group_by)
    values["notifiers"] = tuple(dict(n) for n in values.get("notifiers") or ())
    for key in ("min_samples", "for_s", "cooldown_s"):
        if values.get(key) is None:
            values.pop(key, None)
    for key in ("severity", "no_data", "enabled"):
        if values.get(key) is None:
            values.pop(key, None)
    return Rule(**values)


def _number(values: Mapping[str, Any], key: str) -> float:
    try:
        return float(values[key])
    except (TypeError, ValueError):
        raise InvalidRule(f"{values.get('name')}: {key} must be a number") from None


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """The rule as ``alert_rules`` column values (JSON-ready; ``id`` left out)."""
    values = {name: getattr(rule, name) for name in _COLUMNS}
    values["filters"] = dict(rule.filters) or None
    values["group_by"] = list(rule.group_by) or None
    values["notifiers"] = [dict(n) for n in rule.notifiers] or None
    return values


def load_rules_file(path: str | Path) -> list[Rule]:
    """Rules from a YAML or JSON file: a list of rules, or ``{rules: [...]}``."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise InvalidRule(f"{path}: not valid YAML or JSON ({exc})") from exc
    if isinstance(data, Mapping):
        data = data.get("rules")
    if not isinstance(data, list) or not all(isinstance(r, Mapping) for r in data):
        raise InvalidRule(f"{path}: expected a list of rules (or rules: [...])")
    rules = [rule_from_dict(entry) for entry in data]
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise InvalidRule(f"{path}: a rule name is used twice")
    return rules


def list_rules(conn: Connection, *, enabled_only: bool = False) -> list[Rule]:
    """Rules stored in ``alert_rules``, by name."""
    stmt = select(_RULES).order_by(AlertRule.name)
    if enabled_only:
        stmt = stmt.where(AlertRule.enabled.is_(True))
    return [_rule_from_row(row) for row in conn.execute(stmt).mappings()]


def get_rule(conn: Connection, name: str) -> Rule:
    """The stored rule called ``name``; ``NotFound`` otherwise."""
    row = conn.execute(select(_RULES).where(AlertRule.name == name)).mappings()
    found = row.first()
    if found is None:
        raise NotFound(f"no alert rule named {name!r}")
    return _rule_from_row(found)


def save_rule(conn: Connection, rule: Rule, *, now: datetime) -> Rule:
    """Insert ``rule``, or replace the stored rule of the same name; returns it with its id."""
    values = rule_to_dict(rule)
    table = _RULES
    existing = conn.execute(select(AlertRule.id).where(AlertRule.name == rule.name)).scalar()
    if existing is None:
        new_id = conn.execute(
            insert(table).values(**values, created_at=now, updated_at=now).returning(table.c.id)
        ).scalar_one()
        return dataclasses.replace(rule, id=int(new_id))
    conn.execute(update(table).where(table.c.id == existing).values(**values, updated_at=now))
    return dataclasses.replace(rule, id=int(existing))


def install_rules(conn: Connection, rules: Sequence[Rule], *, now: datetime) -> list[str]:
    """Add the ``rules`` whose names are not taken yet; returns the names added."""
    taken = set(conn.execute(select(AlertRule.name)).scalars())
    added = [r for r in rules if r.name not in taken]
    for rule in added:
        save_rule(conn, rule, now=now)
    return [r.name for r in added]


def set_rule_enabled(conn: Connection, name: str, enabled: bool, *, now: datetime) -> None:
    """Enable or disable the rule called ``name``; ``NotFound`` if there is none."""
    table = _RULES
    stmt = update(table).where(table.c.name == name).values(enabled=enabled, updated_at=now)
    if conn.execute(stmt).rowcount == 0:
        raise NotFound(f"no alert rule named {name!r}")


def _rule_from_row(row: Mapping[Any, Any]) -> Rule:
    values = {name: row[name] for name in _COLUMNS}
    values["id"] = row["id"]
    return rule_from_dict({k: v for k, v in values.items() if v is not None or k == "query"})
