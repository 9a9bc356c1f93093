"""The layout: navigation with the filters kept, the filter form keeping the page's own args."""

from __future__ import annotations

from flask import Flask

from webui.layout import NAVIGATION


def test_navigation_keeps_the_filters_and_marks_the_current_screen(app: Flask) -> None:
    html = app.test_client().get("/sql?range=7d&service=api").get_data(as_text=True)
    for item in NAVIGATION:
        assert f'href="{item.path}?range=7d&amp;service=api"' in html
    assert 'class="current" aria-current="page">SQL</a>' in html
    assert '<option value="7d" selected>' in html
    assert 'name="service" value="api"' in html


def test_the_filter_form_keeps_the_page_args_but_not_its_paging(app: Flask) -> None:
    html = (
        app.test_client()
        .get("/costs?group=day&then=model&range=1h&after=abc")
        .get_data(as_text=True)
    )
    form = html.split('id="global-filters"')[1].split("</form>")[0]
    assert '<input type="hidden" name="group" value="day">' in form
    assert '<input type="hidden" name="then" value="model">' in form
    assert 'name="after"' not in form
    assert form.count('name="range"') == 1


def test_the_htmx_token_and_the_assets_are_in_every_page(app: Flask) -> None:
    client = app.test_client()
    html = client.get("/sql").get_data(as_text=True)
    with client.session_transaction() as session:
        token = session["csrf_token"]
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in html
    for asset in [
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/chartjs/chart.umd.min.js",
        "/static/js/charts.js",
        "/static/css/app.css",
    ]:
        assert asset in html
        with client.get(asset) as response:
            assert response.status_code == 200, asset
