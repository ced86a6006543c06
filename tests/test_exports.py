"""Exports, opened with each ecosystem's own readers and compared with the CSVs cell by cell.

Parquet is read back with pyarrow (not the polars that wrote it) and DuckDB, GeoJSON
with the json module and shapely, HXL with libhxl (HDX's own library). Expectations
come from the CSVs and the descriptor of the package exported, so they hold for the
bundled data of any release and for the frozen 0.1.0 fixture alike.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from validate_helpers import FIXTURE_ROOT, REPO_ROOT, copy_package

from syria_incidents.cli import main
from syria_incidents.exports import FORMATS, InvalidPackage, export
from syria_incidents.exports.hxl_tags import FIELD_TAGS, UntaggedField, table_tags
from syria_incidents.exports.parquet import RESOURCE_KEY, VERSION_KEY

PACKAGES = {"bundled": REPO_ROOT, "fixture-0.1.0": FIXTURE_ROOT}


def descriptor_of(root: Path) -> dict:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def csv_rows(root: Path, res: dict) -> tuple[list[str], list[list[str]]]:
    with open(root / res["path"], encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


@pytest.fixture(scope="module", params=sorted(PACKAGES))
def exported(request, tmp_path_factory):
    """(package root, its descriptor, the folder its exports were written to)."""
    root = PACKAGES[request.param]
    out = tmp_path_factory.mktemp(f"exports-{request.param}")
    result = export(root, out=out)
    assert sorted(result.files) == sorted(FORMATS)
    return root, descriptor_of(root), out


# --- Parquet -------------------------------------------------------------------------


def expected_arrow_type(field: dict):
    if "enum" in field.get("constraints", {}):
        return "dictionary"
    return {"integer": pa.int64(), "number": pa.float64(), "date": pa.date32()}.get(field["type"], "string")


def as_csv_value(field: dict, text: str):
    """The value a CSV cell stands for, in the type the descriptor gives its field."""
    if text == "":
        return None
    return {"integer": int, "number": float, "date": dt.date.fromisoformat}.get(field["type"], str)(text)


def test_parquet_types_come_from_the_descriptor(exported):
    root, descriptor, out = exported
    for res in descriptor["resources"]:
        schema = pq.read_schema(out / "parquet" / f"{res['name']}.parquet")
        assert schema.names == [f["name"] for f in res["schema"]["fields"]], res["name"]
        for field in res["schema"]["fields"]:
            arrow = schema.field(field["name"]).type
            wanted = expected_arrow_type(field)
            if wanted == "dictionary":
                assert pa.types.is_dictionary(arrow) and pa.types.is_string(arrow.value_type), field["name"]
            elif wanted == "string":
                assert pa.types.is_string(arrow) or pa.types.is_large_string(arrow), field["name"]
            else:
                assert arrow == wanted, (res["name"], field["name"], arrow)


def test_parquet_vocabularies_are_the_descriptors_values_in_its_order(exported):
    import polars as pl

    root, descriptor, out = exported
    for res in descriptor["resources"]:
        frame_schema = pl.read_parquet_schema(out / "parquet" / f"{res['name']}.parquet")
        for field in res["schema"]["fields"]:
            enum = field.get("constraints", {}).get("enum")
            if enum is not None:
                assert frame_schema[field["name"]] == pl.Enum(enum), (res["name"], field["name"])


def test_parquet_equals_the_csvs_cell_by_cell(exported):
    root, descriptor, out = exported
    for res in descriptor["resources"]:
        header, rows = csv_rows(root, res)
        table = pq.read_table(out / "parquet" / f"{res['name']}.parquet").to_pylist()
        assert len(table) == len(rows), res["name"]
        fields = {f["name"]: f for f in res["schema"]["fields"]}
        for line, (row, record) in enumerate(zip(rows, table), start=2):
            for name, text in zip(header, row):
                assert record[name] == as_csv_value(fields[name], text), f"{res['path']}:{line}:{name}"


def test_parquet_metadata_carries_descriptions_and_version(exported):
    root, descriptor, out = exported
    for res in descriptor["resources"]:
        metadata = pq.read_metadata(out / "parquet" / f"{res['name']}.parquet").metadata
        described = json.loads(metadata[RESOURCE_KEY.encode()])
        assert metadata[VERSION_KEY.encode()].decode() == descriptor["version"]
        assert [f.get("description") for f in described["schema"]["fields"]] == [
            f.get("description") for f in res["schema"]["fields"]
        ]


def readme_sql() -> list[str]:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```sql", 1)[1].split("```", 1)[0]
    return [s.strip() for s in block.split(";") if s.strip()]


def test_the_readmes_duckdb_queries_run_on_the_parquet_and_the_csvs(exported, monkeypatch, tmp_path):
    """The README's SQL as written, run where it says: a checkout after `export`."""
    import shutil
    from collections import Counter

    import duckdb

    root, descriptor, out = exported
    shutil.copytree(out / "parquet", tmp_path / "dist" / "parquet")
    shutil.copytree(root / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    by_reporter, by_outcome = [duckdb.sql(statement).fetchall() for statement in readme_sql()]

    res = next(r for r in descriptor["resources"] if r["name"] == "casualties")
    header, rows = csv_rows(root, res)
    casualties = [dict(zip(header, row)) for row in rows]
    actors = {
        a[0]: a[1]
        for a in csv_rows(root, next(r for r in descriptor["resources"] if r["name"] == "actors"))[1]
    }
    expected = Counter((actors[f["reported_by_actor_id"]], f["outcome"]) for f in casualties)
    assert {(reporter, outcome): figures for reporter, outcome, figures, _ in by_reporter} == expected
    largest = {}
    for f in casualties:
        if f["count_best"]:
            key = (actors[f["reported_by_actor_id"]], f["outcome"])
            largest[key] = max(largest.get(key, 0), int(f["count_best"]))
    assert {(r, o): big for r, o, _, big in by_reporter if big is not None} == largest
    assert dict(by_outcome) == dict(Counter(f["outcome"] for f in casualties))


# --- GeoJSON -------------------------------------------------------------------------


def test_geojson_has_one_point_per_incident_at_a_place_with_coordinates(exported):
    from shapely.geometry import shape

    root, descriptor, out = exported
    resources = {r["name"]: r for r in descriptor["resources"]}
    header, rows = csv_rows(root, resources["incidents"])
    incidents = [dict(zip(header, row)) for row in rows]
    p_header, p_rows = csv_rows(root, resources["places"])
    places = {p["place_id"]: p for p in (dict(zip(p_header, row)) for row in p_rows)}
    located = [
        i for i in incidents if places[i["place_id"]]["latitude"] and places[i["place_id"]]["longitude"]
    ]

    collection = json.loads((out / "geojson" / "incidents.geojson").read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection" and "crs" not in collection  # RFC 7946 drops crs
    assert [f["id"] for f in collection["features"]] == [i["incident_id"] for i in located]
    for feature, incident in zip(collection["features"], located):
        place = places[incident["place_id"]]
        point = shape(feature["geometry"])
        assert point.geom_type == "Point" and point.is_valid
        # RFC 7946: longitude first.
        assert (point.x, point.y) == (float(place["longitude"]), float(place["latitude"]))
        properties = feature["properties"]
        assert {k: properties[k] for k in incident} == {k: v or None for k, v in incident.items()}
        assert properties["place_precision"] == incident["place_precision"]
        assert properties["coordinate_precision"] == (place["coordinate_precision"] or None)
        assert properties["place_name"] == place["name"]


def test_the_fixture_has_incidents_with_coordinates_so_the_geojson_test_compares_something(tmp_path):
    result = export(FIXTURE_ROOT, formats=["geojson"], out=tmp_path, check=False)
    features = json.loads(result.files["geojson"][0].read_text(encoding="utf-8"))["features"]
    assert features, "the 0.1.0 fixture should have incidents at places with coordinates"


# --- HXL -----------------------------------------------------------------------------

# The core hashtags of the HXL 1.1 dictionary (hxlstandard.org/standard/1-1final/dictionary/).
HXL_CORE_HASHTAGS = {
    "#adm1",
    "#adm2",
    "#adm3",
    "#adm4",
    "#adm5",
    "#country",
    "#geo",
    "#loc",
    "#region",
    "#affected",
    "#inneed",
    "#population",
    "#reached",
    "#targeted",
    "#respondee",
    "#access",
    "#activity",
    "#capacity",
    "#contact",
    "#currency",
    "#indicator",
    "#item",
    "#modality",
    "#need",
    "#operations",
    "#org",
    "#output",
    "#sector",
    "#service",
    "#subsector",
    "#value",
    "#cause",
    "#crisis",
    "#event",
    "#group",
    "#impact",
    "#severity",
    "#date",
    "#description",
    "#meta",
    "#status",
}
HXL_TAG = re.compile(r"^#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*$")


def hxl_data(path: Path):
    import hxl
    from hxl.input import InputOptions

    return hxl.data(str(path), InputOptions(allow_local=True))


def test_hxl_csvs_read_by_libhxl_equal_the_csvs_below_the_tag_row(exported):
    root, descriptor, out = exported
    for res in descriptor["resources"]:
        header, rows = csv_rows(root, res)
        data = hxl_data(out / "hxl" / f"{res['name']}.csv")
        assert data.headers == header, res["name"]
        assert data.display_tags == table_tags(res), res["name"]
        assert [row.values for row in data] == rows, res["name"]


def test_hxl_csvs_pass_libhxls_default_schema(exported):
    import hxl

    root, descriptor, out = exported
    for res in descriptor["resources"]:
        report = hxl.validate(hxl_data(out / "hxl" / f"{res['name']}.csv"))
        assert report["is_valid"] and report["stats"]["total"] == 0, (res["name"], report["issues"][:3])


def test_libhxls_default_schema_catches_a_date_that_is_not_one(tmp_path):
    """The check above can fail: a #date column with a word in it is an error."""
    import hxl

    bad = tmp_path / "bad.csv"
    bad.write_text("reported_on\n#date+reported\nyesterday\n", encoding="utf-8")
    assert not hxl.validate(hxl_data(bad))["is_valid"]


@pytest.mark.parametrize("root", sorted(PACKAGES.values()), ids=sorted(PACKAGES))
def test_every_column_has_a_well_formed_hxl_tag_with_a_core_hashtag(root):
    for res in descriptor_of(root)["resources"]:
        tags = table_tags(res)
        assert len(set(tags)) == len(tags), f"{res['name']}: two columns share a tag"
        for field, tag in zip(res["schema"]["fields"], tags):
            assert HXL_TAG.match(tag), (res["name"], field["name"], tag)
            assert tag.split("+")[0] in HXL_CORE_HASHTAGS, (res["name"], field["name"], tag)


def test_the_tag_mapping_names_only_columns_that_exist():
    resources = descriptor_of(REPO_ROOT)["resources"]
    fields = {(r["name"], f["name"]) for r in resources for f in r["schema"]["fields"]}
    assert set(FIELD_TAGS) - fields == set()


def test_hxl_tags_follow_the_descriptors_keys():
    resources = {r["name"]: r for r in descriptor_of(REPO_ROOT)["resources"]}
    tags = {
        name: dict(zip([f["name"] for f in r["schema"]["fields"]], table_tags(r)))
        for name, r in resources.items()
    }
    assert tags["incidents"]["incident_id"] == "#event+code"
    assert tags["incidents"]["place_id"] == "#loc+code"
    assert tags["incidents"]["initiator_actor_id"] == "#group+code+initiator"
    assert tags["casualties"]["reported_on"] == "#date+reported"
    assert tags["places"]["latitude"] == "#geo+lat" and tags["places"]["longitude"] == "#geo+lon"


def test_a_column_without_a_tag_is_named(tmp_path):
    pkg = copy_package(tmp_path)
    d = descriptor_of(pkg)
    res = next(r for r in d["resources"] if r["name"] == "actors")
    res["schema"]["fields"].append({"name": "website", "type": "string"})
    with pytest.raises(UntaggedField, match=r"actors\.website has no HXL tag; add it to FIELD_TAGS"):
        table_tags(res)


# --- Refusals and atomicity ----------------------------------------------------------


def break_a_count(pkg: Path) -> None:
    path = pkg / "data" / "casualties.csv"
    text = path.read_text(encoding="utf-8")
    header, first, rest = text.split("\n", 2)
    cells = next(csv.reader([first]))
    cells[header.split(",").index("count_best")] = "-3"
    import io

    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    path.write_text(f"{header}\n{buffer.getvalue()}{rest}", encoding="utf-8")


def test_an_invalid_package_is_refused_and_earlier_exports_are_left_intact(tmp_path):
    pkg = copy_package(tmp_path)
    out = tmp_path / "out"
    export(pkg, out=out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    break_a_count(pkg)
    with pytest.raises(InvalidPackage):
        export(pkg, out=out)
    result = CliRunner().invoke(main, ["export", str(pkg), "--out", str(out)])
    assert result.exit_code == 2
    assert "the package is not valid, so nothing was exported" in result.output
    assert re.search(r"data/casualties\.csv:2:count_best: ", result.output), result.output
    assert "Traceback" not in result.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in out.iterdir()) == sorted(FORMATS)  # no temporary folder left


def test_a_failing_format_leaves_every_folder_as_it_was(tmp_path, monkeypatch):
    from syria_incidents import exports

    pkg = copy_package(tmp_path)
    out = tmp_path / "out"
    export(pkg, out=out, formats=["parquet"])
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def fail(*_):
        raise UntaggedField("actors.website has no HXL tag")

    monkeypatch.setitem(exports.WRITERS, "hxl", fail)
    with pytest.raises(UntaggedField):
        export(pkg, out=out, formats=["parquet", "hxl"], check=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert [p.name for p in out.iterdir()] == ["parquet"]


def test_the_export_command_writes_the_formats_asked_for(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["export", str(FIXTURE_ROOT), "--format", "hxl", "--format", "geojson", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["geojson", "hxl"]
    assert f"hxl: {len(descriptor_of(FIXTURE_ROOT)['resources'])} files in {out / 'hxl'}" in result.output


def test_an_unknown_format_is_an_error():
    with pytest.raises(ValueError, match="unknown export format 'xlsx'"):
        export(FIXTURE_ROOT, formats=["xlsx"], out="unused")
    result = CliRunner().invoke(main, ["export", "--format", "xlsx"])
    assert result.exit_code == 2 and "'xlsx' is not one of" in result.output
