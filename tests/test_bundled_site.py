"""The views, canned queries and dashboard charts work on the bundled data, whatever the release.

test_datasette.py checks the pages on the frozen 0.1.0 fixture; here every expectation is
derived from the bundled CSVs, so the test holds for any future release."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter

import pytest
from validate_helpers import read_rows

from syria_incidents.package import read_descriptor
from syria_incidents.site import build_database
from syria_incidents.site.dashboards import dashboards
from syria_incidents.site.queries import QUERIES
from syria_incidents.site.views import VIEWS


@pytest.fixture(scope="module")
def db(tmp_path_factory, repo_root):
    path = tmp_path_factory.mktemp("bundled") / "syria_incidents.db"
    build_database(repo_root, path)
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def figures(repo_root):
    return read_rows(repo_root, "casualties")


def test_every_view_has_rows(db):
    for view in VIEWS:
        assert db.execute(f'SELECT count(*) FROM "{view.name}"').fetchone()[0] > 0, view.name


def test_canned_queries_run_with_parameters_taken_from_the_data(db, figures, repo_root):
    busiest = Counter(f["incident_id"] for f in figures).most_common(1)[0][0]
    total = next(f["parent_figure_id"] for f in figures if f["parent_figure_id"])
    revised = next((f["figure_id"] for f in figures if f["supersedes_figure_id"]), figures[0]["figure_id"])
    speaker = read_rows(repo_root, "statements")[0]["speaker_actor_id"]
    params = {
        "incident_id": busiest,
        "figure_id": total,
        "reporter": "",
        "speaker": speaker,
        "statement_type": "",
    }
    for query in QUERIES:
        if query.name == "figure_revision_chain":
            params["figure_id"] = revised
        needed = {name: params.get(name, "") for name in re.findall(r":(\w+)", query.sql)}
        assert db.execute(query.sql, needed).fetchall(), query.name


def test_revision_chain_query_follows_each_chain_in_date_order(db, figures):
    by_id = {f["figure_id"]: f for f in figures}
    query = next(q for q in QUERIES if q.name == "figure_revision_chain")
    for latest in (f for f in figures if f["supersedes_figure_id"]):
        rows = db.execute(query.sql, {"figure_id": latest["figure_id"]}).fetchall()
        assert len(rows) >= 2 and latest["figure_id"] in {r["figure_id"] for r in rows}, latest["figure_id"]
        dates = [by_id[r["figure_id"]]["reported_on"] for r in rows]
        assert dates == sorted(dates) and len(set(dates)) == len(dates), latest["figure_id"]


def test_dashboard_charts_draw_the_bundled_data(db, figures, repo_root):
    charts = dashboards(read_descriptor(repo_root), "syria_incidents")["overview"]["charts"]
    revised = any(f["supersedes_figure_id"] for f in figures)
    for name, chart in charts.items():
        sql = re.sub(r"\[\[(.*?)\]\]", r"\1", chart["query"])
        rows = db.execute(sql, {"outcome": "killed", "incident_id": ""}).fetchall()
        assert bool(rows) == (revised if name == "tolls-over-time" else True), name


def test_latest_claims_chart_shows_one_figure_per_reporter_and_group(db, repo_root):
    chart = dashboards(read_descriptor(repo_root), "syria_incidents")["overview"]["charts"]["latest-claims"]
    sql = re.sub(r"\[\[(.*?)\]\]", r"\1", chart["query"])
    rows = db.execute(sql, {"outcome": "killed", "incident_id": ""}).fetchall()
    keys = [(r["reporter"], r["victim_group"]) for r in rows]
    assert len(keys) == len(set(keys))  # never two bars (or a sum) for one reporter and group
