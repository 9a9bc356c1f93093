"""Ingest benchmark: durable spans/s through ``llmobs serve`` against an OTLP null receiver.

    python bench/bench_ingest.py                  # 100,000 spans, 4 concurrent senders
    python bench/bench_ingest.py --no-baseline    # skip the null receiver
    LLMOBS_INGEST_WORKER_PROCESSES=0 python bench/bench_ingest.py   # all in one process

The load is ``shared/tools/otlp_loadgen.py`` (20,000 five-span GenAI/OpenInference traces in
500-span protobuf requests, seed 42), replayed from a dump so generation is not timed. The
baseline, in the same run, is a receiver that answers 200 without decoding or storing anything:
the ceiling of the HTTP transport and the load generator on this machine. Reported: durable
spans/s (every span counted in the database afterwards), the ratio to the baseline, peak server
RSS (worker processes included, and each process's), bytes on disk per span, start-up time
(process start to a 200 from /health), the server's CPU time per span (all its processes and
threads: a figure other users of the machine disturb less than spans/s) and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from pathlib import Path
from typing import Any

from sqlalchemy import text

from llmobs_store.store import Store

ROOT = Path(__file__).resolve().parents[1]
LOADGEN = ROOT.parent / "shared" / "tools" / "otlp_loadgen.py"
END_TIME = "2026-11-01T00:00:00Z"
NULL_RECEIVER = textwrap.dedent(
    """
    import sys
    from waitress import serve

    def app(environ, start_response):
        environ["wsgi.input"].read()
        start_response("200 OK", [("Content-Type", "application/x-protobuf")])
        return [b""]

    serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=8, _quiet=True)
    """
)


def make_dump(path: Path, num_traces: int) -> None:
    """The deterministic load as length-prefixed protobuf requests."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            str(LOADGEN),
            "--traces",
            str(num_traces),
            "--spans-per-trace",
            "5",
            "--batch",
            "500",
            "--seed",
            "42",
            "--days",
            "7",
            "--end-time",
            END_TIME,
            "--dump",
            str(path),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def replay(dump: Path, url: str, concurrency: int) -> dict[str, float]:
    """Send the dump; the load generator's JSON summary (retries 429/503 as exporters do)."""
    done = subprocess.run(
        [
            sys.executable,
            str(LOADGEN),
            "--from-dump",
            str(dump),
            "--url",
            url,
            "--concurrency",
            str(concurrency),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def wait_healthy(url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"{url} did not answer within {timeout_s} s")


def peak_rss_mib(pid: int) -> float:
    """Peak resident set size (VmHWM) of a running process and its children, in MiB."""
    return sum(peak_rss_mib_of(p) for p in process_tree(pid))


def peak_rss_mib_of(pid: int) -> float:
    """Peak resident set size (VmHWM) of one process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += process_tree(int(child))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` (each process's own threads), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def measure_baseline(dump: Path, port: int, concurrency: int) -> float:
    with subprocess.Popen([sys.executable, "-c", NULL_RECEIVER, str(port)]) as receiver:
        try:
            wait_port(port)
            return replay(dump, f"http://127.0.0.1:{port}", concurrency)["spans_per_s"]
        finally:
            receiver.terminate()
            receiver.wait(10)


def wait_port(port: int) -> None:
    import socket

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.01)
    raise RuntimeError(f"port {port} never opened")


def measure_llmobs(dump: Path, db_path: Path, port: int, concurrency: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llmobs_store",
            "serve",
            "--db",
            f"duckdb:///{db_path}",
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
    ) as server:
        try:
            wait_healthy(url + "/health")
            startup_s = time.perf_counter() - started
            time.sleep(2)  # worker processes, if any, finish starting: not part of ingest
            pids = process_tree(server.pid)
            cpu_before = cpu_seconds(pids)
            sent = replay(dump, url, concurrency)
            cpu_s = cpu_seconds(pids) - cpu_before
            rss = peak_rss_mib(server.pid)
            rss_by_process = [round(peak_rss_mib_of(pid)) for pid in pids]
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(60)
    with Store.open(f"duckdb:///{db_path}") as store, store.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM spans")).scalar_one()
    return {
        "spans_sent": sent["spans_sent"],
        "spans_stored": stored,
        "seconds": sent["seconds"],
        "durable_spans_per_s": stored / sent["seconds"],
        "retries": sent.get("retries", 0),
        "peak_rss_mib": rss,
        "bytes_per_span": db_path.stat().st_size / max(stored, 1),
        "startup_s": startup_s,
        "server_cpu_us_per_span": cpu_s / max(stored, 1) * 1e6,
        "peak_rss_mib_by_process": rss_by_process,
        "load_average_1m": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--traces", type=int, default=20_000)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--port", type=int, default=4391)
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the null receiver (ratio left out)"
    )
    args = parser.parse_args()
    dump = ROOT / "bench" / "out" / f"otlp_{args.traces}_traces.bin"
    make_dump(dump, args.traces)
    baseline = (
        float("nan")
        if args.no_baseline
        else measure_baseline(dump, args.port + 1, args.concurrency)
    )
    with tempfile.TemporaryDirectory() as tmp:
        result = measure_llmobs(dump, Path(tmp) / "bench.duckdb", args.port, args.concurrency)
    result["null_receiver_spans_per_s"] = baseline
    result["ratio_to_null_receiver"] = result["durable_spans_per_s"] / baseline
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}))
    print(
        f"\n| durable spans/s | null receiver spans/s | ratio | peak RSS MiB | bytes/span "
        f"| start-up s |\n|---|---|---|---|---|---|\n"
        f"| {result['durable_spans_per_s']:,.0f} ({int(result['spans_stored']):,} spans) "
        f"| {baseline:,.0f} | {result['ratio_to_null_receiver']:.2f} "
        f"| {result['peak_rss_mib']:.0f} | {result['bytes_per_span']:.0f} "
        f"| {result['startup_s']:.2f} |"
    )


if __name__ == "__main__":
    main()
