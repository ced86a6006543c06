"""`syria-incidents build`: schema from the descriptor, exact round trip, atomic write, refusal.

The database is built from the frozen 0.1.0 fixture, whose ids and values (F-0001 is
240, P-0007 is Jableh) the tests name; the bundled data is checked elsewhere.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from validate_helpers import copy_package, read_rows, write_rows

from syria_incidents.cli import main
from syria_incidents.package import read_descriptor
from syria_incidents.site import build_database
from syria_incidents.site.fingerprint import is_current
from syria_incidents.site.metadata import metadata_yaml
from syria_incidents.site.reader import (
    FACETS,
    LABEL_COLUMNS,
    LEADING_COLUMNS,
    SEARCHABLE,
    SORT,
    reading_order,
)
from syria_incidents.site.roundtrip import export_rows
from syria_incidents.site.schema import foreign_keys
from syria_incidents.site.views import VIEWS


@pytest.fixture(scope="module")
def built(tmp_path_factory, fixture_root) -> Path:
    out = tmp_path_factory.mktemp("db") / "syria_incidents.db"
    build_database(fixture_root, out)
    return out


@pytest.fixture(scope="module")
def descriptor(fixture_root) -> dict:
    return read_descriptor(fixture_root)


def _csv_rows(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))[1:]


def test_every_cell_round_trips_csv_to_sqlite_to_csv(built, fixture_root, descriptor):
    conn = sqlite3.connect(built)
    for res in descriptor["resources"]:
        exported = list(export_rows(conn, res))
        expected = _csv_rows(fixture_root / res["path"])
        mismatches = [(n, a, b) for n, (a, b) in enumerate(zip(exported, expected), 1) if a != b]
        assert len(exported) == len(expected), res["name"]
        assert not mismatches, (res["name"], mismatches[:3])


def test_cells_are_stored_with_their_declared_types(built):
    conn = sqlite3.connect(built)
    row = conn.execute(
        "SELECT typeof(count_best), typeof(reported_on), typeof(count_high), "
        "typeof(parent_figure_id) FROM casualties WHERE figure_id = 'F-0001'"
    ).fetchone()
    assert row == ("integer", "text", "null", "null")
    lat, lon = conn.execute("SELECT latitude, longitude FROM places WHERE place_id = 'P-0007'").fetchone()
    assert (lat, lon) == (35.36, 35.93) and isinstance(lat, float)


def test_columns_types_keys_and_not_null_follow_the_descriptor(built, descriptor):
    conn = sqlite3.connect(built)
    sql_types = {"integer": "INTEGER", "number": "REAL"}
    for res in descriptor["resources"]:
        info = {r[1]: r for r in conn.execute(f'PRAGMA table_info("{res["name"]}")')}
        fields = res["schema"]["fields"]
        # The descriptor's columns, in reading order (the reader's leading columns first).
        assert list(info) == reading_order(res["name"], [f["name"] for f in fields])
        leading = [c for c in LEADING_COLUMNS[res["name"]] if c in info]
        assert list(info)[: len(leading)] == leading
        for f in fields:
            _, name, declared, notnull, _, pk = info[f["name"]]
            assert declared == sql_types.get(f["type"], "TEXT"), (res["name"], name)
            assert bool(notnull) == bool(f.get("constraints", {}).get("required")), (res["name"], name)
            assert bool(pk) == (name in res["schema"]["primaryKey"]), (res["name"], name)
        declared_fks = {
            (row[3], row[2], row[4]) for row in conn.execute(f'PRAGMA foreign_key_list("{res["name"]}")')
        }
        expected = {(col, table, target) for col, (table, target) in foreign_keys(res).items()}
        assert declared_fks == expected, res["name"]


def test_foreign_key_and_facet_columns_are_indexed(built, descriptor):
    conn = sqlite3.connect(built)
    for res in descriptor["resources"]:
        indexed = {
            conn.execute(f'PRAGMA index_info("{idx[1]}")').fetchone()[2]
            for idx in conn.execute(f'PRAGMA index_list("{res["name"]}")')
        }
        wanted = set(foreign_keys(res)) | set(FACETS[res["name"]])
        assert wanted <= indexed, (res["name"], wanted - indexed)


def test_full_text_search_covers_titles_descriptions_quotes_summaries(built):
    conn = sqlite3.connect(built)
    hits = conn.execute(
        "SELECT statement_id FROM statements WHERE rowid IN "
        "(SELECT rowid FROM statements_fts WHERE statements_fts MATCH 'late')"
    ).fetchall()
    assert ("ST-0002",) in hits
    fts = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE '%_fts'")}
    assert fts == {f"{t}_fts" for t in SEARCHABLE}


def test_views_exist_and_answer(built):
    conn = sqlite3.connect(built)
    for view in VIEWS:
        conn.execute(f'SELECT * FROM "{view.name}" LIMIT 1').fetchall()
    parts = conn.execute(
        "SELECT count_best, parts, parts_count_best, not_in_parts FROM figure_parts "
        "WHERE figure_id = 'F-0001'"
    ).fetchone()
    assert parts == (240, 2, 115, 125)
    mapped = {r[0] for r in conn.execute("SELECT place_id FROM incidents_map")}
    with_coords = {r[0] for r in conn.execute("SELECT place_id FROM places WHERE latitude IS NOT NULL")}
    assert mapped and mapped <= with_coords


def test_reader_choices_name_columns_that_exist(descriptor):
    fields = {r["name"]: {f["name"] for f in r["schema"]["fields"]} for r in descriptor["resources"]}
    for table, columns in FACETS.items():
        assert set(columns) <= fields[table], table
    for table, (column, _) in SORT.items():
        assert column in fields[table], table
    for table, column in LABEL_COLUMNS.items():
        assert column in fields[table], table
    for table, columns in SEARCHABLE.items():
        assert set(columns) <= fields[table], table


def test_build_refuses_an_invalid_package_and_keeps_the_previous_database(tmp_path):
    root = copy_package(tmp_path)
    out = tmp_path / "out.db"
    build_database(root, out)
    before = out.read_bytes()
    rows = read_rows(root, "casualties")
    rows[1]["count_best"] = "999"  # a part larger than its total: subtotals-within-total
    write_rows(root, "casualties", rows)
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "not valid" in result.output
    assert "data/casualties.csv:" in result.output and "subtotals-within-total" in result.output
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_a_failed_build_leaves_the_previous_database_and_no_temp_file(tmp_path):
    root = copy_package(tmp_path)
    out = tmp_path / "out.db"
    build_database(root, out)
    before = out.read_bytes()
    with open(root / "data" / "incidents.csv", "a", encoding="utf-8") as fh:
        fh.write("I-9999,too,few,cells\n")  # fails in the middle of the load
    with pytest.raises(sqlite3.Error):
        build_database(root, out, validate=False)
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.db", "pkg"]


def test_fingerprint_notices_changed_data(tmp_path):
    root = copy_package(tmp_path)
    out = tmp_path / "out.db"
    build_database(root, out)
    assert is_current(out, root)
    rows = read_rows(root, "actors")
    rows[0]["description"] += " Edited."
    write_rows(root, "actors", rows)
    assert not is_current(out, root)


def test_build_command_writes_where_asked(tmp_path, fixture_root):
    out = tmp_path / "sub" / "x.db"
    result = CliRunner().invoke(main, ["build", str(fixture_root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "casualties" in result.output and out.is_file()


def test_the_bundled_data_builds_and_round_trips(tmp_path, repo_root):
    out = tmp_path / "bundled.db"
    build_database(repo_root, out)
    conn = sqlite3.connect(out)
    try:
        for res in read_descriptor(repo_root)["resources"]:
            assert list(export_rows(conn, res)) == _csv_rows(repo_root / res["path"]), res["name"]
    finally:
        conn.close()


# --- round trip of arbitrary cells, through a one-table package built without validation ---


def _package(tmp: Path, rows: list[list[str]]) -> Path:
    root = tmp / "p"
    (root / "data").mkdir(parents=True, exist_ok=True)
    fields = [
        {"name": "id", "type": "string", "constraints": {"required": True}},
        {"name": "n", "type": "integer"},
        {"name": "x", "type": "number"},
        {"name": "d", "type": "date"},
        {"name": "t", "type": "string"},
    ]
    descriptor = {
        "name": "t",
        "version": "0.0.0",
        "resources": [
            {
                "name": "things",
                "path": "data/things.csv",
                "description": "things",
                "schema": {"fields": fields, "primaryKey": ["id"]},
            }
        ],
    }
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    with open(root / "data" / "things.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)  # "\r\n" ends rows, so a "\r" inside a cell gets quoted
        writer.writerow([f["name"] for f in fields])
        writer.writerows(rows)
    return root


number_texts = st.one_of(
    st.floats(32.3, 42.4).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.decimals(-1000, 1000, places=2).map(str),  # "35.10": trailing zeros
    st.integers(-(10**6), 10**6).map(str),  # "35": a number without a point
    st.sampled_from(["1e3", "0.50", "-0.0", "35.360", ""]),
)
integer_texts = st.one_of(st.integers(-(2**70), 2**70).map(str), st.sampled_from(["007", "+5", ""]))
text_cells = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(integer_texts, number_texts, st.dates().map(str), text_cells), min_size=1, max_size=8)
)
def test_any_cells_round_trip_exactly(tmp_path, cells):
    rows = [[f"T-{i}", n, x, d, t] for i, (n, x, d, t) in enumerate(cells)]
    root = _package(tmp_path, rows)
    out = tmp_path / "t.db"
    build_database(root, out, validate=False)
    conn = sqlite3.connect(out)
    try:
        resource = read_descriptor(root)["resources"][0]
        assert list(export_rows(conn, resource)) == _csv_rows(root / "data" / "things.csv")
    finally:
        conn.close()


def test_serve_rebuilds_only_when_the_data_changed(tmp_path):
    from syria_incidents.site import prepare
    from syria_incidents.site.serve import datasette_command

    root = copy_package(tmp_path)
    db = tmp_path / "site" / "syria_incidents.db"
    first = prepare(root, db)
    assert first.rebuilt and first.inspect.is_file() and first.metadata.is_file()
    assert json.loads(first.inspect.read_text())["syria_incidents"]["tables"]["incidents"]["count"] == len(
        read_rows(root, "incidents")
    )
    # Views are counted once too, so that their pages never count a join of every row.
    counted = json.loads(first.inspect.read_text())["syria_incidents"]["tables"]
    conn = sqlite3.connect(db)
    try:
        for view in VIEWS:
            assert (
                counted[view.name]["count"]
                == conn.execute(f'SELECT count(*) FROM "{view.name}"').fetchone()[0]
            )
    finally:
        conn.close()
    assert not prepare(root, db).rebuilt
    rows = read_rows(root, "statements")
    rows[0]["notes"] += " Edited."
    write_rows(root, "statements", rows)
    assert prepare(root, db).rebuilt
    command = datasette_command(first, "127.0.0.1", 8123)
    assert command[command.index("-i") + 1] == str(db)  # immutable
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert ["--setting", "suggest_facets", "off"] == command[command.index("suggest_facets") - 1 :][:3]


def test_metadata_command_checks_and_rewrites(tmp_path):
    root = copy_package(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["metadata", str(root), "--check"]).exit_code == 1
    assert runner.invoke(main, ["metadata", str(root)]).exit_code == 0
    assert (root / "metadata.yaml").read_text(encoding="utf-8") == metadata_yaml(read_descriptor(root))
    assert runner.invoke(main, ["metadata", str(root), "--check"]).exit_code == 0


def test_default_database_path_checkout_and_installed_wheel(tmp_path, monkeypatch, repo_root):
    from syria_incidents.site import default_database_path

    assert default_database_path(repo_root) == repo_root / "dist" / "syria_incidents.db"
    wheel_copy = tmp_path / "site-packages" / "syria_incidents" / "_package"
    wheel_copy.mkdir(parents=True)
    (wheel_copy / "datapackage.json").write_text(json.dumps({"version": "9.8.7", "resources": []}))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_database_path(wheel_copy) == (
        tmp_path / "cache" / "syria-incidents" / "9.8.7" / "syria_incidents.db"
    )
