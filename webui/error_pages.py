"""HTML error pages for the screens; the machine endpoints keep their JSON or OTLP answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, render_template, request
from werkzeug.exceptions import HTTPException

from llmobs_store.errors import NotFound
from webui.security import is_machine_path

_Handler = Callable[[Any], Any]
_TITLES = {400: "Bad request", 403: "Forbidden", 404: "Not found", 405: "Method not allowed"}


def wants_page() -> bool:
    """True for a browser asking a screen (not an API client, not an htmx fragment)."""
    if is_machine_path(request.path) or request.headers.get("HX-Request"):
        return False
    accepted = request.accept_mimetypes
    return accepted.accept_html or not accepted.provided


def error_page(status: int, message: str) -> Response:
    """The error page in the layout, with ``status``."""
    title = _TITLES.get(status, "Something went wrong" if status >= 500 else "Error")
    body = render_template("errors/error.html", status=status, title=title, message=message)
    return Response(body, status, content_type="text/html; charset=utf-8")


def install_error_pages(app: Flask) -> None:
    """Answer screens' errors with pages; call after ``register_error_handlers``."""
    handlers = app.error_handler_spec[None][None]
    json_http: _Handler = handlers[HTTPException]
    json_not_found: _Handler = handlers[NotFound]
    json_unexpected: _Handler = handlers[Exception]

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        if exc.code is not None and exc.code < 400 or not wants_page():
            return json_http(exc)
        return error_page(exc.code or 500, exc.description or exc.name)

    @app.errorhandler(NotFound)
    def not_found(exc: NotFound) -> Any:
        return error_page(404, str(exc)) if wants_page() else json_not_found(exc)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        response = json_unexpected(exc)  # logs the traceback
        if not wants_page():
            return response
        return error_page(500, "An unexpected error occurred; it has been logged.")
