"""A few hundred crafted spans around a UTC midnight, stored once per module on each backend."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from llmobs_store.config import Settings
from llmobs_store.ingest.records import Record, SpanRecord
from llmobs_store.store import Store
from tests.conftest import POSTGRES_URL, reset_postgres
from tests.factories import make_span

# Spans start between 22:00 on March 1st and 02:00 on March 2nd, UTC.
START = datetime(2026, 3, 1, 22, 0, tzinfo=UTC)
END = START + timedelta(hours=4)
MODELS = ("gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", None)


@dataclass(frozen=True)
class Crafted:
    """The store holding ``spans``, and the same spans for independent computations."""

    store: Store
    spans: list[SpanRecord]

    def select(self, keep: Callable[[SpanRecord], bool]) -> list[SpanRecord]:
        """The spans for which ``keep`` is true."""
        return [span for span in self.spans if keep(span)]


def crafted_spans(count: int = 360, seed: int = 7) -> list[SpanRecord]:
    """``count`` varied spans: models, errors, unpriced and token-less calls, labels."""
    rng = random.Random(seed)
    spans = []
    for i in range(count):
        model = MODELS[i % len(MODELS)]
        llm = model is not None
        tokens_known = llm and i % 9 != 0
        input_tokens = rng.randint(10, 4000) if tokens_known else None
        start_ms = rng.uniform(0, (END - START).total_seconds() * 1000)
        offset = (START - datetime(2026, 1, 1, 12, 0, tzinfo=UTC)).total_seconds() * 1000
        spans.append(
            make_span(
                offset_ms=offset + start_ms,
                duration_ms=round(rng.lognormvariate(6, 0.8), 3),
                name=f"chat {model}" if llm else "tool search",
                span_type="llm" if llm else "tool",
                status="error" if rng.random() < 0.12 else "ok",
                service_name=("checkout", "search")[i % 2],
                provider=("anthropic" if model and model.startswith("claude") else "openai")
                if llm
                else None,
                model=model,
                input_tokens=input_tokens,
                output_tokens=rng.randint(1, 800) if tokens_known else None,
                cache_read_tokens=(input_tokens // 3 if input_tokens and i % 2 else None),
                reasoning_tokens=rng.randint(0, 50) if tokens_known and i % 5 == 0 else None,
                cost_usd=(round(rng.uniform(0.0001, 0.05), 6) if tokens_known and i % 7 else None),
                ttft_ms=round(rng.uniform(50, 900), 3) if llm and i % 3 else None,
                user_id=f"user-{i % 5}",
                session_id=f"session-{i % 11}",
                attributes={"app.feature": ("search", "summary", "it's")[i % 3], "i": i},
                metadata={"tenant": ("acme", "globex")[i % 2 == 0 and i % 3 == 0]},
            )
        )
    return spans


def open_store(param: str, tmp_path: Path, records: Iterable[Record]) -> Store:
    """A new store on backend ``param`` (duckdb or postgresql) holding ``records``."""
    if param == "duckdb":
        url = f"duckdb:///{tmp_path / 'llmobs.duckdb'}"
    else:
        reset_postgres()
        url = POSTGRES_URL
    store = Store.open(url, settings=Settings(writer_batch_max_rows=1_000, server_threads=2))
    store.write(records)
    return store


def crafted_store(request: pytest.FixtureRequest, tmp: pytest.TempPathFactory) -> Iterator[Crafted]:
    """Body of a module-scoped fixture parametrised with ``BACKENDS``: the crafted spans, stored."""
    spans = crafted_spans()
    store = open_store(request.param, tmp.mktemp("crafted"), spans)
    try:
        yield Crafted(store, spans)
    finally:
        store.close()


def approx_rows(rows: list[Any]) -> Any:
    """``pytest.approx`` over a list of tuples of numbers."""
    return [pytest.approx(row) for row in rows]
