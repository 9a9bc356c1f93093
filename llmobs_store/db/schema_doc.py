"""Renders ``docs/schema.md`` from the models, so the column reference never drifts from them.

Run ``python -m llmobs_store.db.schema_doc > docs/schema.md`` after changing a model.
"""

from __future__ import annotations

from sqlalchemy import Column, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import JSON

from llmobs_store.db.models import Base
from llmobs_store.db.types import UtcDateTime

TABLE_ORDER = (
    "spans",
    "traces",
    "daily_rollups",
    "request_samples",
    "metric_points",
    "logs",
    "open_spans",
    "alert_rules",
    "alert_events",
    "model_prices",
    "saved_queries",
)

INTRODUCTION = """\
# The llmobs schema

Everything llmobs stores is in these tables, in one DuckDB file (`llmobs.duckdb` by default) or
in PostgreSQL. The schema is a public API: query it with `llmobs sql`, the web SQL console, or
any DuckDB/PostgreSQL client (for DuckDB, while `llmobs serve` is stopped: one process owns the
file). Migrations (`llmobs db upgrade`) keep it current; columns are only ever added.

Conventions that hold everywhere:
- **Times** are `TIMESTAMP WITH TIME ZONE`, stored and returned in UTC.
- **Ids**: `trace_id` is 32 lowercase hex characters, `span_id` 16 (W3C trace context).
  Our own integer keys are called `id`.
- **NULL means unknown**, never zero: a failed LLM call has NULL tokens, an unpriced call has
  NULL `cost_usd`. Use `count(cost_usd)` vs `count(*)` to see price coverage.
- **JSON columns** keep everything the client sent. On DuckDB read them with `->>`
  (`attributes->>'gen_ai.request.model'`) and chain `->` for nested values; on PostgreSQL
  (JSONB) the same operators work. JSON has no NaN or infinity: such values are stored as null.
- A span re-delivered by a retrying exporter is stored once: `(trace_id, span_id)` is unique.
- Prompts and answers are redacted (e-mail addresses, API keys, card numbers, your patterns)
  and cut to `LLMOBS_MAX_CONTENT_CHARS` before they are written, in `input_text`/`output_text`
  and in the attributes that carry them. With `LLMOBS_CAPTURE_CONTENT=false` they are dropped
  and the span's attributes say `"llmobs.content_dropped": true`.

Example questions:

```sql
-- p95 latency and cost per model over the last day (DuckDB)
SELECT model, count(*) AS calls,
       quantile_cont(duration_ms, 0.95) AS p95_ms,
       sum(cost_usd) AS cost_usd, count(cost_usd) / count(*) AS price_coverage
FROM spans
WHERE span_type = 'llm' AND start_time > now() - INTERVAL 1 DAY
GROUP BY model ORDER BY cost_usd DESC NULLS LAST;

-- the slowest traces of one tenant
SELECT t.trace_id, t.name, t.duration_ms, t.cost_usd
FROM traces t
WHERE t.trace_id IN (SELECT trace_id FROM spans WHERE metadata->>'tenant' = 'acme')
ORDER BY t.duration_ms DESC LIMIT 10;
```
"""


def sql_type(column: Column[object]) -> str:
    """The column's type as PostgreSQL spells it (DuckDB uses the same names)."""
    if isinstance(column.type, UtcDateTime):
        return "TIMESTAMPTZ"
    if isinstance(column.type, JSON):
        return "JSON"
    return str(column.type.compile(dialect=postgresql.dialect()))  # type: ignore[no-untyped-call]


def render_table(table: Table) -> str:
    """One table's section: its purpose, its columns, its indexes."""
    lines = [f"## `{table.name}`", "", str(table.comment), ""]
    lines += ["| column | type | null | meaning |", "|---|---|---|---|"]
    for column in table.columns:
        null = "yes" if column.nullable else "no"
        lines.append(f"| `{column.name}` | {sql_type(column)} | {null} | {column.comment} |")
    indexes = sorted(table.indexes, key=lambda ix: str(ix.name))
    if table.primary_key.columns or indexes:
        lines += ["", "Keys and indexes:"]
    if table.primary_key.columns:
        lines.append(f"- primary key ({', '.join(c.name for c in table.primary_key.columns)})")
    if indexes:
        for index in indexes:
            columns = ", ".join(c.name for c in index.columns)
            kind = "unique index" if index.unique else "index"
            ddl_if = index._ddl_if
            where = f" ({ddl_if.dialect} only)" if ddl_if is not None and ddl_if.dialect else ""
            lines.append(f"- `{index.name}`: {kind} on ({columns}){where}")
    return "\n".join(lines) + "\n"


def render() -> str:
    """The whole of ``docs/schema.md``."""
    tables = Base.metadata.tables
    assert set(TABLE_ORDER) == set(tables), "add new tables to TABLE_ORDER"
    return INTRODUCTION + "".join("\n" + render_table(tables[name]) for name in TABLE_ORDER)


if __name__ == "__main__":
    print(render(), end="")
