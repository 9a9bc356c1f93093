"""The Alerts screen: active alerts, history with a timeline, rules (edit, toggle, backtest)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from llmobs_store.alerts.active import list_active_alerts
from llmobs_store.alerts.backtest import Backtest, backtest
from llmobs_store.alerts.history import AlertEpisode, list_episodes
from llmobs_store.alerts.rules import (
    COMPARATORS,
    NO_DATA,
    SEVERITIES,
    SIMPLE_METRICS,
    Rule,
    format_duration,
    get_rule,
    list_rules,
    rule_from_dict,
    save_rule,
    set_rule_enabled,
)
from llmobs_store.errors import InvalidRule, NotFound
from webui.alert_rule_form import form_values, rule_values
from webui.app_context import current_store
from webui.params import view_filters

blueprint = Blueprint("alerts", __name__)

METRICS = (
    *SIMPLE_METRICS[:2],
    "latency_p50",
    "latency_p90",
    "latency_p95",
    "latency_p99",
    "ttft_p50",
    "ttft_p95",
    "ttft_p99",
    *SIMPLE_METRICS[2:],
)
UNITS = {"latency": "ms", "ttft": "ms", "cost_sum": "$"}
MAX_BACKTEST_POINTS = 600
MAX_CHART_GROUPS = 6


@blueprint.get("/alerts")
def overview() -> str:
    """Active alerts, the period's firing history with its timeline, and the rules."""
    filters = view_filters()
    with current_store().connect() as conn:
        active = list_active_alerts(conn)
        episodes = list_episodes(conn, since=filters.since, until=filters.until)
        rules = list_rules(conn)
    firing_rules = Counter(a.name for a in active)
    return render_template(
        "alerts/overview.html",
        active=active,
        episodes=episodes,
        rules=rules,
        firing_rules=firing_rules,
        timeline=timeline_chart(episodes, filters.since, filters.until),
        format_duration=format_duration,
    )


@blueprint.route("/alerts/rules/new", methods=["GET", "POST"])
def new_rule() -> BaseResponse | tuple[str, int]:
    """The empty rule form; a valid one is saved."""
    return _edit(None)


@blueprint.route("/alerts/rules/<name>/edit", methods=["GET", "POST"])
def edit_rule(name: str) -> BaseResponse | tuple[str, int]:
    """The form of a stored rule; a valid one replaces it."""
    return _edit(name)


@blueprint.post("/alerts/rules/<name>/enabled")
def toggle_rule(name: str) -> BaseResponse:
    """Enable or disable a rule (``enabled=1`` or ``0``)."""
    enabled = request.form.get("enabled") == "1"
    try:
        with current_store().engine.begin() as conn:
            set_rule_enabled(conn, name, enabled, now=datetime.now(UTC))
    except NotFound:
        abort(404)
    flash(f"Rule {name} {'enabled' if enabled else 'disabled'}.", "ok")
    return redirect(_overview_url())


