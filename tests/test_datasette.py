"""The Datasette instance, through Datasette's own test client: pages, labels, search,
canned queries, the dashboard, escaping, and no way to write.

The site is built from the frozen 0.1.0 fixture (``fixture_root``), whose ids and values
the tests name; only metadata.yaml is checked against the bundled data's descriptor.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

import pytest
import yaml
from datasette.utils.testing import TestClient as DatasetteClient
from datasette_helpers import DB
from datasette_helpers import datasette_client as _client
from markupsafe import escape
from validate_helpers import copy_package, read_rows, write_rows

from syria_incidents.package import read_descriptor
from syria_incidents.site import build_database, build_metadata, metadata_is_current
from syria_incidents.site.dashboards import dashboards
from syria_incidents.site.metadata import view_columns
from syria_incidents.site.queries import QUERIES
from syria_incidents.site.serve import SETTINGS, typed_settings
from syria_incidents.site.views import VIEWS

INJECTED_SCRIPT = "<script>window.__injected = 'script'</script>"
INJECTED_IMG = "<img src=x onerror=\"window.__injected = 'img'\">"


@pytest.fixture(scope="module")
def descriptor(fixture_root) -> dict:
    return read_descriptor(fixture_root)


@pytest.fixture(scope="module")
def bundled_descriptor(repo_root) -> dict:
    return read_descriptor(repo_root)


@pytest.fixture(scope="module")
def client(tmp_path_factory, fixture_root, descriptor) -> DatasetteClient:
    db = tmp_path_factory.mktemp("ds") / f"{DB}.db"
    build_database(fixture_root, db)
    return _client(db, descriptor)


def _rows(client, path: str, **params) -> list[dict]:
    query = urlencode({**params, "_shape": "array"})
    response = client.get(f"{path}.json?{query}")
    assert response.status == 200, (path, response.text[:500])
    return response.json


def _csv(root: Path, table: str) -> list[dict]:
    with open(root / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _pages(descriptor) -> list[str]:
    return [r["name"] for r in descriptor["resources"]] + [v.name for v in VIEWS]


def test_every_table_and_view_renders_as_html_and_json(client, descriptor, fixture_root):
    columns = view_columns(descriptor)
    revisions = sum(1 for r in _csv(fixture_root, "casualties") if r["supersedes_figure_id"])
    for name in _pages(descriptor):
        html = client.get(f"/{DB}/{name}")
        assert html.status == 200, name
        assert f"<title>{DB}: {name}:" in html.text, name
        data = client.get(f"/{DB}/{name}.json?_shape=objects")
        assert data.status == 200, name
        if name in columns:
            assert data.json["columns"] == columns[name], name
        if name == "figure_revisions":  # release 0.1.0 has no revised figure
            assert len(data.json["rows"]) == revisions
        else:
            assert data.json["rows"], f"{name} has no rows"
            assert '<table class="rows-and-columns">' in html.text, name


def test_the_bundled_data_serves_every_page_with_every_row(tmp_path, repo_root, bundled_descriptor):
    """Whatever the release: each table's page holds exactly the CSV's records, each view answers."""
    db = tmp_path / f"{DB}.db"
    build_database(repo_root, db)
    client = _client(db, bundled_descriptor)
    for name in _pages(bundled_descriptor):
        assert client.get(f"/{DB}/{name}").status == 200, name
        assert client.get(f"/{DB}/{name}.json?_size=1").status == 200, name
    for res in bundled_descriptor["resources"]:
        count = client.get(f"/{DB}/{res['name']}.json?_size=0").json["filtered_table_rows_count"]
        assert count == len(_csv(repo_root, res["name"])), res["name"]


def test_home_database_and_row_pages_render(client):
    assert client.get("/").status == 200
    database = client.get(f"/{DB}")
    assert database.status == 200
    for query in QUERIES:
        assert f"/{DB}/{query.name}" in database.text
    row = client.get(f"/{DB}/incidents/I-0002")
    assert row.status == 200 and "Two-day battle" in row.text


def test_foreign_keys_come_back_with_labels(client, fixture_root):
    titles = {r["incident_id"]: r["title"] for r in _csv(fixture_root, "incidents")}
    names = {r["actor_id"]: r["name"] for r in _csv(fixture_root, "actors")}
    rows = client.get(f"/{DB}/casualties.json?_labels=on&_shape=objects").json["rows"]
    for row in rows:
        assert row["incident_id"] == {
            "value": row["incident_id"]["value"],
            "label": titles[row["incident_id"]["value"]],
        }
        reporter = row["reported_by_actor_id"]
        assert reporter["label"] == names[reporter["value"]]
    html = client.get(f"/{DB}/casualties?figure_id=F-0002").text
    assert _record_link("incidents", "I-0002", titles["I-0002"]) in html
    assert _record_link("actors", "A-0001", names["A-0001"]) in html


def _record_link(table: str, record_id: str, label: str) -> str:
    # How plugins/record_pages.py shows a reference: its label, then its id, in one link.
    return (
        f'<a class="record-link" href="/{DB}/{table}/{record_id}" title="{escape(label)}">'
        f'<span class="record-label">{escape(label)}</span> '
        f'<em class="record-id">{record_id}</em></a>'
    )


def test_a_row_page_links_its_foreign_keys_with_labels(client, fixture_root):
    titles = {r["incident_id"]: r["title"] for r in _csv(fixture_root, "incidents")}
    html = client.get(f"/{DB}/casualties/F-0002").text
    assert _record_link("incidents", "I-0002", titles["I-0002"]) in html
    assert f'href="/{DB}/casualties/F-0001"' in html  # parent_figure_id, labelled by wording


def test_an_incident_page_links_to_the_figures_about_it(client):
    html = client.get(f"/{DB}/incidents/I-0002").text
    assert f"/{DB}/casualties?incident_id=I-0002" in html


def test_full_text_search_finds_a_statement_by_a_word_of_its_quote(client, fixture_root):
    statement = next(r for r in _csv(fixture_root, "statements") if r["statement_id"] == "ST-0002")
    word = statement["quote"].split()[-1]  # "late", from "before it’s too late"
    found = [r["statement_id"] for r in _rows(client, f"/{DB}/statements", _search=word)]
    assert "ST-0002" in found
    assert all(
        word in (r["quote"] + r["summary"]).lower()
        for r in _csv(fixture_root, "statements")
        if r["statement_id"] in found
    )
    html = client.get(f"/{DB}/statements?_search={word}")
    assert html.status == 200 and "ST-0002" in html.text


def test_claims_about_an_incident_include_its_sub_incidents(client, fixture_root):
    children = defaultdict(list)
    for r in _csv(fixture_root, "incidents"):
        children[r["parent_incident_id"]].append(r["incident_id"])
    scope, todo = set(), ["I-0002"]
    while todo:
        current = todo.pop()
        scope.add(current)
        todo += children[current]
    expected = {r["figure_id"] for r in _csv(fixture_root, "casualties") if r["incident_id"] in scope}
    rows = _rows(client, f"/{DB}/claims_about_incident", incident_id="I-0002")
    assert {r["figure_id"] for r in rows} == expected
    total = next(r for r in rows if r["figure_id"] == "F-0001")
    assert (total["count_best"], total["qualifier"]) == (240, "at_least")
    assert total["reported_by_actor_id"] == "A-0001"
    assert total["source_id"] == "S-0001" and total["source_publisher"] == "The Guardian"
    assert "at least 240" in total["wording"]


def test_subtotal_tree_of_snhrs_at_least_240_and_the_sum_of_its_parts(client):
    rows = _rows(client, f"/{DB}/figure_subtotal_tree", figure_id="F-0001")
    assert [(r["depth"], r["figure_id"], r["count_best"]) for r in rows] == [
        (0, "F-0001", 240),
        (1, "F-0002", 100),
        (1, "F-0003", 15),
    ]
    assert (rows[0]["parts"], rows[0]["parts_count_best"]) == (2, 115)
    assert [r["parts"] for r in rows[1:]] == [0, 0]


def test_revision_chain_of_a_figure_never_revised_is_the_figure_alone(client):
    rows = _rows(client, f"/{DB}/figure_revision_chain", figure_id="F-0004")
    assert [(r["step"], r["figure_id"]) for r in rows] == [(0, "F-0004")]


def test_statements_by_speaker_or_type(client, fixture_root):
    statements = _csv(fixture_root, "statements")
    by_speaker = _rows(client, f"/{DB}/statements_by_speaker_or_type", speaker="A-0006", statement_type="")
    expected = [
        r["statement_id"]
        for r in sorted(statements, key=lambda r: (r["made_on"], r["statement_id"]))
        if r["speaker_actor_id"] == "A-0006"
    ]
    assert expected and [r["statement_id"] for r in by_speaker] == expected
    by_name = _rows(client, f"/{DB}/statements_by_speaker_or_type", speaker="Sharaa", statement_type="")
    assert [r["statement_id"] for r in by_name] == [r["statement_id"] for r in by_speaker]
    appeals = _rows(client, f"/{DB}/statements_by_speaker_or_type", speaker="", statement_type="appeal")
    assert {r["statement_id"] for r in appeals} == {
        r["statement_id"] for r in statements if r["statement_type"] == "appeal"
    }
    assert appeals


def test_totals_by_perpetrator_and_victim_group_per_reporter(client, fixture_root):
    figures = _csv(fixture_root, "casualties")
    superseded = {r["supersedes_figure_id"] for r in figures if r["supersedes_figure_id"]}
    expected = defaultdict(int)
    for r in figures:
        if r["reported_by_actor_id"] == "A-0001" and r["figure_id"] not in superseded:
            key = (r["outcome"], r["perpetrator_actor_id"] or None, r["victim_group"])
            expected[key] += int(r["count_best"] or 0)
    rows = _rows(client, f"/{DB}/totals_by_perpetrator_and_victim_group", reporter="A-0001")
    got = {(r["outcome"], r["perpetrator_actor_id"], r["victim_group"]): r["sum_count_best"] for r in rows}
    assert got == dict(expected)
    assert {r["reported_by_actor_id"] for r in rows} == {"A-0001"}


def test_revision_chain_follows_supersedes_both_ways(tmp_path, descriptor):
    # A fixture package with a two-step revision; built without validation because the
    # revised figures need later sources that the real data does not have.
    root = copy_package(tmp_path)
    rows = read_rows(root, "casualties")
    base = next(r for r in rows if r["figure_id"] == "F-0005")
    rows.append({**base, "figure_id": "F-0100", "count_best": "45", "supersedes_figure_id": "F-0005"})
    rows.append({**base, "figure_id": "F-0101", "count_best": "50", "supersedes_figure_id": "F-0100"})
    write_rows(root, "casualties", rows)
    db = tmp_path / f"{DB}.db"
    build_database(root, db, validate=False)
    client = _client(db, descriptor)
    chain = _rows(client, f"/{DB}/figure_revision_chain", figure_id="F-0100")
    assert [(r["step"], r["figure_id"], r["count_best"]) for r in chain] == [
        (-1, "F-0005", 40),
        (0, "F-0100", 45),
        (1, "F-0101", 50),
    ]
    revisions = _rows(client, f"/{DB}/figure_revisions")
    assert {(r["figure_id"], r["previous_count_best"]) for r in revisions} == {
        ("F-0100", 40),
        ("F-0101", 45),
    }


def test_html_in_data_is_rendered_escaped(tmp_path, descriptor):
    root = copy_package(tmp_path)
    rows = read_rows(root, "incidents")
    injected = next(r for r in rows if r["incident_id"] == "I-0002")  # has figures about it
    injected["title"] = f"Injected {INJECTED_SCRIPT}"
    injected["notes"] = f"Injected {INJECTED_IMG}"
    write_rows(root, "incidents", rows)
    db = tmp_path / f"{DB}.db"
    build_database(root, db)  # the validator accepts markup in text: it is only text
    client = _client(db, descriptor)
    pages = [
        f"/{DB}/incidents/I-0002",
        f"/{DB}/incidents",
        f"/{DB}/claims_side_by_side",
        f"/{DB}/casualties",
        f"/{DB}/casualties/F-0001",
        f"/{DB}/claims_about_incident?incident_id=I-0002",
    ]
    for path in pages:
        html = client.get(path).text
        assert "<script>window.__injected" not in html, path
        assert "<img src=x onerror" not in html, path
        assert "&lt;script&gt;window.__injected" in html, path
    assert "&lt;img src=x onerror=" in client.get(f"/{DB}/incidents/I-0002").text


def test_the_instance_is_immutable_and_cannot_write(client):
    databases = client.get("/-/databases.json").json
    assert [(d["name"], d["is_mutable"]) for d in databases] == [(DB, False)]
    before = client.get(f"/{DB}/actors.json?_shape=array").json
    queries = client.get(f"/{DB}.json").json["queries"]
    assert queries and not any(q.get("write") for q in queries)
    write = client.get(f"/{DB}.json?" + urlencode({"sql": "DELETE FROM actors"}))
    assert write.status == 400
    assert client.get(f"/{DB}/actors.json?_shape=array").json == before


def test_settings_are_the_deliberate_ones(client):
    live = client.get("/-/settings.json").json
    for name, value in typed_settings().items():
        assert live[name] == value, name
    assert SETTINGS["suggest_facets"] == "off"


def test_dashboard_renders_and_its_chart_queries_run(client, descriptor, fixture_root):
    assert client.get("/-/dashboards").status == 200
    page = client.get("/-/dashboards/overview?outcome=killed")
    assert page.status == 200
    charts = dashboards(descriptor, DB)["overview"]["charts"]
    with open(fixture_root / "data" / "casualties.csv", encoding="utf-8", newline="") as fh:
        revised = any(r["supersedes_figure_id"] for r in csv.DictReader(fh))
    for name, chart in charts.items():
        assert name in page.text
        sql = re.sub(r"\[\[(.*?)\]\]", r"\1", chart["query"])
        rows = _rows(client, f"/{DB}", sql=sql, outcome="killed", incident_id="")
        # The toll lines draw revision chains: rows exactly when the data has revisions.
        assert bool(rows) == (revised if name == "tolls-over-time" else True), name


def test_map_plugin_is_active_on_the_incidents_map_view(client):
    html = client.get(f"/{DB}/incidents_map").text
    assert "datasette-cluster-map.js" in html
    assert 'window.DATASETTE_CLUSTER_MAP_LATITUDE_COLUMN = "latitude"' in html


# --- metadata.yaml: one source of truth ---


def test_committed_metadata_yaml_is_current(repo_root):
    assert metadata_is_current(repo_root), (
        "run `syria-incidents fix` (or `metadata`) and commit metadata.yaml"
    )


def test_metadata_describes_every_table_view_and_column_from_the_descriptor(repo_root, bundled_descriptor):
    descriptor = bundled_descriptor
    meta = yaml.safe_load((repo_root / "metadata.yaml").read_text(encoding="utf-8"))
    for key in ("title", "description", "license", "license_url", "source", "source_url", "about"):
        assert meta[key], key
    assert meta["title"] == descriptor["title"]
    tables = meta["databases"][DB]["tables"]
    for res in descriptor["resources"]:
        assert tables[res["name"]]["description"] == res["description"]
        # As plain text (tooltips, column menus): the descriptor's Markdown code marks go.
        assert tables[res["name"]]["columns"] == {
            f["name"]: f["description"].replace("`", "") for f in res["schema"]["fields"]
        }
        assert set(tables[res["name"]]["columns"]) == {f["name"] for f in res["schema"]["fields"]}
    for view, columns in view_columns(descriptor).items():
        described = tables[view]["columns"]
        assert list(described) == columns, view
        assert all(described.values()), view
    assert set(meta["databases"][DB]["queries"]) == {q.name for q in QUERIES}


def test_metadata_matches_what_datasette_reports(client, descriptor):
    meta = client.get(f"/{DB}/casualties.json?_size=0").json
    assert meta["human_description_en"] is not None
    served = client.get("/-/metadata.json").json
    assert served["databases"][DB]["tables"]["casualties"]["label_column"] == "source_quote"


def test_every_table_view_and_column_in_the_database_is_described(client, descriptor):
    meta = build_metadata(descriptor, DB)["databases"][DB]["tables"]
    database = client.get(f"/{DB}.json").json
    shown = [t for t in database["tables"] if not t["hidden"]] + database["views"]
    assert len(shown) >= len(descriptor["resources"]) + len(VIEWS)
    for table in shown:
        name = table["name"]
        assert meta[name]["description"], name
        columns = client.get(f"/{DB}/{name}.json?_size=0").json["columns"]
        assert [c for c in columns if c != "rowid"] == list(meta[name]["columns"]), name
        assert all(meta[name]["columns"].values()), name


def test_the_publish_recipes_carry_the_settings_templates_and_plugins_serve_uses(repo_root):
    from syria_incidents.site.serve import plugins_dir, templates_dir

    docs = (repo_root / "docs" / "datasette.md").read_text(encoding="utf-8")
    recipe = " ".join(docs.split("datasette publish cloudrun", 1)[1].split("```", 1)[0].split())
    for name, value in SETTINGS.items():
        assert f"--setting {name} {value}" in recipe, name
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    for text in (recipe, readme):
        for option, folder in (("--plugins-dir", plugins_dir()), ("--template-dir", templates_dir())):
            assert f"{option} {folder.relative_to(repo_root / 'src').as_posix()}" in text.replace(
                "src/", ""
            ), option
