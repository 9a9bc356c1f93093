"""Raw spans to storable rows: normalise the conventions, then price."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from llmobs_store.ingest.pricing import Pricer
from llmobs_store.ingest.records import RawSpan, SpanRecord
from llmobs_store.ingest.semconv import normalise_span


def prepare_spans(raws: Iterable[RawSpan], pricer: Pricer) -> list[SpanRecord]:
    """``SpanRecord``s for ``raws`` with canonical columns and ``cost_usd`` filled."""
    prepared = []
    for raw in raws:
        record = normalise_span(raw)
        cost, source = pricer.price(record)
        if cost is not None:
            record = dataclasses.replace(record, cost_usd=cost, cost_source=source)
        prepared.append(record)
    return prepared
