"""Named SQL queries kept in ``saved_queries``: list, look up, save (insert or replace), delete."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Table, delete, insert, select, update

from llmobs_store.db.models import SavedQuery
from llmobs_store.errors import NotFound
from llmobs_store.sql.guard import check_read_only
from llmobs_store.store import Store

SAVED_QUERIES: Table = SavedQuery.__table__  # type: ignore[assignment]
MAX_NAME_CHARS = 200


@dataclass(frozen=True)
class StoredQuery:
    """One saved query.

    >>> query = save_query(store, "p95 by model", "SELECT model FROM spans")  # doctest: +SKIP
    >>> [q.name for q in list_saved_queries(store)]                          # doctest: +SKIP
    ['p95 by model']
    """

    id: int
    name: str
    sql: str
    description: str | None
    created_at: datetime
    updated_at: datetime


_COLUMNS = (
    SAVED_QUERIES.c.id,
    SAVED_QUERIES.c.name,
    SAVED_QUERIES.c.sql,
    SAVED_QUERIES.c.description,
    SAVED_QUERIES.c.created_at,
    SAVED_QUERIES.c.updated_at,
)


def list_saved_queries(store: Store) -> list[StoredQuery]:
    """Every saved query, by name."""
    with store.connect() as conn:
        rows = conn.execute(select(*_COLUMNS).order_by(SAVED_QUERIES.c.name)).all()
    return [StoredQuery(*row) for row in rows]


def get_saved_query(store: Store, name: str) -> StoredQuery:
    """The query saved as ``name``; raises ``NotFound``."""
    with store.connect() as conn:
        row = conn.execute(select(*_COLUMNS).where(SAVED_QUERIES.c.name == name)).first()
    if row is None:
        raise NotFound(f"no saved query is named {name!r}")
    return StoredQuery(*row)


def save_query(
    store: Store,
    name: str,
    sql: str,
    description: str | None = None,
    *,
    now: datetime | None = None,
) -> StoredQuery:
    """Save ``sql`` as ``name``, replacing the query of that name if there is one.

    Raises ``ValueError`` for an empty or too long name and ``InvalidSql`` for a query the
    console would refuse to run (only runnable queries are kept).
    """
    name = name.strip()
    if not name:
        raise ValueError("give the query a name")
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"a name has {MAX_NAME_CHARS} characters at most")
    check_read_only(sql, dialect=store.dialect_name)
    moment = now or datetime.now(UTC)
    description = (description or "").strip() or None
    t = SAVED_QUERIES.c
    with store.engine.begin() as conn:
        existing = conn.execute(select(t.id).where(t.name == name)).scalar()
        if existing is None:
            conn.execute(
                insert(SAVED_QUERIES).values(
                    name=name,
                    sql=sql,
                    description=description,
                    created_at=moment,
                    updated_at=moment,
                )
            )
        else:
            conn.execute(
                update(SAVED_QUERIES)
                .where(t.id == existing)
                .values(sql=sql, description=description, updated_at=moment)
            )
    return get_saved_query(store, name)


def delete_saved_query(store: Store, query_id: int) -> None:
    """Delete the saved query with id ``query_id``; raises ``NotFound``."""
    with store.engine.begin() as conn:
        deleted = conn.execute(delete(SAVED_QUERIES).where(SAVED_QUERIES.c.id == query_id))
    if deleted.rowcount == 0:
        raise NotFound(f"no saved query has id {query_id}")
