"""``llmobs sql``: run one read-only query and print the rows as a table, CSV or JSON."""

from __future__ import annotations

import csv
import json
import sys
import urllib.error
import urllib.request
from typing import Any

import click

from llmobs_store.cli.options import db_option
from llmobs_store.cli.text_table import text_table
from llmobs_store.sql.json_values import json_value
from llmobs_store.sql.runner import QueryResult, run_query
from llmobs_store.store import Store


@click.command()
@click.argument("query")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE", help="A :NAME value.")
@click.option("--max-rows", type=int, help="Row cap (default: LLMOBS_MAX_RETURNED_ROWS, 1000).")
@click.option(
    "--url",
    "server_url",
    metavar="http://HOST:PORT",
    help="Run the query on a running `llmobs serve` (its DuckDB file is locked) instead of --db.",
)
@click.option(
    "--api-key",
    envvar="LLMOBS_API_KEY",
    show_envvar=True,
    help="Key for --url when the server sets LLMOBS_API_KEYS.",
)
@db_option
def sql(
    query: str,
    output_format: str,
    params: tuple[str, ...],
    max_rows: int | None,
    server_url: str | None,
    api_key: str | None,
    database_url: str,
) -> None:
    """Run a read-only SQL QUERY (one SELECT; no writes, files or settings).

    \b
    Example:
      llmobs sql "SELECT model, count(*) AS calls FROM spans GROUP BY model" --format csv
      llmobs sql "SELECT * FROM traces WHERE user_id = :user" -p user=u-42
      llmobs sql "SELECT count(*) FROM spans" --url http://127.0.0.1:4318
    """
    bound = dict(_split_param(p) for p in params)
    if server_url:
        result = _run_remote(server_url, api_key, query, bound, max_rows)
    else:
        with Store.open(database_url, upgrade=False) as store:
            result = run_query(store, query, bound, max_rows=max_rows)
    if output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    elif output_format == "json":
        rows = [dict(zip(result.columns, row, strict=True)) for row in result.rows]
        click.echo(json.dumps(rows, default=json_value, ensure_ascii=False, indent=2))
    else:
        click.echo(format_table(result))
    if result.truncated:
        click.echo(f"(truncated at {len(result.rows)} rows; use --max-rows)", err=True)


def _run_remote(
    server_url: str, api_key: str | None, query: str, params: dict[str, str], max_rows: int | None
) -> QueryResult:
    """POST the query to the server's /api/sql and read its answer back as a ``QueryResult``."""
    body = json.dumps({"sql": query, "params": params, "max_rows": max_rows}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    endpoint = server_url.rstrip("/") + "/api/sql"
    if not endpoint.startswith(("http://", "https://")):
        raise click.BadParameter("use http://HOST:PORT or https://...", param_hint="--url")
    request = urllib.request.Request(endpoint, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise click.ClickException(_server_error(exc)) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise click.ClickException(f"could not reach {server_url}: {exc}") from exc
    rows = [tuple(row) for row in answer["rows"]]
    return QueryResult(answer["columns"], rows, bool(answer["truncated"]), answer["elapsed_ms"])


def _server_error(exc: urllib.error.HTTPError) -> str:
    # The server answers {"error": "..."}; anything else (a proxy page) is shown by status.
    try:
        message = json.loads(exc.read())["error"]
    except (ValueError, KeyError, TypeError):
        return f"the server answered HTTP {exc.code} {exc.reason}"
    return message if exc.code == 400 else f"HTTP {exc.code}: {message}"


def _split_param(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise click.BadParameter(f"{text!r} is not NAME=VALUE", param_hint="--param")
    return name, value


def format_table(result: QueryResult) -> str:
    """Rows as an aligned text table with a header rule and a row count."""
    cells = [[_cell(v) for v in row] for row in result.rows]
    table = text_table(result.columns, cells, rule=True)
    return f"{table}\n({len(cells)} row{'s' if len(cells) != 1 else ''})"


def _cell(value: Any) -> str:
    if value is None:
        return "NULL"
    return str(value).replace("\n", "\\n")
