"""Vocabulary values the rules rely on by name agree with datapackage.json, the one source
of the vocabularies: renaming one in the descriptor alone fails validation and these tests."""

from __future__ import annotations

import json

import pytest
from validate_helpers import REPO_ROOT, copy_package

from syria_incidents.package import read_descriptor
from syria_incidents.validators import validate
from syria_incidents.validators.catalogue import all_rules
from syria_incidents.validators.relations import ANY, BROADER, GROUP_COLUMNS
from syria_incidents.validators.schemas import QUALIFIER_SHAPES
from syria_incidents.validators.vocabulary import enum_of, vocabulary_gaps
from syria_incidents.versions.words import QUALIFIER_WORDS


def _enum(root, table, column):
    return enum_of(read_descriptor(root), table, column)


@pytest.mark.parametrize("root", [REPO_ROOT, None], ids=["bundled", "fixture-0.1.0"])
def test_rules_rely_only_on_values_the_descriptor_lists(root, fixture_root):
    descriptor = read_descriptor(root or fixture_root)
    assert vocabulary_gaps(descriptor, list(all_rules().values())) == []


def test_every_qualifier_has_exactly_one_shape_and_one_wording():
    qualifiers = _enum(REPO_ROOT, "casualties", "qualifier")
    assert sorted(QUALIFIER_SHAPES) == sorted(qualifiers)
    assert sorted(QUALIFIER_WORDS) == sorted(qualifiers)


def test_group_values_the_subtotal_rule_names_are_in_each_vocabulary():
    for column in GROUP_COLUMNS:
        values = _enum(REPO_ROOT, "casualties", column)
        assert ANY in values
        for broad, narrow in BROADER.get(column, {}).items():
            assert {broad, *narrow} <= set(values)


def _rename(root, table, column, old, new):
    path = root / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    res = next(r for r in descriptor["resources"] if r["name"] == table)
    field = next(f for f in res["schema"]["fields"] if f["name"] == column)
    field["constraints"]["enum"] = [new if v == old else v for v in field["constraints"]["enum"]]
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    "table, column, old, rule",
    [
        ("casualties", "qualifier", "at_least", "qualifier-matches-bounds"),
        ("casualties", "sex", "any", "subtotal-group-narrower"),
        ("casualties", "victim_group", "combatants_unspecified", "subtotal-group-narrower"),
    ],
)
def test_renaming_a_value_in_a_scratch_descriptor_fails(tmp_path, table, column, old, rule):
    root = copy_package(tmp_path)
    _rename(root, table, column, old, old + "_renamed")
    gaps = vocabulary_gaps(read_descriptor(root), list(all_rules().values()))
    assert any(rule in gap and repr(old) in gap for gap in gaps), gaps
    report = validate(root)
    assert not report.valid
    assert any(
        f.rule == "descriptor" and rule in f.message and repr(old) in f.message for f in report.errors
    )
