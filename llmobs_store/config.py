"""Settings with their units in their names, read from ``LLMOBS_*`` environment variables."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_DATABASE_URL = "duckdb:///llmobs.duckdb"


@dataclass(frozen=True)
class Settings:
    """Everything an llmobs process can be tuned with.

    >>> Settings.from_env({"LLMOBS_DATABASE_URL": "duckdb:///demo.duckdb"}).database_url
    'duckdb:///demo.duckdb'
    """

    database_url: str = DEFAULT_DATABASE_URL
    api_keys: tuple[str, ...] = field(default=(), repr=False)
    # Write path: the writer commits whatever is queued as soon as it is free; under load
    # batches grow by themselves up to this size. A fixed flush timer would cap throughput.
    # DuckDB writes a batch of at least one row group (122,880 rows) straight to the file
    # instead of the WAL: commits of 250k rows are twice as fast as of 100k (measured here).
    # The queue bound caps memory: ~650 bytes of Arrow data per queued span.
    writer_batch_max_rows: int = 250_000
    writer_queue_max_rows: int = 300_000
    writer_flush_interval_s: float = 0.0
    # While more requests are being prepared, the writer waits up to this long for them, so
    # that they share one commit (each costs ~10 ms on DuckDB whatever its size). Longer waits
    # save CPU (on the OTLP benchmark 97 µs a span at 0.03 s, 80 at 0.1) but every request
    # waits too: with 4 senders 0.02 s stored 15-17k spans/s, 0.06 s 12-13k.
    writer_linger_s: float = 0.02
    writer_retry_after_s: float = 1.0
    # Ingest: request bodies are limited after decompression (OTLP recommends 64 MiB).
    max_request_mb: float = 64.0
    # Prompt/answer capture: on by default, cut at this length with the truncation marker,
    # and masked by the built-in rules plus these extra regular expressions.
    capture_content: bool = True
    max_content_chars: int = 20_000
    redact_patterns: tuple[str, ...] = ()
    # Worker processes that decode and normalise OTLP trace requests beside the serving
    # process (0: all in the serving process, whose GIL then caps ingest near 13,000 spans/s).
    # Settings() keeps 0 (embedded use, tests); from_env, which the CLI reads, defaults to
    # default_ingest_workers() for the machine's cores.
    ingest_worker_processes: int = 0
    # DuckDB's buffer pool (0 = DuckDB's default of 80 % of RAM); beyond it DuckDB spills to
    # <file>.tmp and reads the file through the OS page cache. 128 MB kept `llmobs serve` under
    # 400 MiB RSS on the OTLP benchmark (510 MiB at 256, 525 at the default).
    duckdb_memory_limit_mb: int = 128
    # WAL size that makes DuckDB checkpoint. At DuckDB's 16 MB, small ingest commits make it
    # rewrite the tail row group again and again: on the OTLP benchmark the file took 550-720
    # bytes a span; at 256 MB 422, and ingest ran ~35 % faster. Replaying a big WAL at open
    # takes a few seconds at most.
    duckdb_checkpoint_mb: int = 256
    server_host: str = "127.0.0.1"
    server_port: int = 4318
    server_threads: int = 8
    sql_time_limit_ms: int = 5_000
    max_returned_rows: int = 1_000
    # Alerts: `llmobs serve` evaluates every enabled rule this often (0 turns the evaluator
    # off) and installs the built-in rules missing from alert_rules when it starts.
    alert_interval_s: float = 60.0
    alert_install_defaults: bool = True
    # Each webhook POST waits this long; a failure is retried with doubling pauses.
    alert_notify_timeout_s: float = 5.0
    alert_notify_max_attempts: int = 4
    alert_notify_backoff_s: float = 1.0
    # With a password the web UI asks for it once per browser session; the machine endpoints
    # (/v1, /api, /metrics, /health) keep to their API keys.
    ui_password: str | None = field(default=None, repr=False)

    @property
    def pool_size(self) -> int:
        """Connections the engine keeps: one per server thread plus the writer's."""
        return self.server_threads + 2

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read every field from ``LLMOBS_<FIELD>`` where set; the rest keep their defaults."""
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(f"LLMOBS_{f.name.upper()}")
            if raw is None:
                continue
            if f.name == "api_keys":
                values[f.name] = tuple(k.strip() for k in raw.split(",") if k.strip())
            elif f.name == "redact_patterns":
                # Regular expressions may hold commas: one pattern per line.
                values[f.name] = tuple(p for p in raw.splitlines() if p.strip())
            elif f.type == "bool":
                values[f.name] = raw.strip().lower() in {"1", "true", "yes", "on"}
            elif f.type == "int":
                values[f.name] = int(raw)
            elif f.type == "float":
                values[f.name] = float(raw)
            else:
                values[f.name] = raw
        values.setdefault("ingest_worker_processes", default_ingest_workers())
        return cls(**values)  # type: ignore[arg-type]

    def replace(self, **changes: object) -> Settings:
        """A copy with ``changes`` applied (CLI flags override the environment this way)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def default_ingest_workers(cpu_count: int | None = None) -> int:
    """Worker processes for OTLP trace preparation: one per core beyond the serving process's,
    at most two (each adds ~27 MiB; the single writer then limits ingest anyway)."""
    cores = os.cpu_count() if cpu_count is None else cpu_count
    return max(0, min(2, (cores or 1) - 1))
