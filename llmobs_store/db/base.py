"""Declarative base whose naming convention keeps constraint and index names stable everywhere."""

from __future__ import annotations

from sqlalchemy import Index, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every llmobs model; its metadata is what Alembic compares the database with."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def time_index(name: str, *columns: str) -> Index:
    """A B-tree index for time-range scans, created on PostgreSQL only.

    DuckDB prunes time ranges with per-row-group min/max (zone maps); an ART index on a
    timestamp there does not speed up range scans, slows every insert and blocks ALTERs.
    """
    return Index(name, *columns).ddl_if(dialect="postgresql")
