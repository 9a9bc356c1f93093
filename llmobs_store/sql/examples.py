"""Example questions for the SQL console, written for the database they will run on."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExampleQuery:
    """A titled query that runs as it is (``:named`` parameters become form fields).

    >>> [example.title for example in example_queries("duckdb")][0]
    'p95 latency by model'
    """

    title: str
    description: str
    sql: str


def _p95(column: str, dialect: str) -> str:
    if dialect == "duckdb":
        return f"quantile_cont({column}, 0.95)"
    return f"percentile_cont(0.95) WITHIN GROUP (ORDER BY {column})"


def example_queries(dialect: str) -> list[ExampleQuery]:
    """The examples for ``dialect`` (``duckdb`` or ``postgresql``)."""
    return [
        ExampleQuery(
            "p95 latency by model",
            "LLM calls of the last day: count, p95 latency and cost per model.",
            "SELECT model,\n"
            "       count(*) AS calls,\n"
            f"       round({_p95('duration_ms', dialect)}) AS p95_ms,\n"
            "       sum(cost_usd) AS cost_usd\n"
            "FROM spans\n"
            "WHERE span_type = 'llm' AND start_time > now() - INTERVAL '1 day'\n"
            "GROUP BY model\n"
            "ORDER BY p95_ms DESC",
        ),
        ExampleQuery(
            "Cost per tenant per day",
            "Cost of LLM calls per tenant (the tenant metadata key) and UTC day.",
            "SELECT date_trunc('day', start_time) AS day,\n"
            "       metadata->>'tenant' AS tenant,\n"
            "       count(*) AS calls,\n"
            "       sum(cost_usd) AS cost_usd,\n"
            "       count(*) - count(cost_usd) AS unpriced_calls\n"
            "FROM spans\n"
            "WHERE span_type = 'llm' AND start_time > now() - INTERVAL '7 days'\n"
            "GROUP BY day, tenant\n"
            "ORDER BY day DESC, cost_usd DESC",
        ),
        ExampleQuery(
            "Error spikes",
            "Hours of the last week with the most failed spans, and their error rate.",
            "SELECT date_trunc('hour', start_time) AS hour,\n"
            "       count(*) FILTER (WHERE status = 'error') AS errors,\n"
            "       count(*) AS spans,\n"
            "       round(100.0 * count(*) FILTER (WHERE status = 'error') / count(*), 1)"
            " AS error_pct\n"
            "FROM spans\n"
            "WHERE start_time > now() - INTERVAL '7 days'\n"
            "GROUP BY hour\n"
            "HAVING count(*) FILTER (WHERE status = 'error') > 0\n"
            "ORDER BY errors DESC\n"
            "LIMIT 20",
        ),
        ExampleQuery(
            "One model's slowest calls",
            "The slowest calls of a model you choose (a :named parameter).",
            "SELECT trace_id, span_id, start_time, duration_ms, input_tokens, output_tokens\n"
            "FROM spans\n"
            "WHERE span_type = 'llm' AND model = :model\n"
            "ORDER BY duration_ms DESC\n"
            "LIMIT 20",
        ),
    ]
