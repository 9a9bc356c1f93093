"""Write-path benchmark: spans/s through ``Store`` against the naive ORM row path, same run.

    python bench/bench_write.py                       # 1M spans on DuckDB, 200k on PostgreSQL
    python bench/bench_write.py --spans 100000 --skip-postgres

Each backend is measured twice in one run: the Store's batch writer (Arrow + INSERT … SELECT on
DuckDB, COPY on PostgreSQL) and, as the baseline, SQLAlchemy ORM ``add_all`` + commit per
1,000 rows on a smaller sample. The figure that matters is the ratio between the two.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from llmobs_store.config import Settings
from llmobs_store.db.models import Span
from llmobs_store.ingest.records import SpanRecord
from llmobs_store.store import Store

POSTGRES_URL = os.environ.get(
    "LLMOBS_TEST_POSTGRES_URL", "postgresql+psycopg://llmobs:llmobs@127.0.0.1:5432/llmobs_test"
)
MODELS = [
    ("gpt-4o-mini", "openai"),
    ("claude-3-5-sonnet-20241022", "anthropic"),
    ("gpt-4o", "openai"),
]
SUBMIT_ROWS = 10_000


def make_spans(num_spans: int, seed: int = 42) -> list[SpanRecord]:
    """Deterministic 5-span traces with about 300 bytes of attribute JSON, like real GenAI spans."""
    rng = random.Random(seed)
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    spans = []
    for i in range(num_spans // 5):
        trace_id = f"{rng.getrandbits(128):032x}"
        root_id = f"{rng.getrandbits(64):016x}"
        for j in range(5):
            model, provider = MODELS[rng.randrange(len(MODELS))]
            start = t0 + timedelta(milliseconds=i * 10 + j)
            tokens_in, tokens_out = rng.randint(10, 4000), rng.randint(1, 800)
            spans.append(
                SpanRecord(
                    trace_id=trace_id,
                    span_id=root_id if j == 0 else f"{rng.getrandbits(64):016x}",
                    parent_span_id=None if j == 0 else root_id,
                    name=f"chat {model}",
                    kind="client",
                    span_type="llm",
                    status="ok",
                    start_time=start,
                    end_time=start + timedelta(milliseconds=rng.randint(50, 4000)),
                    service_name="bench-app",
                    provider=provider,
                    operation="chat",
                    model=model,
                    request_model=model,
                    input_tokens=tokens_in,
                    output_tokens=tokens_out,
                    total_tokens=tokens_in + tokens_out,
                    cost_usd=tokens_in * 1.5e-7 + tokens_out * 6e-7,
                    session_id=f"session-{rng.randint(1, 5000)}",
                    user_id=f"user-{rng.randint(1, 500)}",
                    attributes={
                        "gen_ai.operation.name": "chat",
                        "gen_ai.provider.name": provider,
                        "gen_ai.request.model": model,
                        "gen_ai.request.temperature": 0.2,
                        "gen_ai.request.max_tokens": 1024,
                        "gen_ai.response.id": f"chatcmpl-{rng.getrandbits(64):x}",
                        "gen_ai.response.finish_reasons": ["stop"],
                        "gen_ai.usage.input_tokens": tokens_in,
                        "gen_ai.usage.output_tokens": tokens_out,
                        "server.address": "api.example.com",
                        "session.id": f"session-{rng.randint(1, 5000)}",
                    },
                    resource_attributes={"service.name": "bench-app"},
                )
            )
    return spans


def through_store(url: str, spans: list[SpanRecord]) -> float:
    """Seconds from the first submit until the last span is committed."""
    with Store.open(url, settings=Settings()) as store:
        started = time.perf_counter()
        futures = [
            store.submit(spans[i : i + SUBMIT_ROWS], block=True)
            for i in range(0, len(spans), SUBMIT_ROWS)
        ]
        for future in futures:
            future.result()
        elapsed = time.perf_counter() - started
        with store.connect() as conn:
            stored = conn.execute(text("SELECT count(*) FROM spans")).scalar_one()
        assert stored == len(spans), (stored, len(spans))
    return elapsed


def through_orm(url: str, spans: list[SpanRecord]) -> float:
    """Seconds to store ``spans`` with ORM ``add_all`` and a commit per 1,000 rows."""
    with Store.open(url, settings=Settings()) as store:
        started = time.perf_counter()
        with Session(store.engine) as session:
            for i in range(0, len(spans), 1_000):
                rows = []
                for record in spans[i : i + 1_000]:
                    fields = asdict(record)
                    fields["metadata_"] = fields.pop("metadata")
                    fields["duration_ms"] = record.duration_ms
                    rows.append(Span(**fields))
                session.add_all(rows)
                session.commit()
        return time.perf_counter() - started


def reset_postgres(url: str) -> None:
    """Empty the PostgreSQL benchmark database."""
    with Store.open(url, upgrade=False) as store, store.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def measure(
    name: str, url: str, spans: list[SpanRecord], baseline: list[SpanRecord]
) -> dict[str, object]:
    """Both paths on one backend; returns the figures."""
    fresh = reset_postgres if name == "postgresql" else _fresh_duckdb
    fresh(url)
    store_s = through_store(url, spans)
    size = Path(url.removeprefix("duckdb:///")).stat().st_size if name == "duckdb" else None
    fresh(url)
    orm_s = through_orm(url, baseline)
    store_rate, orm_rate = len(spans) / store_s, len(baseline) / orm_s
    return {
        "backend": name,
        "store_spans": len(spans),
        "store_spans_per_s": round(store_rate),
        "orm_spans": len(baseline),
        "orm_spans_per_s": round(orm_rate),
        "ratio": round(store_rate / orm_rate, 1),
        "bytes_per_span": None if size is None else round(size / len(spans)),
    }


def _fresh_duckdb(url: str) -> None:
    path = Path(url.removeprefix("duckdb:///"))
    for leftover in (path, Path(f"{path}.wal")):
        leftover.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spans", type=int, default=1_000_000)
    parser.add_argument("--pg-spans", type=int, default=200_000)
    parser.add_argument("--baseline-spans", type=int, default=5_000)
    parser.add_argument("--postgres-url", default=POSTGRES_URL)
    parser.add_argument("--skip-postgres", action="store_true")
    args = parser.parse_args()

    spans = make_spans(args.spans)
    baseline = make_spans(args.baseline_spans, seed=7)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        results.append(measure("duckdb", f"duckdb:///{tmp}/bench.duckdb", spans, baseline))
    if not args.skip_postgres:
        results.append(measure("postgresql", args.postgres_url, spans[: args.pg_spans], baseline))
    for row in results:
        print(json.dumps(row))
    print("\n| backend | Store spans/s | ORM row path spans/s | ratio | bytes/span on disk |")
    print("|---|---|---|---|---|")
    for r in results:
        size = "—" if r["bytes_per_span"] is None else r["bytes_per_span"]
        print(
            f"| {r['backend']} | {r['store_spans_per_s']:,} ({r['store_spans']:,} spans) | "
            f"{r['orm_spans_per_s']:,} ({r['orm_spans']:,} spans) | {r['ratio']}× | {size} |"
        )


if __name__ == "__main__":
    main()
