"""The benchmark's synthetic-package generator writes valid packages, reproducibly."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import frictionless
import polars as pl
import pytest

from syria_incidents.validators import validate

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"


def _load_generator():
    spec = importlib.util.spec_from_file_location("benchmarks_generate", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate = _load_generator()


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    root = tmp_path_factory.mktemp("synthetic")
    counts = generate.generate_package(root, 400, seed=7)
    return root, counts


def test_counts_match_the_files(package):
    root, counts = package
    for name, count in counts.items():
        frame = pl.read_csv(root / "data" / f"{name}.csv", infer_schema=False)
        assert frame.height == count, name
    assert counts["incidents"] == 400 and counts["statements"] == 400
    assert 2.5 <= counts["casualties"] / counts["incidents"] <= 3.5


def test_package_has_the_structures_the_rules_are_about(package):
    root, _ = package
    figures = pl.read_csv(root / "data" / "casualties.csv", infer_schema=False)
    incidents = pl.read_csv(root / "data" / "incidents.csv", infer_schema=False)
    places = pl.read_csv(root / "data" / "places.csv", infer_schema=False)
    parts = figures.filter(pl.col("parent_figure_id").is_not_null())
    assert parts.height > 100, "subtotal trees"
    assert parts["parent_figure_id"].value_counts()["count"].max() == 2, "totals with two parts"
    assert figures["supersedes_figure_id"].drop_nulls().len() > 50, "revisions"
    children = incidents.filter(pl.col("parent_incident_id").is_not_null())
    assert children.height > 50, "incident hierarchies"
    grandchildren = children.filter(pl.col("parent_incident_id").is_in(children["incident_id"].implode()))
    assert grandchildren.height > 0, "three-level incident trees"
    assert places["latitude"].drop_nulls().len() > 10, "places with coordinates"


def test_frictionless_finds_it_valid(package):
    root, _ = package
    report = frictionless.validate(str(root / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:20]


def test_our_validator_finds_it_clean(package):
    root, _ = package
    report = validate(root)
    assert report.errors == [], "\n".join(str(f) for f in report.errors[:20])


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    generate.generate_package(tmp_path / "a", 50, seed=1)
    generate.generate_package(tmp_path / "b", 50, seed=1)
    generate.generate_package(tmp_path / "c", 50, seed=2)
    a, b, c = ((tmp_path / d / "data" / "casualties.csv").read_bytes() for d in "abc")
    assert a == b
    assert a != c


def test_command_line(tmp_path, capsys):
    assert generate.main(["--incidents", "30", "--out", str(tmp_path / "pkg"), "--seed", "3"]) == 0
    assert "incidents 30" in capsys.readouterr().out
    assert validate(tmp_path / "pkg").valid


@pytest.mark.parametrize("incidents", [1, 2, 7])
def test_tiny_packages_are_valid(tmp_path, incidents):
    counts = generate.generate_package(tmp_path, incidents, seed=incidents)
    assert counts["incidents"] == incidents
    report = validate(tmp_path)
    assert report.errors == [], "\n".join(str(f) for f in report.errors)
