"""docs/schema.md is the rendering of the models: every table and column explained."""

from __future__ import annotations

from pathlib import Path

from llmobs_store.db.models import Base
from llmobs_store.db.schema_doc import render

SCHEMA_DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"


def test_every_table_and_column_is_described() -> None:
    for table in Base.metadata.tables.values():
        assert table.comment, table.name
        for column in table.columns:
            assert column.comment, f"{table.name}.{column.name} has no description"


def test_docs_schema_md_is_current() -> None:
    assert SCHEMA_DOC.read_text() == render(), (
        "docs/schema.md is stale: run python -m llmobs_store.db.schema_doc > docs/schema.md"
    )
