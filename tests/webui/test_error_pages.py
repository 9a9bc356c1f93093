"""Screens answer errors with pages in the layout; API clients keep their JSON answers."""

from __future__ import annotations

from flask import Flask


def test_a_missing_page_is_a_page_in_the_layout(app: Flask) -> None:
    response = app.test_client().get("/no/such/page?range=7d", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "404 · Not found" in html
    assert 'class="mainnav"' in html and 'href="/?range=7d"' in html


def test_api_clients_and_htmx_get_json_or_a_bare_answer(app: Flask) -> None:
    client = app.test_client()
    api = client.get("/v1/no-such-endpoint", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.is_json
    json_client = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert json_client.status_code == 404 and json_client.is_json
    fragment = client.get("/no/such/page", headers={"HX-Request": "true"})
    assert fragment.status_code == 404 and "mainnav" not in fragment.get_data(as_text=True)
