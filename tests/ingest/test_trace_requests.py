"""OTLP trace requests prepared in this process and in worker processes give the same rows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import text

from llmobs_store.config import Settings, default_ingest_workers
from llmobs_store.errors import IngestRejected
from llmobs_store.ingest.arrow_tables import to_arrow
from llmobs_store.ingest.content_policy import ContentPolicy
from llmobs_store.ingest.otlp import encode_spans
from llmobs_store.ingest.pricing import Pricer
from llmobs_store.ingest.trace_requests import (
    _BOOTSTRAP,
    TracePreparationPool,
    prepare_in_process,
    prepare_request,
)
from tests.fixture_files import OTLP_FIXTURES
from tests.ingest.test_span_columns import OVERRIDE, SPANS
from tests.live_server import LiveServer, serving_new_store

FIXTURES = OTLP_FIXTURES
PROTOBUF = "application/x-protobuf"
BODY = (FIXTURES / "traces_genai_protobuf.bin").read_bytes()


@pytest.fixture(scope="module")
def pool() -> Iterator[TracePreparationPool]:
    started = TracePreparationPool(Settings(), num_workers=1)
    yield started
    started.close()


def test_worker_and_in_process_preparation_agree(pool: TracePreparationPool) -> None:
    in_process = prepare_request(BODY, PROTOBUF, Pricer(), ContentPolicy())
    in_worker = pool.prepare(BODY, PROTOBUF, Pricer())
    assert in_worker.spans is not None and in_worker.num_rejected == 0
    assert in_worker.spans.equals(to_arrow("spans", in_process.spans))


def test_undecodable_bodies_are_rejected_from_the_worker(pool: TracePreparationPool) -> None:
    with pytest.raises(IngestRejected, match="not a valid protobuf"):
        pool.prepare(BODY[:100], PROTOBUF, Pricer())
    with pytest.raises(IngestRejected, match="not valid JSON"):
        pool.prepare(b"{", "application/json", Pricer())


def test_workers_follow_the_content_settings_and_price_overrides() -> None:
    settings = Settings(capture_content=False, redact_patterns=(r"ACME-\d+",))
    body = encode_spans(SPANS)
    policy = ContentPolicy.from_settings(settings)
    started = TracePreparationPool(settings, num_workers=2)
    try:
        for overrides in ((), (OVERRIDE,), ()):
            in_worker = started.prepare(body, PROTOBUF, Pricer(overrides))
            in_process = prepare_in_process(body, PROTOBUF, Pricer(overrides), policy)
            assert in_worker.spans is not None and in_worker.spans.equals(in_process.spans)
    finally:
        started.close()


def test_a_worker_that_dies_is_replaced(pool: TracePreparationPool) -> None:
    (victim,) = pool.pids
    os.kill(victim, signal.SIGKILL)
    with pytest.raises(RuntimeError, match="worker"):
        pool.prepare(BODY, PROTOBUF, Pricer())
    assert pool.pids != [victim]
    prepared = pool.prepare(BODY, PROTOBUF, Pricer())
    assert prepared.spans is not None and prepared.spans.num_rows == 6


def test_a_worker_loads_no_database_web_or_arrow_library() -> None:
    probe = _BOOTSTRAP.replace(
        "main()\n",
        "print(sorted({m.split('.')[0] for m in sys.modules} & "
        "{'sqlalchemy', 'duckdb', 'psycopg', 'flask', 'pyarrow', 'alembic', 'genai_prices'}))\n",
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_the_environment_picks_the_worker_count_from_the_cores() -> None:
    assert [default_ingest_workers(n) for n in (1, 2, 3, 8)] == [0, 1, 2, 2]
    assert Settings().ingest_worker_processes == 0
    assert Settings.from_env({}).ingest_worker_processes == default_ingest_workers()
    chosen = {"LLMOBS_INGEST_WORKER_PROCESSES": "0"}
    assert Settings.from_env(chosen).ingest_worker_processes == 0


@pytest.fixture
def pooled_server(database_url: str, settings: Settings) -> Iterator[LiveServer]:
    with serving_new_store(database_url, settings.replace(ingest_worker_processes=1)) as live:
        yield live


def test_a_server_with_workers_stores_the_fixture(pooled_server: LiveServer) -> None:
    for _ in range(2):  # the second delivery is a duplicate
        response = requests.post(
            pooled_server.url + "/v1/traces",
            data=BODY,
            headers={"Content-Type": PROTOBUF},
            timeout=60,
        )
        assert response.status_code == 200
    with pooled_server.store.connect() as conn:
        rows = conn.execute(text("SELECT count(*), sum(input_tokens) FROM spans")).one()
        summary = conn.execute(text("SELECT num_spans FROM traces")).scalar_one()
    assert tuple(rows) == (6, 1200 + 2100) and summary == 6
