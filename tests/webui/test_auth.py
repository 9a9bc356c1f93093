"""API keys: with LLMOBS_API_KEYS set, every /v1 endpoint wants one; /health stays open."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import count_rows
from tests.live_server import LiveServer
from webui.auth import key_is_valid

LOG = {"level": "info", "message": "hello"}


def test_requests_without_a_valid_key_are_refused(keyed_server: LiveServer) -> None:
    url = keyed_server.url + "/v1/logs"
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "k-one-but-longer"}):
        response = requests.post(url, json=LOG, headers=headers, timeout=30)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert requests.get(keyed_server.url + "/v1/metrics", timeout=30).status_code == 401
    assert count_rows(keyed_server.store, "logs") == 0


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": "Bearer k-one"}, {"authorization": "bearer k-two"}, {"X-API-Key": "k-two"}],
)
def test_either_header_with_either_key_passes(
    keyed_server: LiveServer, headers: dict[str, str]
) -> None:
    response = requests.post(keyed_server.url + "/v1/logs", json=LOG, headers=headers, timeout=30)
    assert response.status_code == 200


def test_health_needs_no_key(keyed_server: LiveServer) -> None:
    assert requests.get(keyed_server.url + "/health", timeout=30).status_code == 200


def test_otlp_refusals_are_status_messages(keyed_server: LiveServer) -> None:
    response = requests.post(
        keyed_server.url + "/v1/traces",
        data=b"",
        headers={"Content-Type": "application/x-protobuf"},
        timeout=30,
    )
    assert response.status_code == 401
    assert response.headers["Content-Type"] == "application/x-protobuf"
    from google.rpc.status_pb2 import Status

    assert "API key" in Status.FromString(response.content).message


def test_key_comparison() -> None:
    assert key_is_valid("a", ("b", "a"))
    assert not key_is_valid("a", ())
    assert not key_is_valid(None, ("a",))
    assert not key_is_valid("", ("a",))
