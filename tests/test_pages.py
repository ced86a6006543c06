"""The instance's own pages on the bundled data: records that read as records, ids that
are links with labels, canned queries that open with an answer, the home page, search.

Every expectation is derived from the bundled CSVs and the descriptor, so the tests hold
for any release. The browser checks (first screen, console, charts) are in
test_browser.py.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from html import unescape
from urllib.parse import urlencode

import pytest
from datasette_helpers import DB, datasette_client
from validate_helpers import read_rows

from syria_incidents.package import read_descriptor, resource
from syria_incidents.site import build_database, pages
from syria_incidents.site.dashboards import dashboards
from syria_incidents.site.queries import QUERIES
from syria_incidents.site.reader import RELATED_TITLES, TABLE_ORDER
from syria_incidents.site.schema import foreign_keys
from syria_incidents.site.views import VIEWS

# A table cell of Datasette's HTML: its column (from the class) and its inner HTML.
CELL = re.compile(r'<td class="col-([\w-]+)[^"]*"[^>]*>(.*?)</td>', re.S)


@pytest.fixture(scope="module")
def descriptor(repo_root) -> dict:
    return read_descriptor(repo_root)


@pytest.fixture(scope="module")
def built(tmp_path_factory, repo_root):
    db = tmp_path_factory.mktemp("pages") / f"{DB}.db"
    build_database(repo_root, db)
    return db


@pytest.fixture(scope="module")
def client(built, descriptor):
    return datasette_client(built, descriptor)


@pytest.fixture(scope="module")
def data(repo_root) -> dict[str, list[dict]]:
    return {table: read_rows(repo_root, table) for table in TABLE_ORDER}


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html))


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


# Configuration derived from the descriptor.


def test_every_key_column_names_the_table_it_refers_to(descriptor):
    columns = pages.record_columns(descriptor)
    for res in descriptor["resources"]:
        assert columns[pages.primary_key(descriptor, res["name"])] == res["name"]
        for column, (table, _) in foreign_keys(res).items():
            assert columns[column] == table


def test_every_foreign_key_has_a_heading_on_the_page_it_points_at(descriptor):
    for res in descriptor["resources"]:
        for column in foreign_keys(res):
            assert (res["name"], column) in RELATED_TITLES, (res["name"], column)
    assert set(TABLE_ORDER) == {r["name"] for r in descriptor["resources"]}


def test_every_qualifier_of_the_descriptor_reads_as_the_source_would_say_it(descriptor):
    field = next(
        f for f in resource(descriptor, "casualties")["schema"]["fields"] if f["name"] == "qualifier"
    )
    assert set(pages.COUNT_QUALIFIERS) == set(field["constraints"]["enum"])
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE r (qualifier, count_low, count_best, count_high)")
    cases = {
        ("at_least", 240, 240, None): "at least 240",
        ("about", None, 125, None): "about 125",
        ("more_than", 1001, None, None): "more than 1,000",
        ("exact", 15, 15, 15): "15",
        ("at_most", None, None, 30): "up to 30",
        ("range", 10, None, 20): "10–20",
        ("more_than", 71, 70, None): "more than 70",
    }
    for row, expected in cases.items():
        conn.execute("DELETE FROM r")
        conn.execute("INSERT INTO r VALUES (?, ?, ?, ?)", row)
        assert conn.execute(f"SELECT {pages.figure_count_sql()} FROM r").fetchone()[0] == expected


def test_dates_read_as_day_month_year_at_their_precision():
    conn = sqlite3.connect(":memory:")
    for iso, expected in [
        ("2025-03-07", "7 March 2025"),
        ("2024-12-08", "8 December 2024"),
        ("2025-03", "March 2025"),
        ("2025", "2025"),
        (None, None),
    ]:
        sql = f"SELECT {pages.sql_date('?')}"
        assert conn.execute(sql, [iso] * sql.count("?")).fetchone()[0] == expected


def test_column_notes_render_vocabularies_as_html_not_markdown(descriptor):
    for table in pages.tables(descriptor):
        fields = {f["name"]: f for f in resource(descriptor, table["name"])["schema"]["fields"]}
        for column, notes in table["column_notes"].items():
            assert "`" not in notes, (table["name"], column)
            for value in fields[column].get("x-vocabulary", {}):
                assert f"<dt><code>{value}</code></dt>" in notes, (table["name"], column, value)


# Row pages.


def test_a_figure_page_is_headed_by_what_it_says_with_the_quote_and_the_source(client, data):
    figure = next(f for f in data["casualties"] if f["parent_figure_id"] and f["count_best"])
    reporter = next(a["name"] for a in data["actors"] if a["actor_id"] == figure["reported_by_actor_id"])
    html = client.get(f"/{DB}/casualties/{figure['figure_id']}").text
    heading = _text(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1))
    assert f"{int(figure['count_best']):,}" in heading and figure["outcome"] in heading
    assert reporter in heading
    quote = _text(
        re.search(r'<blockquote class="source-words"[^>]*>(.*?)</blockquote>', html, re.S).group(1)
    )
    assert quote == figure["source_quote"]
    assert f"/{DB}/sources/{figure['source_id']}" in _links(html)
    assert f"/{DB}/casualties/{figure['parent_figure_id']}" in _links(html)  # the total it is part of
    assert "Part of" in html and "0 rows from" not in html


def test_revisions_link_both_ways(client, data):
    # Revision chains are in the data since 0.2.0, and releases only add to them.
    revision = next(f for f in data["casualties"] if f["supersedes_figure_id"])
    later = client.get(f"/{DB}/casualties/{revision['figure_id']}").text
    assert "Revises this earlier figure" in later
    assert f"/{DB}/casualties/{revision['supersedes_figure_id']}" in _links(later)
    earlier = client.get(f"/{DB}/casualties/{revision['supersedes_figure_id']}").text
    assert "Later figures that revise it" in earlier
    assert f"/{DB}/casualties/{revision['figure_id']}" in _links(earlier)


def test_a_total_lists_its_parts(client, data):
    parts = Counter(f["parent_figure_id"] for f in data["casualties"] if f["parent_figure_id"])
    total, count = parts.most_common(1)[0]
    html = client.get(f"/{DB}/casualties/{total}").text
    assert "Its parts" in html
    listed = {f["figure_id"] for f in data["casualties"] if f["parent_figure_id"] == total}
    assert {f"/{DB}/casualties/{f}" for f in listed} <= _links(html)


def test_an_incident_page_has_its_figures_statements_and_sub_incidents(client, data):
    def count(table, column, value):
        return sum(1 for r in data[table] if r[column] == value)

    incident = max(
        data["incidents"],
        key=lambda i: (
            count("casualties", "incident_id", i["incident_id"])
            + count("statements", "incident_id", i["incident_id"])
            + count("incidents", "parent_incident_id", i["incident_id"])
        ),
    )
    iid = incident["incident_id"]
    html = client.get(f"/{DB}/incidents/{iid}").text
    assert _text(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1)).strip() == incident["title"]
    for table, column, heading in [
        ("casualties", "incident_id", "Casualty figures about this incident"),
        ("statements", "incident_id", "Statements about this incident"),
        ("incidents", "parent_incident_id", "Incidents within it"),
    ]:
        n = count(table, column, iid)
        assert (heading in html) == (n > 0), heading
        if n:
            assert f"({n:,})" in html
            assert f"/{DB}/{table}?{urlencode({column: iid})}" in unescape(html)
    assert "0 rows from" not in html


def test_a_source_page_lists_everything_that_cites_it(client, data):
    cited = Counter(r["source_id"] for t in ("casualties", "incidents", "statements") for r in data[t])
    source, _ = cited.most_common(1)[0]
    html = client.get(f"/{DB}/sources/{source}").text
    for table, pk in [
        ("casualties", "figure_id"),
        ("incidents", "incident_id"),
        ("statements", "statement_id"),
    ]:
        citing = [r[pk] for r in data[table] if r["source_id"] == source]
        shown = {f"/{DB}/{table}/{i}" for i in citing[: pages.RELATED_LIMIT]}
        assert shown <= _links(html), table
        if citing:
            assert f"({len(citing):,})" in html


# Views and canned queries.


def _record_cells(html: str, record_columns: dict[str, str]):
    for column, inner in CELL.findall(html):
        value = _text(inner).strip()
        if column in record_columns and value:
            yield column, inner


def test_every_id_in_a_view_is_a_link_to_its_record_with_its_label(client, descriptor, data):
    record_columns = pages.record_columns(descriptor)
    checked = 0
    for view in VIEWS:
        html = client.get(f"/{DB}/{view.name}?_size=100").text
        for column, inner in _record_cells(html, record_columns):
            ids = re.findall(r'<em class="record-id">([^<]+)</em>', inner)
            assert len(ids) == 1, (view.name, column, inner)
            assert f'href="/{DB}/{record_columns[column]}/{ids[0]}"' in inner, (view.name, column)
            assert 'class="record-label"' in inner, (view.name, column)  # shown with its label
            checked += 1
    assert checked > 0


def test_every_canned_query_opens_with_an_answer_and_every_id_is_a_link(client, descriptor):
    record_columns = pages.record_columns(descriptor)
    for query in QUERIES:
        response = client.get(f"/{DB}/{query.name}")
        assert response.status == 200, query.name
        html = response.text
        assert 'class="rows-and-columns"' in html, f"{query.name} opens empty"
        # Results before the SQL, which is folded below them.
        assert html.index('class="rows-and-columns"') < html.index('id="sql-query"'), query.name
        cells = list(_record_cells(html, record_columns))
        assert cells, query.name
        for column, inner in cells:
            assert f'href="/{DB}/{record_columns[column]}/' in inner, (query.name, column)
        for parameter in query.parameters:
            assert f'<datalist id="choices-{parameter.name}">' in html, (query.name, parameter.name)
            options = re.findall(
                r'<option value="([^"]+)">', html.split(f'id="choices-{parameter.name}"')[1]
            )
            assert options, (query.name, parameter.name)


def test_a_canned_query_shows_its_example_in_the_box_and_runs_it(client, data):
    busiest = Counter(
        f["incident_id"]
        for f in data["casualties"]
        if next(i for i in data["incidents"] if i["incident_id"] == f["incident_id"])["parent_incident_id"]
        == ""
    ).most_common(1)[0][0]
    html = client.get(f"/{DB}/claims_about_incident").text
    assert f'name="incident_id" value="{busiest}"' in html
    opened = client.get(f"/{DB}/claims_about_incident.json?_shape=array").json
    asked = client.get(f"/{DB}/claims_about_incident.json?_shape=array&incident_id={busiest}").json
    assert opened == asked and opened


def test_claims_about_an_incident_show_the_source(client):
    rows = client.get(f"/{DB}/claims_about_incident.json?_shape=array").json
    assert rows and all(r["source_id"] and r["source_publisher"] for r in rows)


# Home page, search, charts.


def test_the_home_page_lists_the_six_tables_with_counts_and_the_ways_in(client, data):
    html = client.get("/").text
    text = _text(html)
    positions = [html.index(f'href="/{DB}/{t}"') for t in TABLE_ORDER]
    assert positions == sorted(positions)
    for table in TABLE_ORDER:
        assert f"{table} {len(data[table]):,} rows" in " ".join(text.split())
    for hidden in ("record_versions", "facet_counts", "_fts", "build_fingerprint", "commits"):
        assert hidden not in html, hidden
    for link in ("/-/dashboards/overview", f"/{DB}/incidents_map", f"/{DB}/claims_side_by_side"):
        assert f'href="{link}"' in html, link


def test_casualties_are_searchable_by_their_wording(client, data):
    figure = next(f for f in data["casualties"] if re.search(r"\b\d{3,}\b", f["source_quote"]))
    number = re.search(r"\b\d{3,}\b", figure["source_quote"]).group(0)
    rows = client.get(f"/{DB}/casualties.json?_shape=array&_search={number}&_size=max").json
    expected = {
        f["figure_id"]
        for f in data["casualties"]
        if re.search(rf"\b{number}\b", f["source_quote"] + " " + f["notes"])
    }
    assert {r["figure_id"] for r in rows} == expected


def test_sources_are_searchable_by_publisher(client, data):
    publisher = Counter(s["publisher"].split()[-1] for s in data["sources"]).most_common(1)[0][0]
    rows = client.get(
        f"/{DB}/sources.json?" + urlencode({"_search": publisher, "_shape": "array", "_size": "max"})
    ).json
    assert rows and len(rows) < len(data["sources"])
    assert all(publisher.lower() in (r["publisher"] + r["title"] + (r["notes"] or "")).lower() for r in rows)


def test_a_search_that_finds_nothing_says_so(client):
    for table in TABLE_ORDER:
        html = client.get(f"/{DB}/{table}?_search=qqqzzzx").text
        assert "Nothing in" in html and "matches" in html, table
        assert "0 records" in html, table
    view = client.get(f"/{DB}/claims_side_by_side?_search=qqqzzzx").text
    assert "has no full-text search" in view


def test_the_latest_claims_chart_never_adds_claims_up(descriptor):
    chart = dashboards(descriptor, DB)["overview"]["charts"]["latest-claims"]
    encoding = chart["display"]["encoding"]
    quantitative = [e for e in encoding.values() if isinstance(e, dict) and e.get("type") == "quantitative"]
    assert quantitative and all(
        "stack" in e and e["stack"] is None and "aggregate" not in e for e in quantitative
    )
    assert "sum(" not in chart["query"].lower()
