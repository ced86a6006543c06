"""Mistakes found by trying contributions nobody on the team had seen (a red-team pass).

Each test builds the broken copy the way a contributor would, then checks the
exit code, the file, line and rule, and that nothing else leaks out.
"""

from __future__ import annotations

import csv
import json
import os

import pytest
from click.testing import CliRunner
from validate_helpers import append, copy_package, edit, read_rows, write_raw, write_rows

from syria_incidents import load
from syria_incidents.cli import main
from syria_incidents.package import UnsafePath
from syria_incidents.validators import validate


def _cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _point_actors_at(root, path: str) -> None:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    next(r for r in descriptor["resources"] if r["name"] == "actors")["path"] = path
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")


@pytest.mark.parametrize("path", ["../../../../etc/passwd", "/etc/passwd", "data/../../x.csv", "~/x.csv"])
def test_a_path_outside_the_package_is_refused_unread(tmp_path, path):
    root = copy_package(tmp_path)
    _point_actors_at(root, path)
    result = _cli("validate", root)
    assert result.exit_code == 2, result.output
    assert "is not safe" in result.output and "root:" not in result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("package: ") and len(lines) == 3  # the package, the finding and the summary
    with pytest.raises(UnsafePath):
        load("actors", root)
    stamped = _cli("stamp", root)
    assert stamped.exit_code == 2 and "is not safe" in stamped.output and "Traceback" not in stamped.output


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_a_data_file_that_links_outside_the_package_is_refused(tmp_path):
    root = copy_package(tmp_path)
    outside = tmp_path / "secret.csv"
    outside.write_text("actor_id,name\nA-0001,secret\n", encoding="utf-8")
    (root / "data" / "actors.csv").unlink()
    (root / "data" / "actors.csv").symlink_to(outside)
    result = _cli("validate", root)
    assert (
        result.exit_code == 2 and "link to a file outside" in result.output and "secret" not in result.output
    )


def test_stamp_names_a_missing_file_without_a_traceback(tmp_path):
    root = copy_package(tmp_path)
    (root / "data" / "statements.csv").unlink()
    result = _cli("stamp", root)
    assert result.exit_code == 2  # could not run at all
    assert "data/statements.csv does not exist" in result.output and "Traceback" not in result.output


def test_a_file_saved_with_semicolons_gets_one_finding_that_says_so(tmp_path):
    root = copy_package(tmp_path)
    rows = list(csv.reader((root / "data" / "sources.csv").open(encoding="utf-8", newline="")))
    with (root / "data" / "sources.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows(rows)
    from syria_incidents.stamp import stamp

    stamp(root)
    report = validate(root)
    assert report.flatten(["path", "row", "rule"]) == [["data/sources.csv", 1, "header"]]
    assert "semicolons" in report.errors[0].message


def test_an_undecodable_file_gets_one_finding_and_no_cascade(tmp_path):
    root = copy_package(tmp_path)
    write_raw(root, "places", os.urandom(4096).replace(b"\xef\xbb\xbf", b"xyz"))
    found = validate(root).flatten(["path", "rule"])
    assert ["data/places.csv", "encoding"] in found
    assert not any(rule == "foreign-key" for _path, rule in found)  # no fallout in incidents.csv
    assert all(path == "data/places.csv" for path, _rule in found)


def test_a_windows_line_end_anywhere_is_an_error_at_its_line(tmp_path):
    root = copy_package(tmp_path)
    lines = (root / "data" / "actors.csv").read_bytes().split(b"\n")
    lines[9] += b"\r"
    write_raw(root, "actors", b"\n".join(lines))
    report = validate(root)
    assert not report.valid  # git stores LF: the recorded hash would not match in CI
    assert report.flatten(["path", "row", "rule", "severity"]) == [
        ["data/actors.csv", 10, "line-endings", "error"]
    ]
    assert "CR LF" in report.errors[0].message


def test_old_mac_line_ends_are_named_as_such(tmp_path):
    root = copy_package(tmp_path)
    data = (root / "data" / "sources.csv").read_bytes()
    write_raw(root, "sources", data.replace(b"\n", b"\r"))
    [finding] = [f for f in validate(root).errors if f.rule == "line-endings"]
    assert finding.row == 1 and "old Mac" in finding.message


def test_parts_near_the_64_bit_limit_do_not_wrap_around_to_a_small_sum(tmp_path):
    root = copy_package(tmp_path)
    huge = 5_000_000_000_000_000_000
    for figure in ("F-0002", "F-0003"):  # both parts of F-0001 (240)
        edit(root, "casualties", figure, count_low=huge, count_best=huge, count_high=huge, restamp=False)
    edit(root, "casualties", "F-0001", restamp=True)
    found = validate(root).flatten(["path", "row", "rule"])
    assert ["data/casualties.csv", 2, "subtotals-within-total"] in found


def test_a_whole_number_too_large_to_store_says_so(tmp_path):
    root = copy_package(tmp_path)
    line = edit(root, "casualties", "F-0005", count_best=2**63)
    [finding] = [f for f in validate(root).errors if f.row == line and f.rule == "type"]
    assert "too large" in finding.message and "whole number such as 42" not in finding.message


def test_a_revision_message_names_each_figure(tmp_path):
    root = copy_package(tmp_path)
    rows = read_rows(root, "casualties")
    old = next(r for r in rows if r["figure_id"] == "F-0005")
    reporter = next(
        r["reported_by_actor_id"] for r in rows if r["reported_by_actor_id"] != old["reported_by_actor_id"]
    )
    line = append(
        root,
        "casualties",
        **{
            **old,
            "figure_id": "F-0099",
            "supersedes_figure_id": "F-0005",
            "parent_figure_id": "",
            "reported_by_actor_id": reporter,
        },
    )
    [finding] = [f for f in validate(root).errors if f.rule == "revision-earlier-same-reporter"]
    assert finding.row == line
    assert f"F-0005 is reported by {old['reported_by_actor_id']} but F-0099 by {reporter}" in finding.message


def test_a_line_break_in_a_value_stays_inside_one_line_of_text_output(tmp_path):
    root = copy_package(tmp_path)
    edit(root, "casualties", "F-0004", outcome="killed\n::error file=README.md,line=1::injected")
    result = _cli("validate", root)
    assert result.exit_code == 1
    assert not any(line.startswith("::error") for line in result.output.splitlines())
    assert "killed\\n::error" in result.output


def test_foreign_key_messages_use_the_right_article(tmp_path):
    root = copy_package(tmp_path)
    edit(root, "casualties", "F-0004", incident_id="I-9999")
    [finding] = [f for f in validate(root).errors if f.rule == "foreign-key"]
    assert "is not an incident_id in data/incidents.csv" in finding.message


def test_a_required_message_stays_short(tmp_path):
    root = copy_package(tmp_path)
    rows = read_rows(root, "incidents")
    rows[0]["title"] = ""
    write_rows(root, "incidents", rows)
    [finding] = [f for f in validate(root).errors if f.rule == "required"]
    assert len(finding.message) < 220
