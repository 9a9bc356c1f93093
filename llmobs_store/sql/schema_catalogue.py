"""The tables and columns users can query, with their descriptions, read from the models.

The same source as ``docs/schema.md`` (``llmobs_store.db.schema_doc``), so the console's
schema browser and the document never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmobs_store.db.models import Base
from llmobs_store.db.schema_doc import TABLE_ORDER, sql_type


@dataclass(frozen=True)
class ColumnDoc:
    """One column: name, SQL type, whether it may be NULL, and what it means."""

    name: str
    type: str
    nullable: bool
    description: str


@dataclass(frozen=True)
class TableDoc:
    """One table with its purpose and columns.

    >>> [table.name for table in schema_catalogue()][:2]
    ['spans', 'traces']
    """

    name: str
    description: str
    columns: tuple[ColumnDoc, ...]


def schema_catalogue() -> list[TableDoc]:
    """Every llmobs table in the order of ``docs/schema.md`` (tables it lacks last, by name)."""
    tables = Base.metadata.tables
    names = [name for name in TABLE_ORDER if name in tables]
    names += sorted(set(tables) - set(names))
    return [
        TableDoc(
            name=name,
            description=str(tables[name].comment or ""),
            columns=tuple(
                ColumnDoc(
                    name=column.name,
                    type=sql_type(column),
                    nullable=bool(column.nullable),
                    description=str(column.comment or ""),
                )
                for column in tables[name].columns
            ),
        )
        for name in names
    ]
