"""build_span_tree: depth-first order, depths, offsets, orphans, cycles and duplicate ids."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from llmobs_store.analytics.span_tree import SpanNode, build_span_tree
from tests.factories import T0


class S(NamedTuple):
    span_id: str
    parent: str | None
    start_ms: float


def tree(spans: list[S]) -> list[SpanNode[S]]:
    return build_span_tree(
        spans,
        span_id=lambda s: s.span_id,
        parent_id=lambda s: s.parent,
        start=lambda s: T0 + timedelta(milliseconds=s.start_ms),
        trace_start=T0,
    )


def shape(nodes: list[SpanNode[S]]) -> list[tuple[str, int]]:
    return [(node.span.span_id, node.depth) for node in nodes]


def test_parents_come_before_their_children_in_start_order() -> None:
    spans = [
        S("b2", "b", 40),
        S("a1", "a", 15),
        S("root", None, 0),
        S("b", "root", 30),
        S("a", "root", 10),
        S("b1", "b", 35),
    ]
    nodes = tree(spans)
    assert shape(nodes) == [("root", 0), ("a", 1), ("a1", 2), ("b", 1), ("b1", 2), ("b2", 2)]
    assert [node.offset_ms for node in nodes] == [0, 10, 15, 30, 35, 40]
    assert [node.num_children for node in nodes] == [2, 1, 0, 2, 0, 0]
    assert not any(node.orphan for node in nodes)


def test_siblings_starting_together_are_ordered_by_id() -> None:
    nodes = tree([S("r", None, 0), S("z", "r", 5), S("m", "r", 5)])
    assert shape(nodes) == [("r", 0), ("m", 1), ("z", 1)]


def test_a_span_whose_parent_is_missing_is_an_orphan_at_the_top() -> None:
    nodes = tree([S("r", None, 0), S("lost", "gone", 5), S("kid", "lost", 6)])
    assert shape(nodes) == [("r", 0), ("lost", 0), ("kid", 1)]
    assert [node.orphan for node in nodes] == [False, True, False]


def test_cycles_and_duplicate_ids_still_list_every_span_once() -> None:
    spans = [S("x", "y", 0), S("y", "x", 1), S("self", "self", 2), S("d", None, 3), S("d", None, 4)]
    nodes = tree(spans)
    assert sorted(node.span for node in nodes) == sorted(spans)
    assert len(nodes) == len(spans)
    assert all(node.depth <= 1 for node in nodes)


def test_an_empty_trace_has_no_nodes() -> None:
    assert tree([]) == []


def test_offsets_follow_the_trace_start() -> None:
    later = datetime(2026, 1, 1, 12, 0, 1, tzinfo=T0.tzinfo)
    nodes = build_span_tree(
        [S("r", None, 0)],
        span_id=lambda s: s.span_id,
        parent_id=lambda s: s.parent,
        start=lambda s: later,
        trace_start=T0,
    )
    assert nodes[0].offset_ms == 1000.0
