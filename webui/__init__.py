"""The llmobs web application: Flask app factory over one ``Store``."""

from __future__ import annotations

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from llmobs_store.config import Settings
from llmobs_store.db import migrate
from llmobs_store.store import Store


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """The Flask app; pass ``store`` to serve an already open one (tests do), else it opens one.

    >>> app = create_app(store=Store.open("duckdb:///llmobs.duckdb"))  # doctest: +SKIP
    """
    settings = settings or (store.settings if store is not None else Settings.from_env())
    app = Flask(__name__)
    app.extensions["llmobs_store"] = store or Store.open(settings=settings)
    app.add_url_rule("/health", "health", health)
    return app


def current_store() -> Store:
    """The store of the app handling this request."""
    from flask import current_app

    store: Store = current_app.extensions["llmobs_store"]
    return store


def health() -> ResponseReturnValue:
    """Liveness and readiness: the database answers, the schema is current, the writer's queue."""
    store = current_store()
    with store.connect() as conn:
        conn.execute(text("SELECT 1"))
    revision = migrate.current_revision(store.engine)
    return jsonify(
        status="healthy",
        database=store.dialect_name,
        schema_revision=revision,
        pending_rows=store.pending_rows,
    )
