"""The descriptor is complete, and the official frictionless validator accepts the package."""

from __future__ import annotations

import json
import re

import pytest
from frictionless import Package

from syria_incidents.stamp import stale_resources

ID_FIELD = re.compile(r"_id$")


@pytest.fixture(scope="module")
def descriptor(repo_root):
    return json.loads((repo_root / "datapackage.json").read_text(encoding="utf-8"))


def test_frictionless_validates_the_package_with_zero_errors(repo_root):
    report = Package(str(repo_root / "datapackage.json")).validate()
    flat = report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])
    assert report.valid, flat
    assert report.stats["errors"] == 0


def test_package_is_data_package_v2_with_metadata(descriptor):
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    for key in (
        "name",
        "title",
        "description",
        "version",
        "licenses",
        "sources",
        "contributors",
        "keywords",
    ):
        assert descriptor.get(key), key
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert re.fullmatch(r"\d+\.\d+\.\d+", descriptor["version"])


def test_the_six_tables_of_the_contract_are_there(descriptor):
    names = [r["name"] for r in descriptor["resources"]]
    assert names == ["sources", "actors", "places", "incidents", "casualties", "statements"]


@pytest.mark.parametrize("index", range(6))
def test_every_field_is_described_typed_and_constrained(descriptor, index):
    res = descriptor["resources"][index]
    assert res["encoding"] == "utf-8"
    assert res["hash"].startswith("sha256:") and isinstance(res["bytes"], int)
    schema = res["schema"]
    assert len(schema["primaryKey"]) == 1
    pk = schema["primaryKey"][0]
    for field in schema["fields"]:
        assert field.get("description"), (res["name"], field["name"])
        assert field.get("type") in {"string", "integer", "number", "date"}, field["name"]
        constraints = field.get("constraints", {})
        if field["name"] == pk:
            assert constraints.get("required") and constraints.get("unique") and constraints.get("pattern")
        elif ID_FIELD.search(field["name"]):
            # Every reference is a declared foreign key with an id pattern.
            assert constraints.get("pattern"), field["name"]
            declared = [fk["fields"] for fk in schema["foreignKeys"]]
            assert [field["name"]] in declared, f"{res['name']}.{field['name']} has no foreignKey"
        if field["type"] == "integer":
            assert constraints.get("minimum") == 0, field["name"]


def test_every_vocabulary_is_an_enum_with_each_value_documented(descriptor):
    vocabularies = 0
    for res in descriptor["resources"]:
        for field in res["schema"]["fields"]:
            enum = field.get("constraints", {}).get("enum")
            if enum is None:
                continue
            vocabularies += 1
            assert list(field["x-vocabulary"]) == enum, field["name"]
            assert all(field["x-vocabulary"][value] for value in enum)
    assert vocabularies >= 18


def test_self_references_are_foreign_keys(descriptor):
    expected = {
        "actors": "parent_actor_id",
        "places": "parent_place_id",
        "incidents": "parent_incident_id",
        "casualties": "parent_figure_id",
    }
    for res in descriptor["resources"]:
        if res["name"] in expected:
            self_keys = [
                fk["fields"][0] for fk in res["schema"]["foreignKeys"] if "resource" not in fk["reference"]
            ]
            assert expected[res["name"]] in self_keys


def test_bytes_and_hashes_are_current(repo_root):
    stale = stale_resources(repo_root)
    assert not stale, "run `syria-incidents stamp`: " + ", ".join(s.path for s in stale)


# The descriptor of tests/fixtures/package-0.1.0, which records every CSV's sha256: the
# fixture is release 0.1.0 as published, and tests name its ids, values and lines.
FIXTURE_DESCRIPTOR_SHA256 = "1fee199f6cad09d1e4baa1fa462bda386df3a1021eae3de110436e79e72d43a0"


def test_the_0_1_0_fixture_is_frozen(fixture_root):
    """Never edit the fixture to make a test pass: copy it (package_copy) and change the copy."""
    import hashlib

    descriptor_bytes = (fixture_root / "datapackage.json").read_bytes()
    assert hashlib.sha256(descriptor_bytes).hexdigest() == FIXTURE_DESCRIPTOR_SHA256
    assert json.loads(descriptor_bytes)["version"] == "0.1.0"
    assert stale_resources(fixture_root) == []  # and so every CSV is byte for byte release 0.1.0


def test_stale_hash_is_detected_and_stamp_repairs_it(package_copy):
    from syria_incidents.stamp import stamp

    assert stale_resources(package_copy) == []
    text = (package_copy / "data" / "actors.csv").read_text(encoding="utf-8")
    (package_copy / "data" / "actors.csv").write_text(
        text.replace("UN special envoy", "UN Special Envoy"), encoding="utf-8"
    )
    stale = stale_resources(package_copy)
    assert [s.resource for s in stale] == ["actors"]
    assert stale[0].recorded.hash != stale[0].actual.hash
    assert [s.resource for s in stamp(package_copy)] == ["actors"]
    assert stale_resources(package_copy) == []
    assert Package(str(package_copy / "datapackage.json")).validate().valid
