"""OTLP trace requests to storable spans, in the serving process or in worker processes.

One Python process decodes and normalises about 12,000 spans/s whatever the core count, because
the GIL serialises it. Worker processes do that part on the other cores and hand back an Arrow
IPC stream, ready for the single writer of the serving process.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from llmobs_store.config import Settings
from llmobs_store.ingest.arrow_tables import to_arrow
from llmobs_store.ingest.otlp import decode_traces
from llmobs_store.ingest.pipeline import prepare_spans
from llmobs_store.ingest.pricing import PriceOverride, Pricer
from llmobs_store.ingest.records import SpanRecord
from llmobs_store.ingest.redaction import ContentPolicy


@dataclass(frozen=True)
class PreparedRequest:
    """The storable spans of one export request and what was rejected from it."""

    spans: list[SpanRecord]
    num_rejected: int
    rejection_message: str | None


def prepare_request(
    body: bytes, media_type: str, pricer: Pricer, policy: ContentPolicy
) -> PreparedRequest:
    """Decode, normalise, price and protect one request (``IngestRejected`` if undecodable)."""
    decoded = decode_traces(body, media_type)
    prepared = prepare_spans(decoded.items, pricer, policy)
    message = decoded.rejection_message
    if prepared.rejected:
        failed = f"{prepared.num_rejected} spans failed to store: {prepared.rejected[0].reason}"
        message = f"{message}; {failed}" if message else failed
    return PreparedRequest(prepared.records, decoded.num_rejected + prepared.num_rejected, message)


@dataclass(frozen=True)
class PreparedTable:
    """A request prepared by a worker: its spans as an Arrow table (None when none is left)."""

    spans: pa.Table | None
    num_rejected: int
    rejection_message: str | None


class TracePreparationPool:
    """Worker processes that turn OTLP trace request bodies into span tables.

    >>> pool = TracePreparationPool(settings, num_workers=2)                  # doctest: +SKIP
    >>> prepared = pool.prepare(body, "application/x-protobuf", overrides)    # doctest: +SKIP
    >>> store.submit_tables({"spans": prepared.spans})                         # doctest: +SKIP
    """

    def __init__(self, settings: Settings, num_workers: int) -> None:
        # spawn, not fork: the serving process runs DuckDB and writer threads that a forked
        # child must not inherit.
        self._executor = ProcessPoolExecutor(
            num_workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(settings,),
        )
        # Workers start on demand and take ~1 s to import: start them now, without waiting,
        # so the first requests do not pay for it.
        for _ in range(num_workers):
            self._executor.submit(_warm_up)

    def prepare(
        self, body: bytes, media_type: str, overrides: tuple[PriceOverride, ...]
    ) -> PreparedTable:
        """Prepare ``body`` in a worker; raises ``IngestRejected`` as decoding does."""
        future = self._executor.submit(_prepare_in_worker, body, media_type, overrides)
        ipc, num_rejected, message = future.result()
        spans = None if ipc is None else pa.ipc.open_stream(ipc).read_all()
        return PreparedTable(spans, num_rejected, message)

    def close(self) -> None:
        """Stop the workers."""
        self._executor.shutdown(wait=True, cancel_futures=True)


_worker: dict[str, Any] = {}


def _start_worker(settings: Settings) -> None:
    _worker["policy"] = ContentPolicy.from_settings(settings)
    _worker["pricers"] = {}


def _warm_up() -> None:
    """Nothing: submitting it makes the pool start a worker."""


def _prepare_in_worker(
    body: bytes, media_type: str, overrides: tuple[PriceOverride, ...]
) -> tuple[bytes | None, int, str | None]:
    pricers: dict[tuple[PriceOverride, ...], Pricer] = _worker["pricers"]
    if overrides not in pricers:
        pricers.clear()  # the overrides changed: an older pricer is stale
        pricers[overrides] = Pricer(overrides)
    prepared = prepare_request(body, media_type, pricers[overrides], _worker["policy"])
    if not prepared.spans:
        return None, prepared.num_rejected, prepared.rejection_message
    table = to_arrow("spans", prepared.spans)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes(), prepared.num_rejected, prepared.rejection_message