@blueprint.get("/alerts/rules/<name>/backtest")
def backtest_rule(name: str) -> tuple[str, int]:
    """Replay a rule over the last N days: its value against its thresholds, and its firings."""
    store = current_store()
    try:
        with store.connect() as conn:
            rule = get_rule(conn, name)
    except NotFound:
        abort(404)
    days = _days(request.args.get("days"))
    until = datetime.now(UTC).replace(second=0, microsecond=0)
    span_s = int(days * 86_400)
    step_s = max(60, -(-span_s // MAX_BACKTEST_POINTS // 60) * 60)
    error, result = None, None
    try:
        result = backtest(
            store, rule, since=until - timedelta(days=days), until=until, step_s=step_s
        )
    except (ValueError, InvalidRule) as exc:
        error = str(exc)
    page = render_template(
        "alerts/backtest.html",
        rule=rule,
        days=days,
        result=result,
        error=error,
        chart=backtest_chart(result) if result else None,
        format_duration=format_duration,
    )
    return page, 400 if error else 200


def _edit(name: str | None) -> BaseResponse | tuple[str, int]:
    store = current_store()
    rule: Rule | None = None
    if name is not None:
        try:
            with store.connect() as conn:
                rule = get_rule(conn, name)
        except NotFound:
            abort(404)
    form = form_values(rule) if request.method == "GET" else request.form.to_dict()
    if name is not None:
        form["name"] = name  # a rule keeps its name: its history is filed under it
    error = None
    if request.method == "POST":
        try:
            parsed = rule_from_dict(rule_values(request.form, name))
            with store.engine.begin() as conn:
                if name is None and parsed.name in {r.name for r in list_rules(conn)}:
                    raise InvalidRule(f"a rule named {parsed.name} exists already")
                save_rule(conn, parsed, now=datetime.now(UTC))
        except InvalidRule as exc:
            error = str(exc)
        else:
            flash(f"Rule {parsed.name} saved.", "ok")
            return redirect(_overview_url())
    metrics = (
        METRICS
        if form.get("metric", "") in METRICS or not form.get("metric")
        else (*METRICS, form["metric"])
    )
    page = render_template(
        "alerts/rule_form.html",
        form=form,
        editing=name,
        error=error,
        metrics=metrics,
        comparators=COMPARATORS,
        severities=SEVERITIES,
        no_data_choices=NO_DATA,
    )
    return page, 400 if error else 200


def timeline_chart(
    episodes: list[AlertEpisode], since: datetime, until: datetime
) -> dict[str, Any]:
    """Alerts fired per hour (per day past two days), by severity."""
    bucket_s = 3_600 if until - since <= timedelta(days=2) else 86_400
    first = int(since.timestamp()) // bucket_s * bucket_s
    x = list(range(first, int(until.timestamp()) + 1, bucket_s))
    counts: dict[str, Counter[int]] = {s: Counter() for s in ("critical", "warning", "info")}
    for e in episodes:
        if e.fired_at >= since:
            counts.setdefault(e.severity, Counter())[
                int(e.fired_at.timestamp()) // bucket_s * bucket_s
            ] += 1
    series = [{"label": s, "values": [c[t] for t in x]} for s, c in counts.items() if c]
    return {
        "kind": "bar",
        "x": x,
        "x_type": "time",
        "series": series,
        "unit": "",
        "title": "Alerts fired per " + ("hour" if bucket_s == 3_600 else "day"),
    }


def backtest_chart(result: Backtest) -> dict[str, Any]:
    """The measured value per group at each step, with the thresholds as flat lines."""
    ends = sorted(result.measured)
    by_group: dict[str, dict[datetime, float | None]] = {}
    labels: dict[str, str] = {}
    for end in ends:
        for m in result.measured[end]:
            by_group.setdefault(m.group_key, {})[end] = m.value
            named = (f"{k}={'(none)' if v is None else v}" for k, v in m.labels.items())
            labels[m.group_key] = ", ".join(named) or "value"
    rule = result.rule
    worst = sorted(
        by_group,
        key=lambda g: -max((abs(v) for v in by_group[g].values() if v is not None), default=0.0),
    )
    series = [
        {"label": labels[g], "values": [by_group[g].get(t) for t in ends]}
        for g in worst[:MAX_CHART_GROUPS]
    ]
    for level, threshold in (
        ("warning", rule.warning_threshold),
        ("critical", rule.critical_threshold),
    ):
        if threshold is not None:
            series.append({"label": f"{level} threshold", "values": [threshold] * len(ends)})
    unit = next((u for prefix, u in UNITS.items() if rule.metric.startswith(prefix)), "")
    return {
        "kind": "line",
        "x": [int(t.timestamp()) for t in ends],
        "x_type": "time",
        "series": series,
        "unit": unit,
        "title": f"{rule.metric} of {rule.name}",
    }


def _overview_url() -> str:
    # url_for's own keyword arguments are typed; the filters are all query-string values.
    args: dict[str, Any] = dict(view_filters().query_args())
    return url_for("alerts.overview", **args) + "#rules"


def _days(raw: str | None) -> int:
    try:
        days = int(raw or 7)
    except ValueError:
        days = 7
    return min(max(days, 1), 90)
