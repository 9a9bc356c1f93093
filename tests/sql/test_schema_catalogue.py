"""The schema browser's catalogue lists every table and column with the models' comments."""

from __future__ import annotations

from llmobs_store.db.models import Base
from llmobs_store.sql.schema_catalogue import schema_catalogue


def test_every_table_and_column_is_described() -> None:
    catalogue = schema_catalogue()
    assert {t.name for t in catalogue} == set(Base.metadata.tables)
    assert catalogue[0].name == "spans"
    saved = next(t for t in catalogue if t.name == "saved_queries")
    assert saved.description == "Named SQL queries saved from the console or the CLI."
    name = next(c for c in saved.columns if c.name == "name")
    assert (name.type, name.nullable, name.description) == ("TEXT", False, "Unique query name.")
    for table in catalogue:
        assert table.description, table.name
        assert all(column.description for column in table.columns), table.name
