"""The seed guide's JSON API end to end over HTTP: traces, spans, metrics, logs, alerts."""

from __future__ import annotations

import statistics
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import requests
from sqlalchemy import text

from tests.conftest import count_rows
from tests.live_server import LiveServer


def _post(server: LiveServer, path: str, body: object) -> requests.Response:
    return requests.post(server.url + path, json=body, timeout=30)


def test_trace_and_span_lifecycle(live_server: LiveServer) -> None:
    started = _post(live_server, "/v1/traces", {"name": "answer_question"})
    assert started.status_code == 200
    trace_id = started.json()["trace_id"]
    assert started.json()["status"] == "started" and len(trace_id) == 32

    span = _post(
        live_server,
        "/v1/spans",
        {
            "trace_id": trace_id,
            "name": "chat gpt-4o-mini",
            "attributes": {"llm.model": "gpt-4o-mini"},
        },
    ).json()
    assert span["status"] == "started" and span["trace_id"] == trace_id
    assert span["parent_span_id"] == started.json()["span_id"]

    ended = requests.put(
        f"{live_server.url}/v1/spans/{span['span_id']}?status=ok",
        json={"attributes": {"llm.tokens.input": 120, "llm.tokens.output": 30}},
        timeout=30,
    )
    assert ended.status_code == 200 and ended.json() == {"status": "ended"}
    # The JSON API's answer comes after the commit: the span is in the table now.
    with live_server.store.connect() as conn:
        row = conn.execute(text("SELECT model, input_tokens, output_tokens FROM spans")).one()
    assert tuple(row) == ("gpt-4o-mini", 120, 30)

    trace = requests.get(f"{live_server.url}/v1/traces/{trace_id}", timeout=30).json()
    assert trace["trace_id"] == trace_id
    by_name = {s["name"]: s for s in trace["spans"]}
    assert by_name["answer_question"]["status"] == "open"
    assert by_name["chat gpt-4o-mini"]["status"] == "ok"
    assert by_name["chat gpt-4o-mini"]["attributes"]["llm.tokens.input"] == 120

    root_end = requests.put(f"{live_server.url}/v1/spans/{started.json()['span_id']}", timeout=30)
    assert root_end.status_code == 200
    trace = requests.get(f"{live_server.url}/v1/traces/{trace_id}", timeout=30).json()
    assert trace["total_duration_ms"] > 0
    assert {s["status"] for s in trace["spans"]} == {"ok"}
    assert count_rows(live_server.store, "open_spans") == 0


def test_interleaved_clients_never_share_a_current_trace(live_server: LiveServer) -> None:
    def one_client(i: int) -> tuple[str, list[str]]:
        trace_id = _post(live_server, "/v1/traces", {"name": f"client-{i}"}).json()["trace_id"]
        ids = [
            _post(live_server, "/v1/spans", {"trace_id": trace_id, "name": f"step-{j}"}).json()[
                "span_id"
            ]
            for j in range(3)
        ]
        for span_id in ids:
            assert requests.put(f"{live_server.url}/v1/spans/{span_id}", timeout=30).ok
        return trace_id, ids

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one_client, range(16)))
    with live_server.store.connect() as conn:
        rows = conn.execute(text("SELECT trace_id, span_id FROM spans")).all()
    stored = {(r.trace_id, r.span_id) for r in rows}
    assert stored == {(t, s) for t, ids in results for s in ids}


def test_unknown_trace_and_span_are_404(live_server: LiveServer) -> None:
    assert requests.get(f"{live_server.url}/v1/traces/{'a' * 32}", timeout=30).status_code == 404
    missing = requests.put(f"{live_server.url}/v1/spans/{'b' * 16}", timeout=30)
    assert missing.status_code == 404 and "no open span" in missing.json()["error"]


def test_metrics_are_recorded_and_summarised_exactly(live_server: LiveServer) -> None:
    latencies = [0.2, 0.4, 0.9, 1.5, 2.0, 3.5, 7.0]
    for i, latency in enumerate(latencies):
        body = {
            "model": "gpt-4o",
            "latency_seconds": latency,
            "input_tokens": 100,
            "output_tokens": 10,
            "cost_usd": 0.01,
            "success": i != 0,
        }
        response = _post(live_server, "/v1/metrics", body)
        assert response.json() == {"status": "recorded"}
    summary = requests.get(f"{live_server.url}/v1/metrics", timeout=30).json()
    assert summary["total_requests"] == 7 and summary["total_errors"] == 1
    assert summary["total_input_tokens"] == 700 and summary["total_output_tokens"] == 70
    assert summary["total_cost"] == pytest.approx(0.07)
    assert summary["p50_latency"] == pytest.approx(statistics.median(latencies))
    assert summary["p95_latency"] == pytest.approx(float(np.percentile(latencies, 95)))
    assert summary["p99_latency"] == pytest.approx(float(np.percentile(latencies, 99)))


def test_logs_keep_their_attributes(live_server: LiveServer) -> None:
    body = {
        "level": "WARNING",
        "message": "slow call",
        "model": "gpt-4o",
        "trace_id": "c" * 32,
        "attributes": {"latency_ms": 9000, "region": "eu"},
    }
    assert _post(live_server, "/v1/logs", body).json() == {"status": "logged"}
    with live_server.store.connect() as conn:
        row = conn.execute(
            text("SELECT level, message, model, trace_id, attributes FROM logs")
        ).one()
    assert (row.level, row.message, row.model, row.trace_id) == (
        "warning",
        "slow call",
        "gpt-4o",
        "c" * 32,
    )
    assert row.attributes == {"latency_ms": 9000, "region": "eu"}


def test_alerts_and_health(live_server: LiveServer) -> None:
    assert requests.get(f"{live_server.url}/v1/alerts", timeout=30).json() == {"alerts": []}
    health = requests.get(f"{live_server.url}/health", timeout=30).json()
    assert health["status"] == "healthy"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/traces", {}, "name"),
        ("/v1/traces", {"name": 5}, "name"),
        ("/v1/spans", {"name": "x"}, "trace_id"),
        ("/v1/spans", {"trace_id": "XYZ", "name": "x"}, "trace_id"),
        (
            "/v1/metrics",
            {
                "model": "m",
                "latency_seconds": "fast",
                "input_tokens": 1,
                "output_tokens": 1,
                "cost_usd": 0,
            },
            "latency_seconds",
        ),
        (
            "/v1/metrics",
            {
                "model": "m",
                "latency_seconds": 1,
                "input_tokens": -1,
                "output_tokens": 1,
                "cost_usd": 0,
            },
            "input_tokens",
        ),
        ("/v1/logs", {"level": "loud", "message": "x"}, "level"),
    ],
)
def test_bad_bodies_get_422_naming_the_field(
    live_server: LiveServer, path: str, body: object, field: str
) -> None:
    response = _post(live_server, path, body)
    assert response.status_code == 422, response.text
    assert field in response.json()["error"]
    assert count_rows(live_server.store, "spans") == 0
    assert count_rows(live_server.store, "open_spans") == 0
    assert count_rows(live_server.store, "request_samples") == 0


def test_malformed_json_is_422_and_server_keeps_serving(live_server: LiveServer) -> None:
    response = requests.post(
        live_server.url + "/v1/logs",
        data=b'{"level": "info", "message": ',
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert response.status_code == 422
    assert requests.get(live_server.url + "/health", timeout=30).ok
