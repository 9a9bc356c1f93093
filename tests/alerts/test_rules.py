"""Rules: validation, friendly file syntax, YAML/JSON files, and the alert_rules table."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from llmobs_store.alerts.defaults import DEFAULT_RULES, install_default_rules
from llmobs_store.alerts.rules import (
    Rule,
    format_duration,
    get_rule,
    list_rules,
    load_rules_file,
    parse_duration,
    rule_from_dict,
    rule_to_dict,
    save_rule,
    set_rule_enabled,
)
from llmobs_store.errors import InvalidRule, NotFound
from llmobs_store.store import Store
from seed_data.loader import demo_rules
from tests.alerts.crafted import NOON

YAML_RULES = """\
rules:
  - name: slow_gpt4o
    metric: latency_p99
    filters: {model: gpt-4o, attributes: {gen_ai.operation.name: chat}}
    group_by: tenant
    window: 5m
    for: 2m
    cooldown: 1h30m
    comparator: ">"
    thresholds: {warning: 2000, critical: 4000}
    notifiers:
      - {type: slack, url: "https://hooks.example.com/T0/B0/x"}
  - name: tenant_spend
    metric: cost_sum
    window: 1d
    comparator: ">="
    threshold: 25
    severity: critical
"""


def test_durations() -> None:
    assert [parse_duration(t) for t in ("90s", "5m", "1h", "1d", "2w", "1h30m", "45", 30)] == [
        90,
        300,
        3600,
        86_400,
        1_209_600,
        5_400,
        45,
        30,
    ]
    assert [format_duration(s) for s in (300, 5_400, 86_400, 0)] == ["5m", "1h30m", "1d", "0s"]
    for bad in ("5 minutes", "m5", "", "1h-"):
        with pytest.raises(InvalidRule, match="is not a duration"):
            parse_duration(bad)


def test_yaml_file_with_friendly_fields(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(YAML_RULES)
    slow, spend = load_rules_file(path)
    assert (slow.window_s, slow.for_s, slow.cooldown_s) == (300, 120, 5_400)
    assert (slow.warning_threshold, slow.critical_threshold, slow.group_by) == (
        2000.0,
        4000.0,
        ("tenant",),
    )
    assert slow.percentile == 0.99
    assert slow.severity_for(2500) == "warning" and slow.severity_for(4500) == "critical"
    assert slow.severity_for(1500) is None
    assert spend.severity_for(25) == "critical" and spend.threshold_for("critical") == 25
    # Column form round-trips, and a JSON file reads the same.
    json_path = tmp_path / "rules.json"
    json_path.write_text(json.dumps([rule_to_dict(slow), rule_to_dict(spend)]))
    assert load_rules_file(json_path) == [slow, spend]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"metric": "latency_p95x"}, "is not one of"),
        ({"comparator": "=="}, "comparator must be"),
        ({"warning_threshold": None}, "set a warning or a critical threshold"),
        ({"critical_threshold": 500.0}, "critical threshold must be beyond"),
        ({"severity": "page"}, "severity must be"),
        ({"no_data": "maybe"}, "no_data must be"),
        ({"window_s": 0}, "at least one second"),
        ({"metric": "custom_sql"}, "needs a query"),
        ({"query": "SELECT 1"}, "only used with metric custom_sql"),
        ({"notifiers": ({"type": "webhook"},)}, "needs an http"),
        ({"notifiers": ({"type": "pager"},)}, "notifier type"),
        ({"name": "has space"}, "name"),
    ],
)
def test_invalid_rules_say_why(changes: dict[str, object], message: str) -> None:
    base = Rule(
        name="r", metric="latency_p95", window_s=60, comparator=">", warning_threshold=1000.0
    )
    with pytest.raises(InvalidRule, match=message):
        dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_unknown_and_missing_fields_are_refused() -> None:
    with pytest.raises(InvalidRule, match="unknown field 'treshold'"):
        rule_from_dict({"name": "r", "treshold": 3})
    with pytest.raises(InvalidRule, match="missing metric, window_s, comparator"):
        rule_from_dict({"name": "r"})


def test_stored_rules(store: Store) -> None:
    rule = rule_from_dict(
        {"name": "spend", "metric": "cost_sum", "window": "1h", "comparator": ">", "threshold": 5}
    )
    with store.engine.begin() as conn:
        saved = save_rule(conn, rule, now=NOON)
        assert saved.id is not None
        again = save_rule(conn, dataclasses.replace(rule, warning_threshold=7.0), now=NOON)
        assert again.id == saved.id
        set_rule_enabled(conn, "spend", False, now=NOON)
        with pytest.raises(NotFound):
            set_rule_enabled(conn, "nope", False, now=NOON)
    with store.connect() as conn:
        got = get_rule(conn, "spend")
        assert (got.warning_threshold, got.enabled, got.id) == (7.0, False, saved.id)
        assert list_rules(conn, enabled_only=True) == []
        with pytest.raises(NotFound, match="no alert rule named 'nope'"):
            get_rule(conn, "nope")


def test_built_ins_are_installed_once_and_match_the_demo_rules(store: Store) -> None:
    assert install_default_rules(store, now=NOON) == [r.name for r in DEFAULT_RULES]
    assert install_default_rules(store, now=NOON) == []
    with store.connect() as conn:
        stored = {r.name: dataclasses.replace(r, id=None) for r in list_rules(conn)}
    assert stored == {r.name: r for r in DEFAULT_RULES}
    demo = {r["name"]: rule_from_dict(r) for r in demo_rules()}
    for rule in DEFAULT_RULES:
        assert demo[rule.name] == rule
    assert demo["tenant_cost_spike"].group_by == ("metadata.tenant",)
