"""``POST /api/sql``: one read-only query over HTTP, for the web console and ``llmobs sql --url``.

Both refusals and timeouts answer 400 with ``{"error": ...}``: not 408, which browsers and
some HTTP clients retry on their own, running an expensive query again.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import BadRequest

from llmobs_store.errors import InvalidSql, QueryTimeout
from llmobs_store.sql.json_values import json_value
from llmobs_store.sql.runner import run_query
from webui.app_context import current_settings, current_store, json_body
from webui.auth import require_api_key
from webui.errors import error_response

sql_api = Blueprint("sql_api", __name__, url_prefix="/api")


@sql_api.before_request
def check_api_key() -> Response | None:
    """The same key rule as /v1: needed once LLMOBS_API_KEYS is set."""
    return require_api_key(current_settings(), request)


@sql_api.errorhandler(InvalidSql)
def invalid_sql(exc: InvalidSql) -> Response:
    return error_response(400, str(exc))


@sql_api.errorhandler(QueryTimeout)
def query_timeout(exc: QueryTimeout) -> Response:
    return error_response(400, f"{exc}: add filters or a LIMIT, or aggregate in SQL")


@sql_api.post("/sql")
def run_sql() -> Response:
    """Body ``{"sql": "...", "params": {...}, "max_rows": N}``; rows capped by the server."""
    sql, params, max_rows = _parse_body(json_body())
    ceiling = current_settings().max_returned_rows
    result = run_query(current_store(), sql, params, max_rows=min(max_rows or ceiling, ceiling))
    return jsonify(
        columns=result.columns,
        rows=[[json_value(v) for v in row] for row in result.rows],
        truncated=result.truncated,
        elapsed_ms=round(result.elapsed_ms, 3),
    )


def _parse_body(body: bytes) -> tuple[str, dict[str, Any], int | None]:
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict) or not isinstance(parsed.get("sql"), str):
        raise BadRequest('send {"sql": "SELECT ...", "params": {...}, "max_rows": N}')
    params = parsed.get("params") or {}
    if not isinstance(params, dict) or not all(
        v is None or isinstance(v, str | int | float | bool) for v in params.values()
    ):
        raise BadRequest("params must be an object of names to strings, numbers or null")
    max_rows = parsed.get("max_rows")
    if max_rows is not None and (
        isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1
    ):
        raise BadRequest("max_rows must be a positive integer")
    return parsed["sql"], params, max_rows
