"""Security headers on every answer, CSRF on the screens' forms, and the optional UI login."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.webui.conftest import empty_app
from webui.security import CONTENT_SECURITY_POLICY


@pytest.fixture
def locked_app(tmp_path: Path) -> Iterator[Flask]:
    yield from empty_app(tmp_path, ui_password="s3cret pass")


def test_every_page_and_endpoint_carries_the_security_headers(app: Flask) -> None:
    client = app.test_client()
    for path in ["/sql", "/costs", "/no-such-page", "/health", "/static/css/app.css"]:
        with client.get(path) as response:
            assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Referrer-Policy"] == "same-origin"
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in directives["default-src"] + directives["style-src-elem"]


def test_pages_hold_no_inline_script(app: Flask) -> None:
    html = app.test_client().get("/sql").get_data(as_text=True)
    for tag in html.split("<script")[1:]:
        opening = tag.split(">", 1)[0]
        assert ' src="' in opening or 'type="application/json"' in opening, opening
    assert " onclick=" not in html and " onload=" not in html


def test_posts_to_screens_need_the_session_token_from_the_form_or_the_header(
    app: Flask,
) -> None:
    client = app.test_client()
    assert client.post("/sql/saved", data={"q": "SELECT 1", "name": "a"}).status_code == 400
    client.get("/sql")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    by_form = client.post("/sql/saved", data={"q": "SELECT 1", "name": "a", "csrf_token": token})
    assert by_form.status_code == 302
    by_header = client.post(
        "/sql/saved", data={"q": "SELECT 1", "name": "b"}, headers={"X-CSRF-Token": token}
    )
    assert by_header.status_code == 302
    # Another browser's token is worth nothing here.
    other = app.test_client()
    other.get("/sql")
    refused = other.post("/sql/saved", data={"q": "SELECT 1", "name": "c", "csrf_token": token})
    assert refused.status_code == 400


def test_machine_endpoints_need_no_csrf_token(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/api/sql", json={"sql": "SELECT 1 AS one"})
    assert response.status_code == 200
    assert response.get_json()["rows"] == [[1]]
    assert client.post("/v1/logs", json={"level": "info", "message": "hi"}).status_code < 300


def test_without_a_password_there_is_no_login(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/sql").status_code == 200
    assert client.get("/login?next=/costs").location == "/costs"


def test_with_a_password_screens_ask_for_it_and_machine_endpoints_do_not(
    locked_app: Flask,
) -> None:
    client = locked_app.test_client()
    response = client.get("/costs?range=7d")
    assert response.status_code == 302
    assert response.location == "/login?next=/costs?range%3D7d"
    assert client.get("/health").status_code == 200
    with client.get("/static/css/app.css") as stylesheet:
        assert stylesheet.status_code == 200
    page = client.get(response.location)
    assert page.status_code == 200 and 'type="password"' in page.get_data(as_text=True)
    with client.session_transaction() as session:
        token = session["csrf_token"]
    wrong = client.post(
        "/login", data={"password": "s3cret", "next": "/costs?range=7d", "csrf_token": token}
    )
    assert wrong.status_code == 200 and "Wrong password." in wrong.get_data(as_text=True)
    assert client.get("/sql").status_code == 302
    with client.session_transaction() as session:
        token = session["csrf_token"]
    right = client.post(
        "/login",
        data={"password": "s3cret pass", "next": "/costs?range=7d", "csrf_token": token},
    )
    assert right.status_code == 302 and right.location == "/costs?range=7d"
    assert client.get("/costs?range=7d").status_code == 200
    assert "Sign out" in client.get("/sql").get_data(as_text=True)


def test_login_redirects_only_within_the_site(locked_app: Flask) -> None:
    client = locked_app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    for target in ["https://evil.example/", "//evil.example/x", "/\\evil.example"]:
        response = client.post(
            "/login", data={"password": "s3cret pass", "next": target, "csrf_token": token}
        )
        assert response.location == "/", target
        client.post("/logout", data={"csrf_token": token})
        client.get("/login")
        with client.session_transaction() as session:
            token = session["csrf_token"]


def test_a_login_ends_when_the_password_changes(tmp_path: Path) -> None:
    first = empty_app(tmp_path, ui_password="one")
    app = next(first)
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        token = session["csrf_token"]
    client.post("/login", data={"password": "one", "csrf_token": token})
    assert client.get("/sql").status_code == 200
    cookie = client.get_cookie("session")
    assert cookie is not None
    first.close()
    # Same secret key (from the environment in production), new password.
    (tmp_path / "second").mkdir()
    second = empty_app(tmp_path / "second", ui_password="two")
    other = next(second)
    other.secret_key = app.secret_key
    fresh = other.test_client()
    fresh.set_cookie("session", cookie.value)
    assert fresh.get("/sql").status_code == 302
    second.close()
