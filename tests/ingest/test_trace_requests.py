"""OTLP trace requests prepared in this process and in worker processes give the same rows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import text

from llmobs_store.config import Settings
from llmobs_store.errors import IngestRejected
from llmobs_store.ingest.arrow_tables import to_arrow
from llmobs_store.ingest.pricing import Pricer
from llmobs_store.ingest.redaction import ContentPolicy
from llmobs_store.ingest.trace_requests import TracePreparationPool, prepare_request
from tests.fixture_files import OTLP_FIXTURES
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
    in_worker = pool.prepare(BODY, PROTOBUF, ())
    assert in_worker.spans is not None and in_worker.num_rejected == 0
    assert in_worker.spans.equals(to_arrow("spans", in_process.spans))


def test_undecodable_bodies_are_rejected_from_the_worker(pool: TracePreparationPool) -> None:
    with pytest.raises(IngestRejected):
        pool.prepare(BODY[:100], PROTOBUF, ())


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
