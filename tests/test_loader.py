"""Every table loads with the dtypes its descriptor declares.

The bundled data is passed explicitly (``REPO_ROOT``): without a path, ``load`` reads
the package of the current directory, which would tie these tests to where pytest
runs. Values of one release are checked on the frozen 0.1.0 fixture.
"""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest
from validate_helpers import FIXTURE_ROOT, REPO_ROOT

import syria_incidents as si
from syria_incidents.package import bundled_root, read_descriptor

TABLES = ["sources", "actors", "places", "incidents", "casualties", "statements"]


def test_tables_and_version_come_from_the_descriptor():
    assert si.tables(REPO_ROOT) == TABLES
    assert si.tables(FIXTURE_ROOT) == TABLES
    assert si.__version__ == read_descriptor(bundled_root())["version"]
    assert si.descriptor(FIXTURE_ROOT)["version"] == "0.1.0"


def test_descriptor_returns_a_copy_callers_cannot_corrupt():
    si.descriptor(REPO_ROOT)["version"] = "9.9.9"
    assert si.descriptor(REPO_ROOT)["version"] != "9.9.9"


def test_without_a_path_outside_any_package_the_bundled_copy_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert si.descriptor() == si.descriptor(bundled_root())
    assert si.load("sources").equals(si.load("sources", bundled_root()))


@pytest.mark.parametrize("table", TABLES)
def test_table_loads_with_declared_dtypes(table):
    frame = si.load(table, REPO_ROOT)
    fields = next(r for r in si.descriptor(REPO_ROOT)["resources"] if r["name"] == table)["schema"]["fields"]
    assert list(frame.columns) == [f["name"] for f in fields]
    assert len(frame) > 0
    for field in fields:
        dtype = frame[field["name"]].dtype
        enum = field.get("constraints", {}).get("enum")
        if enum:
            assert isinstance(dtype, pd.CategoricalDtype), field["name"]
            assert list(dtype.categories) == enum
        elif field["type"] == "integer":
            assert dtype == "Int64", field["name"]
        elif field["type"] == "number":
            assert dtype == "Float64", field["name"]
        elif field["type"] == "date":
            assert pd.api.types.is_datetime64_dtype(dtype), field["name"]
        else:
            assert dtype == "string", field["name"]


def test_unknown_counts_stay_missing_never_zero():
    figures = si.load("casualties", FIXTURE_ROOT).set_index("figure_id")
    assert figures.loc["F-0001", "count_best"] == 240
    assert pd.isna(figures.loc["F-0001", "count_high"])
    assert figures.loc["F-0001", "reported_on"] == pd.Timestamp("2025-03-07")


@pytest.mark.parametrize("table", TABLES)
def test_polars_engine_agrees_with_pandas(table):
    frame = si.load(table, REPO_ROOT, engine="polars")
    assert isinstance(frame, pl.DataFrame)
    assert frame.columns == list(si.load(table, REPO_ROOT).columns)
    assert frame.height == len(si.load(table, REPO_ROOT))


@pytest.mark.parametrize("root", [REPO_ROOT, FIXTURE_ROOT], ids=["bundled", "fixture-0.1.0"])
def test_load_all_returns_every_table(root):
    frames = si.load_all(root)
    assert list(frames) == TABLES
    assert all(len(f) for f in frames.values())


def test_unknown_table_names_the_tables_there_are():
    with pytest.raises(KeyError, match="casualties"):
        si.load("casualty", FIXTURE_ROOT)


def test_load_reads_another_package_directory(package_copy):
    text = (package_copy / "data" / "sources.csv").read_text(encoding="utf-8")
    (package_copy / "data" / "sources.csv").write_text(
        text.replace("The Guardian", "The Observer"), encoding="utf-8"
    )
    assert si.load("sources", path=package_copy)["publisher"].tolist() == ["The Observer"]


def test_citation_names_title_version_and_licence():
    text = si.citation(FIXTURE_ROOT)
    assert "0.1.0" in text and "CC-BY-4.0" in text and si.descriptor(FIXTURE_ROOT)["title"] in text
    bundled = si.descriptor(REPO_ROOT)
    assert bundled["version"] in si.citation(REPO_ROOT) and bundled["title"] in si.citation(REPO_ROOT)
