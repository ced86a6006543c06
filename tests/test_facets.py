"""Facets counted at build time: the stored counts, and the plugin that serves them.

Unfiltered table pages read ``facet_counts``; filtered ones count their rows live.
Both must give what Datasette's own ColumnFacet gives, value for value. The database
is built from the frozen 0.1.0 fixture (I-0002 has figures of several victim groups).
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sqlite3
from pathlib import Path

import pytest
from datasette.utils.testing import TestClient as DatasetteClient
from datasette_helpers import DB
from datasette_helpers import datasette_client as _client

from syria_incidents.package import read_descriptor
from syria_incidents.site import build_database, build_metadata
from syria_incidents.site.facet_counts import FACET_COUNTS_TABLE
from syria_incidents.site.metadata import PRECOUNTED_FACET
from syria_incidents.site.reader import FACETS
from syria_incidents.site.serve import plugins_dir


@pytest.fixture(scope="module")
def descriptor(fixture_root) -> dict:
    return read_descriptor(fixture_root)


@pytest.fixture(scope="module")
def db(tmp_path_factory, fixture_root) -> Path:
    path = tmp_path_factory.mktemp("facets") / f"{DB}.db"
    build_database(fixture_root, path)
    return path


@pytest.fixture(scope="module")
def client(db, descriptor) -> DatasetteClient:
    return _client(db, descriptor)


def _group_by(db: Path, table: str, column: str, where: str = "", params=()) -> list[tuple]:
    """The counts as a plain GROUP BY gives them, in ColumnFacet's order."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            f'SELECT "{column}", count(*) AS n FROM "{table}" WHERE "{column}" IS NOT NULL '
            f'{where} GROUP BY "{column}" ORDER BY n DESC, "{column}"',
            params,
        ).fetchall()
    finally:
        conn.close()


def _facets(client, path: str) -> dict:
    response = client.get(path)
    assert response.status == 200, (path, response.text[:500])
    return response.json["facet_results"]


def _counts(facet: dict) -> list[tuple]:
    return [(r["value"], r["count"]) for r in facet["results"]]


def test_facet_counts_table_holds_a_group_by_of_every_configured_facet(db):
    conn = sqlite3.connect(db)
    try:
        stored = conn.execute(
            f"SELECT table_name, column_name, value, count FROM {FACET_COUNTS_TABLE}"
        ).fetchall()
    finally:
        conn.close()
    expected = {
        (table, column, value, n)
        for table, columns in FACETS.items()
        for column in columns
        for value, n in _group_by(db, table, column)
    }
    assert expected, "the 0.1.0 data has facet values"
    assert set(stored) == expected
    assert len(stored) == len(expected)


def test_metadata_selects_the_precounted_facet_type(descriptor):
    tables = build_metadata(descriptor, DB)["databases"][DB]["tables"]
    for table, columns in FACETS.items():
        assert tables[table]["facets"] == [{PRECOUNTED_FACET: c} for c in columns], table


def test_the_plugin_names_the_same_table_and_type_as_the_build():
    spec = importlib.util.spec_from_file_location(
        "precounted_facets", plugins_dir() / "precounted_facets.py"
    )
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    assert plugin.FACET_COUNTS_TABLE == FACET_COUNTS_TABLE
    assert plugin.PrecountedColumnFacet.type == PRECOUNTED_FACET


def test_unfiltered_pages_give_the_group_by_counts_of_every_facet(client, db):
    for table, columns in FACETS.items():
        facets = _facets(client, f"/{DB}/{table}.json?_facet_size=max")
        assert list(facets) == columns, table
        for column in columns:
            assert _counts(facets[column]) == _group_by(db, table, column), (table, column)


