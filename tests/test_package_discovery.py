"""Which package a command acts on, as git finds its repository; and the extras it needs."""

from __future__ import annotations

import importlib.util
import json

import pytest
from click.testing import CliRunner
from validate_helpers import copy_package, edit, line_of

import syria_incidents as si
from syria_incidents.cli import main
from syria_incidents.package import bundled_root, find_package


def run(args, cwd, monkeypatch):
    monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, args)


def test_validate_without_path_checks_the_package_it_stands_in(tmp_path, monkeypatch):
    root = copy_package(tmp_path)
    edit(root, "casualties", "F-0002", count_low=230, count_best=230, count_high=230)
    (root / "data" / "deeper").mkdir()
    result = run(["validate"], root / "data" / "deeper", monkeypatch)
    assert result.exit_code == 1, result.output
    assert f"package: {root} (version " in result.output
    assert (
        f"data/casualties.csv:{line_of(root, 'casualties', 'F-0001')}:count_best: subtotals-within-total"
        in result.output
    )


def test_stamp_without_path_stamps_the_package_it_stands_in(tmp_path, monkeypatch):
    root = copy_package(tmp_path)
    edit(root, "actors", "A-0001", restamp=False, description="Edited by a contributor.")
    result = run(["stamp"], root, monkeypatch)
    assert result.exit_code == 0 and "data/actors.csv:" in result.output, result.output
    assert "current" not in result.output
    assert run(["stamp"], root, monkeypatch).output.endswith("bytes and hashes are current\n")


def test_outside_any_package_reading_falls_back_and_writing_refuses(tmp_path, monkeypatch):
    result = run(["validate"], tmp_path, monkeypatch)
    assert (
        f"package: {bundled_root()}" in result.output
        or f"installed copy at {bundled_root()}" in result.output
    )
    for command in (["stamp"], ["fix"], ["metadata"], ["changelog", "--base", "HEAD"]):
        refused = run(command, tmp_path, monkeypatch)
        assert refused.exit_code == 2, (command, refused.output)
        assert "no datapackage.json in" in refused.output and "Traceback" not in refused.output


def test_commands_that_write_refuse_an_installed_copy(tmp_path, monkeypatch):
    installed = tmp_path / "site-packages" / "syria_incidents" / "_package"
    root = copy_package(tmp_path)
    root.rename(installed.parent.parent.mkdir(parents=True) or installed.parent.mkdir() or installed)
    for command in (["stamp"], ["fix"], ["metadata"]):
        refused = run([*command, str(installed)], tmp_path, monkeypatch)
        assert refused.exit_code == 2 and "installed with the syria-incidents package" in refused.output


def test_every_command_names_the_package_and_its_version(tmp_path, monkeypatch):
    root = copy_package(tmp_path)
    version = json.loads((root / "datapackage.json").read_text())["version"]
    for command in (["info"], ["validate"], ["stamp"], ["fix"]):
        result = run(command, root, monkeypatch)
        assert f"{root} (version {version})" in result.output or f"version:  {version}" in result.output, (
            command
        )
        assert str(root) in result.output, command


def test_load_reads_a_contributors_clone_but_not_an_unrelated_package(tmp_path, monkeypatch):
    root = copy_package(tmp_path)
    rows = len(si.load("actors", root))
    edit(root, "actors", "A-0001", name="Renamed in the clone")
    monkeypatch.chdir(root / "data")
    assert si.load("actors").set_index("actor_id").loc["A-0001", "name"] == "Renamed in the clone"
    other = tmp_path / "other"
    other.mkdir()
    (other / "datapackage.json").write_text(json.dumps({"name": "someone-else", "resources": []}))
    monkeypatch.chdir(other)
    assert find_package() == other
    assert len(si.load("actors")) == len(si.load("actors", bundled_root()))
    assert rows >= 1


@pytest.mark.parametrize(
    "command, extra",
    [
        (["validate"], "validate"),
        (["rules"], "validate"),
        (["build"], "datasette"),
        (["serve"], "datasette"),
        (["fix"], "datasette"),
    ],
)
def test_a_missing_extra_is_named_with_exit_2(command, extra, tmp_path, monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name in ("polars", "datasette") else real(name, *a),
    )
    result = run(command, tmp_path, monkeypatch)
    assert result.exit_code == 2, result.output
    assert f'pip install "syria-incidents[{extra}]"' in result.output
    assert "Traceback" not in result.output
