"""Spans of one trace arranged as a tree, flattened depth-first for a waterfall."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class SpanNode(Generic[T]):
    """A span at its place in the tree.

    ``offset_ms`` is its start relative to the trace start; ``orphan`` marks a span whose
    parent is not stored (not yet arrived, or dropped), shown at the top level.
    """

    span: T
    depth: int
    offset_ms: float
    num_children: int
    orphan: bool


def build_span_tree(
    spans: Sequence[T],
    *,
    span_id: Callable[[T], str],
    parent_id: Callable[[T], str | None],
    start: Callable[[T], datetime],
    trace_start: datetime,
) -> list[SpanNode[T]]:
    """``spans`` depth-first: each parent before its children, siblings by start time.

    Every span appears exactly once, even with duplicated ids or a parent cycle (whose
    spans, having no root, are listed as orphans).
    """
    order = sorted(range(len(spans)), key=lambda i: (start(spans[i]), span_id(spans[i])))
    known = {span_id(spans[i]) for i in order}
    children: dict[str, list[int]] = {}
    roots: list[int] = []
    for i in order:
        parent = parent_id(spans[i])
        if parent is None or parent not in known or parent == span_id(spans[i]):
            roots.append(i)
        else:
            children.setdefault(parent, []).append(i)
    placed: list[SpanNode[T]] = []
    seen: set[int] = set()
    for i in [*roots, *order]:  # the second pass picks up spans caught in a cycle
        if i in seen:
            continue
        stack = [(i, 0)]
        while stack:
            j, depth = stack.pop()
            if j in seen:
                continue
            seen.add(j)
            span = spans[j]
            kids = [k for k in children.get(span_id(span), []) if k not in seen]
            parent = parent_id(span)
            placed.append(
                SpanNode(
                    span=span,
                    depth=depth,
                    offset_ms=(start(span) - trace_start).total_seconds() * 1000.0,
                    num_children=len(kids),
                    orphan=depth == 0 and parent is not None,
                )
            )
            stack.extend((k, depth + 1) for k in reversed(kids))
    return placed
