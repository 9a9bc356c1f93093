"""The Costs screen: a cost report grouped as asked, its chart and CSV, and unpriced models."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as BaseResponse

from llmobs_store.export.cost_report import TIME_DIMENSIONS, stream_cost_csv
from llmobs_store.export.cost_table import (
    CostTable,
    build_cost_table,
    list_unpriced_models,
)
from llmobs_store.ingest.price_overrides import NewPrice, add_price_override
from llmobs_store.ingest.repricing import recompute_costs
from webui.app_context import current_store
from webui.params import view_filters

blueprint = Blueprint("costs", __name__)

# What the report can be grouped by; "attribute" stands for a metadata key typed in the form.
GROUPINGS: dict[str, str] = {
    "model": "Model",
    "provider": "Provider",
    "day": "Day",
    "week": "Week",
    "user": "User",
    "session": "Session",
    "tenant": "Tenant",
    "service": "Service",
    "attribute": "Attribute…",
}
DEFAULT_GROUP = "model"
MAX_TABLE_ROWS = 1_000
MAX_CHART_SERIES = 8


class _Grouping:
    """The report's grouping from ``?group=model&then=day&attribute=feature``."""

    def __init__(self) -> None:
        self.group = request.args.get("group", DEFAULT_GROUP)
        self.then = request.args.get("then", "")
        self.attribute = request.args.get("attribute", "").strip()

    def keys(self) -> list[str]:
        """The ``group_by`` of the cost report; raises ``ValueError`` for a bad choice."""
        keys = []
        for choice in (self.group, self.then):
            if not choice:
                continue
            if choice not in GROUPINGS:
                raise ValueError(f"{choice!r} is not a grouping")
            if choice == "attribute" and not self.attribute:
                raise ValueError("type the attribute (metadata key) to group by")
            keys.append(self.attribute if choice == "attribute" else choice)
        return keys or [DEFAULT_GROUP]

    def args(self) -> dict[str, str]:
        """The grouping as query-string arguments."""
        args = {"group": self.group}
        if self.then:
            args["then"] = self.then
        if self.attribute:
            args["attribute"] = self.attribute
        return args


@blueprint.get("/costs")
def report() -> tuple[str, int]:
    """The report for the global period and service, grouped as asked."""
    filters = view_filters()
    grouping = _Grouping()
    store = current_store()
    table: CostTable | None = None
    error = None
    try:
        table = build_cost_table(
            store,
            grouping.keys(),
            since=filters.since,
            until=filters.until,
            service=filters.service,
            max_rows=MAX_TABLE_ROWS,
        )
    except ValueError as exc:
        error = str(exc)
    unpriced = list_unpriced_models(
        store, since=filters.since, until=filters.until, service=filters.service
    )
    page = render_template(
        "costs/report.html",
        grouping=grouping,
        groupings=GROUPINGS,
        table=table,
        error=error,
        chart=cost_chart(table) if table is not None else None,
        unpriced=unpriced,
        csv_url=url_for("costs.download_csv", **_args(filters.query_args(), grouping.args())),
    )
    return page, 400 if error else 200


@blueprint.get("/costs.csv")
def download_csv() -> Response:
    """Every row of the report as CSV, streamed."""
    filters = view_filters()
    grouping = _Grouping()
    try:
        keys = grouping.keys()
        chunks = stream_cost_csv(
            current_store(), keys, filters.since, filters.until, service=filters.service
        )
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc
    name = f"costs-{'-'.join(keys)}-{filters.since:%Y%m%d}-{filters.until:%Y%m%d}.csv"
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return Response(
        chunks,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


@blueprint.post("/costs/prices")
def add_price() -> BaseResponse:
    """Add a price override from the form, then re-price the period's calls."""
    filters = view_filters()
    back = url_for("costs.report", **_args(request.args.to_dict()))
    form = request.form
    try:
        price = NewPrice(
            model=form.get("model", ""),
            input_usd_per_mtok=_usd(form.get("input"), "input price"),
            output_usd_per_mtok=_usd(form.get("output"), "output price"),
            cache_read_usd_per_mtok=_optional_usd(form.get("cache_read"), "cache read price"),
            provider=form.get("provider") or None,
            note=form.get("note") or None,
        )
        override_id = add_price_override(current_store(), price)
    except ValueError as exc:
        flash(f"Price not added: {exc}", "error")
        return redirect(back)
    result = recompute_costs(current_store(), since=filters.since)
    flash(
        f"Added price override {override_id} for {price.model}; re-priced "
        f"{result.num_changed:,} of {result.num_checked:,} calls since "
        f"{filters.since:%Y-%m-%d %H:%M} UTC (older calls: `llmobs prices recompute`).",
        "ok",
    )
    return redirect(back)


def cost_chart(table: CostTable) -> dict[str, Any]:
    """The chart of a report: cost over time per group when grouped by time, else bars."""
    cost_at = table.columns.index("cost_usd")
    time_at = next((i for i, key in enumerate(table.keys) if key in TIME_DIMENSIONS), None)
    other_at = next((i for i, key in enumerate(table.keys) if key not in TIME_DIMENSIONS), None)
    if time_at is None:
        assert other_at is not None
        by_group: dict[str, float] = defaultdict(float)
        for row in table.rows:
            by_group[_label(row[other_at])] += row[cost_at] or 0.0
        top = sorted(by_group.items(), key=lambda item: -item[1])[:20]
        return {
            "kind": "bar",
            "x": [name for name, _ in top],
            "x_type": "category",
            "series": [{"label": "Cost", "values": [round(cost, 6) for _, cost in top]}],
            "unit": "$",
            "title": f"Cost by {table.keys[other_at]}",
        }
    buckets = sorted({row[time_at] for row in table.rows if row[time_at] is not None})
    series: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for row in table.rows:
        if row[time_at] is not None:
            name = "Cost" if other_at is None else _label(row[other_at])
            series[name][row[time_at]] += row[cost_at] or 0.0
    ranked = sorted(series, key=lambda name: -sum(series[name].values()))
    kept, rest = ranked[:MAX_CHART_SERIES], ranked[MAX_CHART_SERIES:]
    lines = [{"label": n, "values": [round(series[n][b], 6) for b in buckets]} for n in kept]
    if rest:
        others = [round(sum(series[n][b] for n in rest), 6) for b in buckets]
        lines.append({"label": "other", "values": others})
    return {
        "kind": "line",
        "x": [int(datetime(b.year, b.month, b.day, tzinfo=UTC).timestamp()) for b in buckets],
        "x_type": "time",
        "series": lines,
        "unit": "$",
        "title": f"Cost per {table.keys[time_at]}",
    }


def _args(*parts: dict[str, str]) -> dict[str, Any]:
    # url_for's own keyword arguments are typed; ours are all query-string values.
    merged: dict[str, Any] = {}
    for part in parts:
        merged.update(part)
    return merged


def _label(value: Any) -> str:
    return "(none)" if value is None else str(value)


def _usd(raw: str | None, label: str) -> float:
    try:
        return float((raw or "").strip())
    except ValueError:
        raise ValueError(f"{label}: a number of USD per million tokens") from None


def _optional_usd(raw: str | None, label: str) -> float | None:
    return None if not (raw or "").strip() else _usd(raw, label)
