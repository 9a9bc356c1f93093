"""Dimensions by name: JSON keys of any shape read the same on DuckDB and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from llmobs_store.analytics.dimensions import dimension_column, dimension_label, json_text
from llmobs_store.analytics.filters import SpanFilter
from llmobs_store.analytics.usage import usage
from llmobs_store.db.spans import Span
from llmobs_store.store import Store
from tests.factories import make_span

ATTRIBUTES = {
    "gen_ai.system": "openai",  # dots are part of the key, not a path
    "$price": 3,  # DuckDB would read '$…' as a JSONPath
    "/route": "a/b",  # …and '/…' as a JSON pointer
    "it's": True,
    "nested": {"inner": 1},
}


def test_json_keys_of_every_shape(store: Store) -> None:
    store.write([make_span(attributes=ATTRIBUTES, metadata={"tenant": "acme", "feature": "qa"})])
    names = [f"attr:{key}" for key in ATTRIBUTES] + ["tenant", "meta:feature", "attr:missing"]
    with store.connect() as conn:
        row = conn.execute(select(*(dimension_column(name) for name in names))).one()
    assert list(row[:4]) == ["openai", "3", "a/b", "true"]
    assert row[4].replace(" ", "") == '{"inner":1}'
    assert list(row[5:]) == ["acme", "qa", None]


def test_filters_on_awkward_keys(store: Store) -> None:
    store.write(
        [make_span(attributes=ATTRIBUTES), make_span(attributes={**ATTRIBUTES, "$price": 4})]
    )
    with store.connect() as conn:
        (row,) = usage(conn, SpanFilter(attributes={"$price": "4", "/route": "a/b"}))
        grouped = usage(conn, group_by=["attr:$price"])
    assert row.num_requests == 1
    assert [(r.group, r.num_requests) for r in grouped] == [(("3",), 1), (("4",), 1)]


def test_labels_and_refusals() -> None:
    assert dimension_label("attr:gen_ai.system") == "attr_gen_ai_system"
    assert dimension_column("user").name == "user"
    with pytest.raises(ValueError, match="unknown dimension 'colour'"):
        dimension_column("colour")
    with pytest.raises(ValueError, match="invalid JSON key"):
        json_text(Span.attributes, 'say "hi"')
    with pytest.raises(ValueError, match="invalid JSON key"):
        dimension_column("attr:")
