"""Exports SDK records to a remote llmobs (or any OTLP/HTTP receiver): batched, gzip, retried.

Spans go to ``/v1/traces``, log entries and recorded requests to ``/v1/logs``, metric points to
``/v1/metrics``, all as OTLP protobuf. 429/502/503/504 and connection errors are retried,
honouring ``Retry-After`` (seconds or an HTTP date), else with exponential backoff and jitter,
up to ``max_retry_s``; what is still refused then is logged as lost, never raised into the app.
"""

from __future__ import annotations

import gzip
import logging
import random
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

from llmobs_store.ingest.otlp import encode_logs, encode_metric_points, encode_spans
from llmobs_store.ingest.records import (
    LogRecord,
    MetricPointRecord,
    RawSpan,
    Record,
    RequestSampleRecord,
)

log = logging.getLogger(__name__)
RETRYABLE = frozenset({429, 502, 503, 504})


class ExportFailed(Exception):
    """The receiver refused a batch for good, or kept refusing it past the retry budget."""


@dataclass
class _Batch:
    spans: list[RawSpan] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    futures: list[Future[None]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.spans) + len(self.records)


class OtlpHttpExporter:
    """A ``RecordExporter`` that sends to ``endpoint`` (base URL such as http://host:4318).

    >>> exporter = OtlpHttpExporter("http://127.0.0.1:4318", api_key="…")  # doctest: +SKIP
    >>> tracer = LLMTracer("checkout", exporter=exporter)                    # doctest: +SKIP

    Records wait at most ``export_interval_s`` or until ``max_batch`` of them are queued;
    each future completes when the receiver acknowledged (200) the request holding them.
    """

    def __init__(
        self,
        endpoint: str,
        *,
        api_key: str | None = None,
        export_interval_s: float = 1.0,
        max_batch: int = 512,
        max_queue: int = 20_000,
        timeout_s: float = 10.0,
        max_retry_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._headers = {"Content-Type": "application/x-protobuf", "Content-Encoding": "gzip"}
        if api_key:
            self._headers["Authorization"] = f"Bearer {api_key}"
        self._interval_s = export_interval_s
        self._max_batch = max_batch
        self._max_queue = max_queue
        self._timeout_s = timeout_s
        self._max_retry_s = max_retry_s
        self._sleep = sleep
        self._cond = threading.Condition()
        self._batch = _Batch()
        self._closed = False
        self.num_dropped = 0
        self._thread = threading.Thread(target=self._run, name="llmobs-otlp-export", daemon=True)
        self._thread.start()

    def export_spans(self, spans: Sequence[RawSpan]) -> Future[None]:
        return self._queue(spans, [])

    def export(self, records: Sequence[Record]) -> Future[None]:
        return self._queue([], records)

    def flush(self, timeout: float | None = None) -> None:
        future = self._queue([], [], urgent=True)
        future.result(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Send what is queued and stop."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _queue(
        self, spans: Sequence[RawSpan], records: Sequence[Record], *, urgent: bool = False
    ) -> Future[None]:
        future: Future[None] = Future()
        with self._cond:
            if self._closed:
                future.set_exception(ExportFailed("exporter closed"))
                return future
            if len(self._batch) + len(spans) + len(records) > self._max_queue:
                # Telemetry must not grow without bound when the receiver is down.
                self.num_dropped += len(spans) + len(records)
                future.set_exception(ExportFailed("export queue full: records dropped"))
                return future
            self._batch.spans.extend(spans)
            self._batch.records.extend(records)
            self._batch.futures.append(future)
            if urgent or len(self._batch) >= self._max_batch:
                self._cond.notify_all()
        return future

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._closed and len(self._batch) < self._max_batch:
                    self._cond.wait(self._interval_s)
                batch, self._batch = self._batch, _Batch()
                closed = self._closed
            if batch.futures:
                self._send_batch(batch)
            if closed and not len(self._batch):
                return

    def _send_batch(self, batch: _Batch) -> None:
        logs = [r for r in batch.records if isinstance(r, LogRecord)]
        samples = [r for r in batch.records if isinstance(r, RequestSampleRecord)]
        points = [r for r in batch.records if isinstance(r, MetricPointRecord)]
        error: Exception | None = None
        try:
            if batch.spans:
                self._post("/v1/traces", encode_spans(batch.spans))
            if logs or samples:
                self._post("/v1/logs", encode_logs(logs, samples))
            if points:
                self._post("/v1/metrics", encode_metric_points(points))
        except Exception as exc:
            error = exc
            log.warning("llmobs export of %d records failed: %s", len(batch), exc)
        for future in batch.futures:
            if error is None:
                future.set_result(None)
            else:
                future.set_exception(error)

    def _post(self, path: str, payload: bytes) -> None:
        body = gzip.compress(payload)
        deadline = time.monotonic() + self._max_retry_s
        for attempt in range(1_000):
            request = urllib.request.Request(
                self.endpoint + path, data=body, headers=self._headers, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=self._timeout_s) as response:
                    response.read()
                    return
            except urllib.error.HTTPError as exc:
                if exc.code not in RETRYABLE:
                    detail = exc.read()[:200]
                    raise ExportFailed(f"{path}: HTTP {exc.code} {detail!r}") from exc
                wait_s = _retry_after(exc.headers.get("Retry-After")) or _backoff(attempt)
            except (urllib.error.URLError, OSError) as exc:
                wait_s = _backoff(attempt)
                if time.monotonic() + wait_s > deadline:
                    raise ExportFailed(f"{path}: {exc}") from exc
            if time.monotonic() + wait_s > deadline:
                raise ExportFailed(f"{path}: still refused after {self._max_retry_s:g} s")
            self._sleep(wait_s)
        raise ExportFailed(f"{path}: too many attempts")


def _backoff(attempt: int) -> float:
    return float(min(2**attempt, 30) * random.uniform(0.8, 1.2))


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
