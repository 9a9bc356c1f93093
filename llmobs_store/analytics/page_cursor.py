"""Opaque keyset-pagination cursors: a position in an ordered list, checked when read back."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, cast, literal, or_

from llmobs_store.db.types import UtcDateTime
from llmobs_store.errors import InvalidCursor

_VERSION = 1
# A checksum, not a signature: the cursor only selects rows the caller may list anyway, but a
# cursor edited by hand (or cut short when pasted) must fail loudly instead of paging wrongly.
_CHECK_CHARS = 10

KeyValue = str | int | float | datetime | None
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageCursor:
    """Where a page starts: just after (or, ``before``, just before) the row ``(key, row_id)``.

    >>> token = PageCursor("traces:start", key=3.5, row_id="ab").encode()
    >>> PageCursor.decode(token, "traces:start").key
    3.5
    """

    scope: str
    key: KeyValue
    row_id: str | int
    before: bool = False

    def encode(self) -> str:
        """The cursor as a URL-safe string."""
        key: Any = self.key
        kind = "t" if isinstance(key, datetime) else "v"
        if isinstance(key, datetime):
            key = key.isoformat()
        payload = json.dumps(
            [_VERSION, self.scope, kind, key, self.row_id, int(self.before)],
            separators=(",", ":"),
        )
        body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
        return f"{body}.{_checksum(body)}"

    @classmethod
    def decode(cls, token: str, scope: str) -> PageCursor:
        """Read back a cursor made for ``scope``; raises ``InvalidCursor`` for anything else."""
        body, dot, check = token.partition(".")
        if not dot or not body or check != _checksum(body):
            raise InvalidCursor("invalid page cursor: it was altered or cut short")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            version, found_scope, kind, key, row_id, before = json.loads(raw)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise InvalidCursor("invalid page cursor: it cannot be decoded") from exc
        if version != _VERSION:
            raise InvalidCursor("invalid page cursor: made by another version of llmobs")
        if found_scope != scope:
            raise InvalidCursor(
                f"invalid page cursor: made for {found_scope!r}, not {scope!r} "
                "(the sort changed: start again from the first page)"
            )
        if not isinstance(row_id, str | int) or before not in (0, 1):
            raise InvalidCursor("invalid page cursor: malformed position")
        if kind == "t":
            try:
                key = datetime.fromisoformat(key)
            except (TypeError, ValueError) as exc:
                raise InvalidCursor("invalid page cursor: malformed time") from exc
        elif kind != "v" or not (key is None or isinstance(key, str | int | float)):
            raise InvalidCursor("invalid page cursor: malformed sort key")
        return cls(scope, key=key, row_id=row_id, before=bool(before))


def _checksum(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()[:_CHECK_CHARS]


def keyset_condition(
    key: ColumnElement[Any], row_id: ColumnElement[Any], cursor: PageCursor, *, descending: bool
) -> ColumnElement[bool]:
    """Rows strictly past ``cursor`` in the order ``(key, row_id)``, both descending or not.

    Spelled as ``key < k OR (key = k AND id < i)`` rather than a row comparison, which both
    backends plan as a range filter on ``key``. Keys must not be NULL (coalesce them first).
    """
    value: Any = cursor.key
    if isinstance(value, datetime):
        # Cast in SQL: DuckDB binds a datetime as a naive TIMESTAMP, then casts every row.
        value = cast(literal(value, UtcDateTime()), UtcDateTime())
    towards_smaller = descending != cursor.before
    if towards_smaller:
        return or_(key < value, and_(key == value, row_id < cursor.row_id))
    return or_(key > value, and_(key == value, row_id > cursor.row_id))


def keyset_order(
    key: ColumnElement[Any], row_id: ColumnElement[Any], *, descending: bool, before: bool
) -> tuple[ColumnElement[Any], ColumnElement[Any]]:
    """ORDER BY terms that walk away from a cursor (backwards for a ``before`` cursor)."""
    if descending != before:
        return key.desc(), row_id.desc()
    return key.asc(), row_id.asc()


def page_links(
    fetched: Sequence[T],
    *,
    limit: int,
    cursor: PageCursor | None,
    scope: str,
    position: Callable[[T], tuple[KeyValue, str | int]],
) -> tuple[list[T], str | None, str | None]:
    """The page's rows in display order, and the cursors of the next and previous pages.

    ``fetched`` holds up to ``limit + 1`` rows read in ``keyset_order``: the extra row only
    tells that another page exists in the direction of reading.
    """
    rows = list(fetched[:limit])
    more = len(fetched) > limit
    if cursor is not None and cursor.before:
        rows.reverse()
        has_next, has_prev = True, more
    else:
        has_next, has_prev = more, cursor is not None
    if not rows:
        return rows, None, None
    next_cursor = PageCursor(scope, *position(rows[-1])).encode() if has_next else None
    prev_cursor = PageCursor(scope, *position(rows[0]), before=True).encode() if has_prev else None
    return rows, next_cursor, prev_cursor
