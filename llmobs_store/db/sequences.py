"""Sequences behind integer keys: DuckDB has no SERIAL or IDENTITY, so keys draw from these."""

from __future__ import annotations

from sqlalchemy import BigInteger, Sequence
from sqlalchemy.orm import Mapped, mapped_column

from llmobs_store.db.base import Base


def id_column(sequence_name: str) -> Mapped[int]:
    """An integer primary key filled from ``sequence_name`` by the database on both dialects."""
    seq = Sequence(sequence_name, metadata=Base.metadata)
    return mapped_column(
        BigInteger,
        seq,
        primary_key=True,
        server_default=seq.next_value(),
        comment="Row id drawn from a sequence.",
    )
