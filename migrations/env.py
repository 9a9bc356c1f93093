"""Alembic environment: runs the llmobs chain on the connection llmobs hands in, or on a URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection

from llmobs_store.config import DEFAULT_DATABASE_URL
from llmobs_store.db.engine import create_store_engine
from llmobs_store.db.migrate import configure_context
from llmobs_store.db.models import Base


def _run(connection: Connection) -> None:
    configure_context(context, connection, Base.metadata)  # type: ignore[arg-type]
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.config.get_main_option("sqlalchemy.url") or os.environ.get(
        "LLMOBS_DATABASE_URL", DEFAULT_DATABASE_URL
    )
    engine = create_store_engine(url, pool_size=1)
    try:
        with engine.connect() as conn:
            _run(conn)
            conn.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("llmobs migrations run online only: pass a database with --db or the URL.")
main()
