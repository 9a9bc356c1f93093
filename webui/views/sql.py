"""The SQL console: one read-only query from the URL, its rows, CSV, examples and saved queries."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response as BaseResponse

from llmobs_store.errors import InvalidSql, NotFound, QueryTimeout
from llmobs_store.export.csv_stream import stream_csv
from llmobs_store.sql.examples import example_queries
from llmobs_store.sql.parameters import parameter_names, parameter_values
from llmobs_store.sql.runner import QueryResult, run_query
from llmobs_store.sql.saved_queries import delete_saved_query, list_saved_queries, save_query
from llmobs_store.sql.schema_catalogue import schema_catalogue
from webui.app_context import current_store

blueprint = Blueprint("sql", __name__)

# Query-string prefix of parameter values: ?q=...:model...&p_model=gpt-4o
PARAM_PREFIX = "p_"
# Longer cells are cut on the page (the CSV download keeps them whole).
MAX_CELL_CHARS = 300


class _Outcome:
    """What running the URL's query gave: rows, a friendly error, or nothing yet."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self.parameters = parameter_names(sql) if sql.strip() else []
        given = {
            name[len(PARAM_PREFIX) :]: value
            for name, value in request.args.items()
            if name.startswith(PARAM_PREFIX)
        }
        self.values = {name: given.get(name, "") for name in self.parameters}
        self.ready = parameter_values(sql, given)
        self.result: QueryResult | None = None
        self.error: str | None = None

    def run(self) -> None:
        if not self.sql.strip() or self.ready is None:
            return
        try:
            self.result = run_query(current_store(), self.sql, self.ready)
        except InvalidSql as exc:
            self.error = str(exc)
        except QueryTimeout as exc:
            self.error = f"{exc}: add filters or a LIMIT, or aggregate in SQL."


@blueprint.get("/sql")
def console() -> tuple[str, int]:
    """The editor with the query of ``?q=``, run at once when its parameters are all given."""
    outcome = _Outcome(request.args.get("q", ""))
    outcome.run()
    store = current_store()
    page = render_template(
        "sql/console.html",
        outcome=outcome,
        name=request.args.get("name", ""),
        param_prefix=PARAM_PREFIX,
        max_cell_chars=MAX_CELL_CHARS,
        max_rows=store.settings.max_returned_rows,
        saved=list_saved_queries(store),
        examples=example_queries(store.dialect_name),
        tables=schema_catalogue(),
    )
    return page, 400 if outcome.error else 200


@blueprint.get("/sql.csv")
def download_csv() -> Response:
    """The same query's rows as a CSV file (capped at the console's row limit)."""
    outcome = _Outcome(request.args.get("q", ""))
    if not outcome.sql.strip():
        raise BadRequest("Write a query first.")
    if outcome.ready is None:
        raise BadRequest("Give every :parameter a value first.")
    outcome.run()
    if outcome.result is None:
        raise BadRequest(outcome.error or "The query gave no result.")
    result = outcome.result
    chunks: Iterator[bytes] = stream_csv(result.columns, result.rows)
    filename = _filename(request.args.get("name", ""))
    return Response(
        chunks,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "X-Llmobs-Truncated": "true" if result.truncated else "false",
        },
    )


@blueprint.post("/sql/saved")
def save() -> BaseResponse:
    """Save the editor's query under a name (replacing a query of the same name)."""
    sql = request.form.get("q", "")
    name = request.form.get("name", "")
    try:
        saved = save_query(current_store(), name, sql, request.form.get("description"))
    except (ValueError, InvalidSql) as exc:
        flash(f"Not saved: {exc}", "error")
        return redirect(url_for("sql.console", q=sql, name=name))
    flash(f"Saved “{saved.name}”.", "ok")
    return redirect(url_for("sql.console", q=saved.sql, name=saved.name))


@blueprint.post("/sql/saved/<int:query_id>/delete")
def delete(query_id: int) -> BaseResponse:
    """Delete one saved query."""
    try:
        delete_saved_query(current_store(), query_id)
    except NotFound:
        flash("That query was already deleted.", "warning")
    else:
        flash("Deleted the saved query.", "ok")
    return redirect(url_for("sql.console"))


def _filename(name: str) -> str:
    stem = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name.strip())[:60]
    return f"{stem.strip('-') or 'query'}.csv"
