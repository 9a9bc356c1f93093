"""The SQL console page: runs the URL's query, shows errors kindly, CSV, parameters, saving."""

from __future__ import annotations

import csv
import io
import re

from flask.testing import FlaskClient

from llmobs_store.sql.examples import example_queries
from llmobs_store.store import Store
from tests.webui.views.conftest import csrf_token_of

COUNT_BY_MODEL = (
    "SELECT model, count(*) AS calls FROM spans WHERE span_type = 'llm' "
    "GROUP BY model ORDER BY model"
)


def _cells(html: str) -> list[str]:
    body = html.split('class="table sql-results"')[1].split("</table>")[0]
    return [
        re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)
    ]


def test_the_query_in_the_url_runs_and_its_rows_are_shown(
    client: FlaskClient, seeded_store: Store
) -> None:
    response = client.get("/sql", query_string={"q": COUNT_BY_MODEL})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    with seeded_store.connect() as conn:
        expected = conn.exec_driver_sql(COUNT_BY_MODEL).all()
    assert _cells(html) == [str(v) for row in expected for v in row]
    assert f"{len(expected)} rows in" in html
    assert "Truncated" not in html


def test_more_rows_than_the_cap_show_the_truncated_notice(
    client: FlaskClient, seeded_store: Store
) -> None:
    cap = seeded_store.settings.max_returned_rows
    response = client.get("/sql", query_string={"q": "SELECT span_id FROM spans"})
    html = response.get_data(as_text=True)
    assert 'id="sql-truncated"' in html
    assert len(_cells(html)) == cap


def test_a_refused_or_broken_query_is_a_friendly_message(client: FlaskClient) -> None:
    refused = client.get("/sql", query_string={"q": "DELETE FROM spans"})
    assert refused.status_code == 400
    assert "only SELECT queries are allowed" in refused.get_data(as_text=True)
    broken = client.get("/sql", query_string={"q": "SELECT no_such_column FROM spans"})
    assert broken.status_code == 400
    html = broken.get_data(as_text=True)
    assert "The query did not run" in html and "no_such_column" in html
    assert "Traceback" not in html


def test_named_parameters_become_fields_and_run_once_given(
    client: FlaskClient, seeded_store: Store
) -> None:
    sql = "SELECT count(*) AS n FROM spans WHERE model = :model"
    waiting = client.get("/sql", query_string={"q": sql}).get_data(as_text=True)
    assert 'name="p_model"' in waiting
    assert "Fill in the parameters" in waiting
    assert "sql-results" not in waiting
    with seeded_store.connect() as conn:
        model, count = conn.exec_driver_sql(
            "SELECT model, count(*) FROM spans WHERE model IS NOT NULL GROUP BY model "
            "ORDER BY count(*) DESC LIMIT 1"
        ).one()
    ran = client.get("/sql", query_string={"q": sql, "p_model": model}).get_data(as_text=True)
    assert _cells(ran) == [str(count)]
    assert f'value="{model}"' in ran


def test_the_csv_download_has_the_rows_with_formulas_neutralised(
    client: FlaskClient, seeded_store: Store
) -> None:
    response = client.get("/sql.csv", query_string={"q": COUNT_BY_MODEL, "name": "by model"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="by-model.csv"'
    with seeded_store.connect() as conn:
        expected = conn.exec_driver_sql(COUNT_BY_MODEL).all()
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows == [["model", "calls"], *([m or "", str(n)] for m, n in expected)]
    formula = client.get(
        "/sql.csv", query_string={"q": "SELECT CAST(:v AS VARCHAR) AS v", "p_v": "=1+1"}
    )
    assert formula.get_data(as_text=True).splitlines() == ["v", "'=1+1"]
    assert client.get("/sql.csv", query_string={"q": "DROP TABLE spans"}).status_code == 400


def test_the_schema_browser_and_examples_come_from_the_models(client: FlaskClient) -> None:
    html = client.get("/sql").get_data(as_text=True)
    assert "<code>spans</code>" in html and "<code>saved_queries</code>" in html
    assert "Unique query name." in html  # saved_queries.name's comment in the model
    assert "p95 latency by model" in html and "Cost per tenant per day" in html


def test_every_example_runs(client: FlaskClient, seeded_store: Store) -> None:
    for example in example_queries(seeded_store.dialect_name):
        args = {"q": example.sql, "p_model": "gpt-4o-mini-2024-07-18"}
        response = client.get("/sql", query_string=args)
        assert response.status_code == 200, example.title
        assert "sql-results" in response.get_data(as_text=True)


def test_a_query_is_saved_loaded_and_deleted(client: FlaskClient) -> None:
    token = csrf_token_of(client)
    saved = client.post(
        "/sql/saved",
        data={"q": COUNT_BY_MODEL, "name": "calls <per> model", "csrf_token": token},
        follow_redirects=True,
    )
    html = saved.get_data(as_text=True)
    assert "Saved “calls &lt;per&gt; model”." in html
    assert "calls <per> model" not in html  # escaped everywhere
    match = re.search(r'action="/sql/saved/(\d+)/delete"', html)
    assert match is not None
    listed = client.get("/sql").get_data(as_text=True)
    assert "calls &lt;per&gt; model" in listed
    deleted = client.post(
        f"/sql/saved/{match.group(1)}/delete", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Deleted the saved query." in deleted.get_data(as_text=True)
    assert "calls &lt;per&gt; model" not in client.get("/sql").get_data(as_text=True)


def test_saving_a_refused_query_keeps_nothing(client: FlaskClient) -> None:
    token = csrf_token_of(client)
    response = client.post(
        "/sql/saved",
        data={"q": "DELETE FROM spans", "name": "bad", "csrf_token": token},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "Not saved: only SELECT queries are allowed" in html
    assert 'id="saved-queries"' not in html


def test_saving_without_the_csrf_token_is_refused(client: FlaskClient) -> None:
    client.get("/sql")
    response = client.post("/sql/saved", data={"q": "SELECT 1", "name": "x"})
    assert response.status_code == 400
    assert "expired or came from another site" in response.get_data(as_text=True)
    other = client.post("/sql/saved", data={"q": "SELECT 1", "name": "x", "csrf_token": "forged"})
    assert other.status_code == 400
    assert 'id="saved-queries"' not in client.get("/sql").get_data(as_text=True)
