"""The changelog section in words, written from the diff, and the CLI commands around it."""

from __future__ import annotations

import json

from click.testing import CliRunner
from test_versions import figure, make_repo

from syria_incidents.cli import main
from syria_incidents.versions import changelog_section, diff_versions, load_version, write_changelog

SECTION = """## 0.2.0 (2025-03-10)

A minor release: changes since 0.1.0.

| table | added | removed | changed |
| --- | ---: | ---: | ---: |
| actors | 1 | 0 | 0 |
| casualties | 2 | 0 | 2 |

### actors

- A-0101 added: Test monitor (TM)

### casualties

- F-0101 added: at least 50 killed, civilians, in I-0012 (TM, 2025-03-08)
- F-0102 added: about 131 killed, civilians, in I-0012 (SNHR, 2025-03-09); revises F-0004: count_best 125 → 131
- F-0005 notes edited (SNHR, corrected)
- F-0007 count_low, count_best, count_high 10 → 11 (SNHR, revised)
"""


def contribute(repo) -> None:
    """A realistic contribution: a claim from another monitor, a revised figure, two corrections."""
    repo.add("actors", actor_id="A-0101", name="Test monitor (TM)", actor_type="monitor")
    repo.add(
        "casualties",
        **figure(
            figure_id="F-0101",
            incident_id="I-0012",
            victim_group="civilians",
            sex="any",
            age_group="any",
            count_low="50",
            count_best="50",
            count_high="",
            qualifier="at_least",
            reported_by_actor_id="A-0101",
        ),
    )
    repo.add(
        "casualties",
        **figure(
            figure_id="F-0102",
            incident_id="I-0012",
            victim_group="civilians",
            sex="any",
            age_group="any",
            count_low="",
            count_best="131",
            count_high="",
            qualifier="about",
            reported_on="2025-03-09",
            supersedes_figure_id="F-0004",
        ),
    )
    repo.edit(
        "casualties", "F-0005", notes="The source names no perpetrator; reported_on is the article's date."
    )
    repo.edit("casualties", "F-0007", count_low="11", count_best="11", count_high="11")
    repo.set_version("0.2.0")


def test_changelog_section_says_each_change_in_words(tmp_path):
    repo = make_repo(tmp_path)
    contribute(repo)
    diff = diff_versions(load_version("HEAD", repo=repo.root), load_version(repo.root))
    assert changelog_section(diff, date="2025-03-10") == SECTION


def test_changelog_for_removals_and_schema_changes(tmp_path):
    repo = make_repo(tmp_path)
    repo.delete("casualties", "F-0006")
    d = repo.descriptor
    repo.field(d, "casualties", "manner")["constraints"]["enum"].append("shooting")
    repo.write_descriptor(d)
    repo.set_version("1.0.0")
    diff = diff_versions(load_version("HEAD", repo=repo.root), load_version(repo.root))
    section = changelog_section(diff, date="2025-04-01")
    assert section.splitlines()[2] == "A major release: changes since 0.1.0."
    assert section.split("### casualties\n\n")[1] == (
        "- Column manner vocabulary values added: shooting\n"
        "- F-0006 removed (was: 8 killed, unknown, in I-0016 (The Guardian, 2025-03-07))\n"
    )


def test_write_changelog_adds_on_top_and_replaces_the_same_version(tmp_path):
    path = tmp_path / "CHANGELOG.md"
    path.write_text("# Changelog\n\nIntro.\n\n## 0.1.0 (2025-03-07)\n\nFirst release.\n", encoding="utf-8")
    assert write_changelog(path, "## 0.2.0 (2025-03-10)\n\nOne.\n") == "added"
    assert write_changelog(path, "## 0.2.0 (2025-03-11)\n\nTwo.\n") == "replaced"
    assert path.read_text(encoding="utf-8") == (
        "# Changelog\n\nIntro.\n\n## 0.2.0 (2025-03-11)\n\nTwo.\n\n## 0.1.0 (2025-03-07)\n\nFirst release.\n"
    )


def test_cli_check_version_fails_naming_the_records(tmp_path):
    repo = make_repo(tmp_path)
    contribute(repo)
    repo.set_version("0.1.1")
    result = CliRunner().invoke(main, ["check-version", "--base", "HEAD", str(repo.root)])
    assert result.exit_code == 1
    assert (
        "error: datapackage.json: version 0.1.1 is only a patch bump from 0.1.0, but the changes "
        "need a minor "
        "bump (version 0.2.0 or higher), because of actors: records added: A-0101; "
        "casualties: records added: F-0101, F-0102"
    ) in result.output
    github = CliRunner().invoke(
        main, ["check-version", "--base", "HEAD", "--format", "github", str(repo.root)]
    )
    assert (
        "::error file=datapackage.json,title=check-version::datapackage.json: version 0.1.1" in github.output
    )
    repo.set_version("0.2.0")
    ok = CliRunner().invoke(main, ["check-version", "--base", "HEAD", str(repo.root)])
    assert ok.exit_code == 0 and ok.output.endswith("ok\n")


def test_cli_check_version_bad_ref_exits_2(tmp_path):
    repo = make_repo(tmp_path)
    result = CliRunner().invoke(main, ["check-version", "--base", "origin/nowhere", str(repo.root)])
    assert result.exit_code == 2
    assert "'origin/nowhere' is not a package directory" in result.output
    assert "Traceback" not in result.output


def test_cli_diff_json_and_markdown(tmp_path, monkeypatch):
    repo = make_repo(tmp_path)
    contribute(repo)
    monkeypatch.chdir(repo.root)
    result = CliRunner().invoke(main, ["diff", "HEAD", ".", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    casualties = next(t for t in data["tables"] if t["name"] == "casualties")
    assert casualties["counts"] == {"added": 2, "removed": 0, "changed": 2}
    assert casualties["changed"][1] == {
        "id": "F-0007",
        "line": 8,
        "changes": [
            {"field": "count_low", "old": "10", "new": "11"},
            {"field": "count_best", "old": "10", "new": "11"},
            {"field": "count_high", "old": "10", "new": "11"},
        ],
    }
    assert data["bump"]["needed"] == "minor"
    md = CliRunner().invoke(main, ["diff", "HEAD", "--format", "markdown"]).output
    assert "| F-0007 | count_best | 10 | 11 |" in md
    assert "- F-0007 count_low, count_best, count_high 10 → 11 (SNHR, revised)" in md


def test_cli_changelog_writes_and_prints(tmp_path):
    repo = make_repo(tmp_path)
    contribute(repo)
    printed = CliRunner().invoke(
        main, ["changelog", "--base", "HEAD", "--date", "2025-03-10", "--output", "-", str(repo.root)]
    )
    assert printed.exit_code == 0 and printed.stdout == SECTION  # the package it read is named on stderr
    assert printed.stderr.startswith("package: ")
    written = CliRunner().invoke(
        main, ["changelog", "--base", "HEAD", "--date", "2025-03-10", str(repo.root)]
    )
    assert written.exit_code == 0, written.output
    text = (repo.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert text.startswith("# Changelog\n") and text.endswith(SECTION)


def test_every_versions_command_is_documented_with_its_example(repo_root):
    from syria_incidents.cli.versions import COMMANDS

    docs = (repo_root / "docs" / "versions.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"## `syria-incidents {command.name}" in docs, command.name
        example = command.help.rsplit("Example: ", 1)[1].strip()
        assert example.startswith(f"syria-incidents {command.name}"), example
