"""The llmobs web application: Flask app factory over one ``Store``."""

from __future__ import annotations

from flask import Flask

from llmobs_store.config import Settings
from llmobs_store.ingest.trace_requests import TracePreparationPool
from llmobs_store.prometheus.exposition import PrometheusExposition
from llmobs_store.store import Store
from webui.api.health import health
from webui.api.prometheus import prometheus
from webui.api.routes import api
from webui.api.sql import sql_api
from webui.error_pages import install_error_pages
from webui.errors import register_error_handlers
from webui.home import register_placeholder_home
from webui.layout import install_layout
from webui.security import install_security
from webui.views import register_views


def close_app(app: Flask) -> None:
    """Stop the app's worker processes, if any (the store is closed by its owner)."""
    pool: TracePreparationPool | None = app.extensions.pop("llmobs_trace_pool", None)
    if pool is not None:
        pool.close()


def create_app(settings: Settings | None = None, store: Store | None = None) -> Flask:
    """The Flask app; pass ``store`` to serve an already open one (tests do), else it opens one.

    >>> app = create_app(store=Store.open("duckdb:///llmobs.duckdb"))  # doctest: +SKIP
    """
    settings = settings or (store.settings if store is not None else Settings.from_env())
    app = Flask(__name__)
    app.extensions["llmobs_store"] = store = store or Store.open(settings=settings)
    # Counts what this process stores from now on (Prometheus counter semantics).
    app.extensions["llmobs_exposition"] = PrometheusExposition(store)
    if settings.ingest_worker_processes > 0:
        app.extensions["llmobs_trace_pool"] = TracePreparationPool(
            settings, settings.ingest_worker_processes
        )
    app.register_blueprint(health)
    app.register_blueprint(prometheus)
    app.register_blueprint(api)
    app.register_blueprint(sql_api)
    install_security(app, settings)
    install_layout(app)
    register_views(app)
    register_placeholder_home(app)
    register_error_handlers(app)
    install_error_pages(app)
    return app