def test_precounted_results_are_what_column_facet_gives(client):
    # The same column asked for as a plain facet (?_facet=) is counted live by ColumnFacet
    # and comes back beside it as "<column>_2": everything but hideable must agree.
    for table, columns in FACETS.items():
        for size in ("1", "max"):
            for column in columns:
                facets = _facets(client, f"/{DB}/{table}.json?_facet={column}&_facet_size={size}")
                pair = sorted([facets[column], facets[f"{column}_2"]], key=lambda f: f["hideable"])
                precounted, live = pair  # metadata's facet is not hideable, the asked-for one is
                assert precounted["hideable"] is False and live["hideable"] is True
                for key in ("name", "type", "results", "truncated", "toggle_url"):
                    assert precounted[key] == live[key], (table, column, size, key)


def test_a_truncated_facet_says_so(client, db):
    values = _group_by(db, "casualties", "victim_group")
    assert len(values) > 1, "needs a facet with several values"
    facet = _facets(client, f"/{DB}/casualties.json?_facet_size=1")["victim_group"]
    assert facet["truncated"] is True and _counts(facet) == values[:1]


def test_foreign_key_facets_carry_labels(client, fixture_root):
    with open(fixture_root / "data" / "actors.csv", encoding="utf-8", newline="") as fh:
        names = {r["actor_id"]: r["name"] for r in csv.DictReader(fh)}
    facet = _facets(client, f"/{DB}/casualties.json")["reported_by_actor_id"]
    assert facet["results"]
    for row in facet["results"]:
        assert row["label"] == names[row["value"]]
        assert f"reported_by_actor_id={row['value']}" in row["toggle_url"]


def test_filtered_pages_count_the_filtered_rows(client, db):
    facets = _facets(client, f"/{DB}/casualties.json?incident_id=I-0002")
    for column in FACETS["casualties"]:
        expected = _group_by(db, "casualties", column, "AND incident_id = ?", ["I-0002"])
        assert expected, column
        assert _counts(facets[column]) == expected, column
    assert _counts(facets["victim_group"]) != _group_by(db, "casualties", "victim_group")
    selected = _facets(client, f"/{DB}/casualties.json?victim_group=civilians")
    assert _counts(selected["victim_group"]) == [
        ("civilians", sum(n for v, n in _group_by(db, "casualties", "victim_group") if v == "civilians"))
    ]
    assert selected["victim_group"]["results"][0]["selected"] is True


def test_only_the_whole_table_reads_the_stored_counts(tmp_path, db, descriptor):
    # Falsify one stored count in a copy: the unfiltered page must show it (it reads the
    # table), while a search, a filter or _where must count the rows themselves.
    copy = tmp_path / f"{DB}.db"
    shutil.copy(db, copy)
    table, column = "incidents", "event_type"
    value, real = _group_by(db, table, column)[0]
    conn = sqlite3.connect(copy)
    with conn:
        conn.execute(
            f"UPDATE {FACET_COUNTS_TABLE} SET count = ? WHERE table_name = ? AND "
            "column_name = ? AND value = ?",
            [real + 1000, table, column, value],
        )
    conn.close()
    client = _client(copy, descriptor)
    unfiltered = _counts(_facets(client, f"/{DB}/{table}.json")[column])
    assert (value, real + 1000) in unfiltered
    for query in ("_where=1%3D1", "_search=Syria", f"{column}__not=zzz", "_size=1&_next=1"):
        counted = _counts(_facets(client, f"/{DB}/{table}.json?{query}")[column])
        assert (value, real + 1000) not in counted, query
    everything = _counts(_facets(client, f"/{DB}/{table}.json?_where=1%3D1")[column])
    assert everything == _group_by(db, table, column)


def test_a_database_without_stored_counts_still_facets(tmp_path, db, descriptor):
    copy = tmp_path / f"{DB}.db"
    shutil.copy(db, copy)
    conn = sqlite3.connect(copy)
    with conn:
        conn.execute(f"DROP TABLE {FACET_COUNTS_TABLE}")
    conn.close()
    facets = _facets(_client(copy, descriptor), f"/{DB}/incidents.json")
    assert _counts(facets["event_type"]) == _group_by(db, "incidents", "event_type")


def test_the_table_page_shows_facets_as_plain_column_facets(client):
    html = client.get(f"/{DB}/casualties").text
    assert "victim_group" in html and "column_precounted" not in html
