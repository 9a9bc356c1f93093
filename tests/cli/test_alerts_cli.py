"""``llmobs alerts list|check|backtest|load`` with exact output, and against a running server."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from llmobs_store.alerts.history import list_events
from llmobs_store.cli import main
from llmobs_store.store import Store
from tests.alerts.crafted import NOON, llm_span, spread
from tests.alerts.receiver import receiving
from tests.cli.test_serve import LLMOBS, ROOT, running

RULES_YAML = """\
- name: slow_calls
  metric: latency_p95
  group_by: model
  window: 10m
  comparator: ">"
  thresholds: {warning: 1000, critical: 3000}
  min_samples: 3
- name: spend
  metric: cost_sum
  window: 1h
  comparator: ">"
  threshold: 5
  for: 10m
"""


@pytest.fixture
def filled_url(store: Store, database_url: str) -> str:
    store.write(
        spread(
            NOON - timedelta(minutes=8), 6, 60.0, duration_ms=2000.0, model="gpt-4o", cost_usd=2.0
        )
    )
    store.write(spread(NOON - timedelta(minutes=8), 6, 60.0, duration_ms=200.0, model="claude"))
    store.close()
    return database_url


@pytest.fixture
def rules_file(tmp_path: Path) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(RULES_YAML)
    return path


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_load_list_check_and_backtest(filled_url: str, rules_file: Path) -> None:
    db = ("--db", filled_url)
    assert _run("alerts", "load", str(rules_file), *db) == (
        f"loaded 2 rules from {rules_file}: 2 added, 0 replaced\n"
    )
    assert _run("alerts", "load", str(rules_file), *db).endswith("0 added, 2 replaced\n")
    assert _run("alerts", "list", *db) == (
        "rule        enabled  metric       window  condition         "
        "               group by  notify\n"
        "slow_calls  yes      latency_p95  10m     > 1000 warning, > 3000 critical  model     -\n"
        "spend       yes      cost_sum     1h      > 5 warning for 10m              -         -\n"
        "\n"
        "no active alerts\n"
    )
    checked = _run("alerts", "check", "--at", "2026-03-02T12:00:00", "--no-notify", *db)
    assert checked == (
        "time                 rule        group         state    seve"
        "rity  value  threshold  samples\n"
        "2026-03-02 12:00:00  slow_calls  model=gpt-4o  firing   warning   2000   1000       6\n"
        "2026-03-02 12:00:00  spend       -             pending  warning   12     5          12\n"
    )
    # The built-ins were installed on the way; with no cost history, cost_spike has no verdict.
    later = _run("alerts", "check", "--at", "2026-03-02T12:10:00", "--no-notify", *db)
    assert later == (
        "time                 rule        group         state     sev"
        "erity  value    threshold  samples\n"
        "2026-03-02 12:10:00  slow_calls  model=gpt-4o  resolved  warning   no data  1000       0\n"
        "2026-03-02 12:10:00  spend       -             firing    war"
        "ning   12       5          12\n"
    )
    listed = _run("alerts", "list", *db)
    assert "cost_spike          yes      cost_zscore     1h      > 3 warning" in listed
    assert listed.endswith(
        "active alert  group  severity  value  threshold  since\n"
        "spend         -      warning   12     5          2026-03-02 12:00:00\n"
    )
    replay = _run(
        "alerts",
        "backtest",
        "slow_calls",
        "--since",
        "2026-03-02T11:30",
        "--until",
        "2026-03-02T12:30",
        "--step",
        "5m",
        "--transitions",
        *db,
    )
    assert replay == (
        "slow_calls: 13 evaluations every 5m from 2026-03-02 11:30:00 to 2026-03-02 12:30:00; "
        "fired 1 time\n"
        "group         severity  fired                resolved             peak value\n"
        "model=gpt-4o  warning   2026-03-02 11:55:00  2026-03-02 12:10:00  2000\n"
        "time                 rule        group         state     sev"
        "erity  value    threshold  samples\n"
        "2026-03-02 11:55:00  slow_calls  model=gpt-4o  firing    warning   2000     1000       3\n"
        "2026-03-02 12:10:00  slow_calls  model=gpt-4o  resolved  warning   no data  1000       0\n"
    )


def test_backtest_a_rule_from_a_file_and_relative_since(filled_url: str, rules_file: Path) -> None:
    out = _run(
        "alerts",
        "backtest",
        "spend",
        "--file",
        str(rules_file),
        "--since",
        "2h",
        "--until",
        "2026-03-02T12:30:00",
        "--step",
        "10m",
        "--db",
        filled_url,
    )
    assert out == (
        "spend: 13 evaluations every 10m from 2026-03-02 10:30:00 to 2026-03-02 12:30:00; "
        "fired 1 time\n"
        "group  severity  fired                resolved      peak value\n"
        "-      warning   2026-03-02 12:10:00  still firing  12\n"
    )


def test_check_notifies_and_records_the_outcome(filled_url: str, tmp_path: Path) -> None:
    with receiving([200]) as receiver:
        path = tmp_path / "hook.json"
        path.write_text(
            '[{"name": "busy", "metric": "request_count", "window": "10m", "comparator": ">",'
            f' "threshold": 10, "notifiers": [{{"type": "webhook", "url": "{receiver.url}"}}]}}]'
        )
        _run("alerts", "load", str(path), "--db", filled_url)
        out = _run(
            "alerts", "check", "--rule", "busy", "--at", "2026-03-02T12:00", "--db", filled_url
        )
    assert out.splitlines()[1].split() == [
        "2026-03-02",
        "12:00:00",
        "busy",
        "-",
        "firing",
        "warning",
        "12",
        "10",
        "12",
    ]
    assert [body["rule"] for _, body in receiver.received] == ["busy"]
    with Store.open(filled_url) as store, store.connect() as conn:
        [event] = list_events(conn, rule_name="busy")
    assert (event.notification_status, event.notification_attempts) == ("sent", 1)


def test_errors_are_one_clear_line(filled_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(
        main, ["alerts", "backtest", "nope", "--since", "1d", "--db", filled_url]
    )
    assert missing.exit_code == 1
    assert missing.output == "Error: no alert rule named 'nope'\n"
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {name: x, metric: latency_p95, window: 5m, comparator: '>'}\n")
    refused = runner.invoke(main, ["alerts", "load", str(bad), "--db", filled_url])
    assert refused.exit_code == 1
    assert refused.output == "Error: x: set a warning or a critical threshold (or both)\n"
    step = runner.invoke(
        main, ["alerts", "backtest", "x", "--since", "1d", "--step", "5 min", "--db", filled_url]
    )
    assert step.exit_code == 2 and "is not a duration" in step.output


def test_a_running_server_evaluates_and_holds_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"duckdb:///{tmp_path / 'served.duckdb'}"
    rule = tmp_path / "any.yaml"
    rule.write_text(
        "- {name: any_call, metric: request_count, window: 1h, comparator: '>=', threshold: 1}\n"
    )
    _run("alerts", "load", str(rule), "--db", url)
    with Store.open(url) as store:
        store.write([llm_span(datetime.now(UTC) - timedelta(minutes=5))])
    monkeypatch.setenv("LLMOBS_ALERT_INTERVAL_S", "0.2")
    with running("serve", "--db", url) as (_process, base):
        held = subprocess.run(
            [*LLMOBS, "alerts", "check", "--db", url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=60,
        )
        assert held.returncode == 1
        assert "held by a running `llmobs serve`" in held.stderr
        assert "llmobs alerts list --url" in held.stderr and "Traceback" not in held.stderr
        listed = ""
        for _ in range(200):
            listed = _run("alerts", "list", "--url", base)
            if "any_call" in listed:
                break
            time.sleep(0.1)
    assert listed.splitlines()[0].split() == [
        "active",
        "alert",
        "group",
        "severity",
        "value",
        "threshold",
        "since",
    ]
    assert listed.splitlines()[1].split()[:5] == ["any_call", "-", "warning", "1", "1"]
