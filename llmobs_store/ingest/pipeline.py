"""Raw spans to storable rows: normalise the conventions, price, then protect the content."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from llmobs_store.ingest.content_policy import ContentPolicy
from llmobs_store.ingest.normalisation import normalise_span
from llmobs_store.ingest.pricing import Pricer
from llmobs_store.ingest.records import RawSpan, SpanRecord
from llmobs_store.ingest.redaction import protect_span

log = logging.getLogger(__name__)

# The Settings defaults: content captured, redacted by the built-in rules, 20,000 characters.
DEFAULT_POLICY = ContentPolicy()


class RejectedSpan(NamedTuple):
    """A span left out of a batch, and why."""

    trace_id: str
    span_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class PreparedSpans:
    """The storable spans of a batch, and the spans that could not be prepared.

    >>> prepared = prepare_spans(raws, pricer, policy)          # doctest: +SKIP
    >>> store.submit(prepared)          # iterating yields the records
    >>> prepared.num_rejected, prepared.rejected[0].reason
    (1, 'ValueError: …')
    """

    records: list[SpanRecord]
    rejected: list[RejectedSpan] = field(default_factory=list)

    @property
    def num_rejected(self) -> int:
        """How many spans were left out."""
        return len(self.rejected)

    def __iter__(self) -> Iterator[SpanRecord]:
        return iter(self.records)

    def __len__(self) -> int:
        return len(self.records)


def prepare_spans(
    raws: Iterable[RawSpan], pricer: Pricer, policy: ContentPolicy = DEFAULT_POLICY
) -> PreparedSpans:
    """``SpanRecord``s for ``raws``: canonical columns, ``cost_usd``, content per ``policy``.

    One span that fails in any step is left out and reported in ``rejected`` (and logged)
    instead of failing its whole batch: a collector sends thousands of spans per request,
    and one odd attribute must not cost the others.
    """
    records = []
    rejected = []
    for raw in raws:
        try:
            record = normalise_span(raw)
            cost, source = pricer.price(record)
            if cost is not None:
                record = dataclasses.replace(record, cost_usd=cost, cost_source=source)
            records.append(protect_span(record, policy))
        # Broad on purpose: anything raised here is a bug on some unforeseen input, and the
        # rest of the batch is still good. It is logged with its traceback.
        except Exception as exc:
            log.exception("span %s of trace %s rejected", raw.span_id, raw.trace_id)
            reason = f"{type(exc).__name__}: {exc}"
            rejected.append(RejectedSpan(raw.trace_id, raw.span_id, reason))
    return PreparedSpans(records, rejected)
