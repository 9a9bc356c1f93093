"""``/health``: the database answers, the schema is current, the writer's backlog."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from llmobs_store.db import migrate
from webui.app_context import current_store

health = Blueprint("health", __name__)


@health.get("/health")
def get_health() -> Response:
    """Liveness and readiness in one answer (the seed's ``{"status": "healthy"}`` and more)."""
    store = current_store()
    with store.connect() as conn:
        conn.execute(text("SELECT 1"))
    return jsonify(
        status="healthy",
        database=store.dialect_name,
        schema_revision=migrate.current_revision(store.engine),
        pending_rows=store.pending_rows,
    )
