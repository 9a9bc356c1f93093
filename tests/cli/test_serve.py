"""``llmobs serve`` and ``llmobs demo`` as real processes on 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from llmobs_store.store import Store

ROOT = Path(__file__).resolve().parents[2]
LLMOBS = [sys.executable, "-m", "llmobs_store"]


@contextmanager
def running(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start ``llmobs ARGS --port 0``; yield the process and the URL it printed; stop it."""
    with subprocess.Popen(
        [*LLMOBS, *args, "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            found = re.search(r"at (http://127\.0\.0\.1:\d+) \(ready in", line)
            assert found, (
                f"no URL in {line!r}; stderr: {process.stderr.read() if process.stderr else ''}"
            )
            yield process, found.group(1)
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            process.wait(20)


def get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        body: dict[str, object] = json.load(response)
        return body


def test_serve_answers_health_and_stops_cleanly(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'served.duckdb'}"
    with running("serve", "--db", url) as (process, base):
        health = get_json(base + "/health")
        assert health["status"] == "healthy"
        assert health["database"] == "duckdb"
        # The file is held by the server: another process gets a clear message, not a trace.
        other = subprocess.run(
            [*LLMOBS, "sql", "SELECT 1", "--db", url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            timeout=60,
        )
        assert other.returncode == 1
        assert "held by another process" in other.stderr
        assert "Traceback" not in other.stderr
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0


def test_demo_loads_data_then_serves(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path / 'demo.duckdb'}"
    with running("demo", "--db", url, "--traces", "60") as (process, base):
        assert get_json(base + "/health")["status"] == "healthy"
        process.send_signal(signal.SIGTERM)
        assert process.wait(20) == 0
    with Store.open(url) as store, store.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM traces")).scalar_one() == 60
        assert conn.execute(text("SELECT count(*) FROM spans")).scalar_one() > 60
    # A second start finds the data and does not load it again.
    with running("demo", "--db", url, "--traces", "60") as (process, base):
        assert get_json(base + "/health")["status"] == "healthy"
    with Store.open(url) as store, store.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM traces")).scalar_one() == 60
