"""The README's claims about the data stay true."""

from __future__ import annotations

import re

import syria_incidents as si


def test_readme_coverage_counts_match_the_data(repo_root):
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    match = re.search(
        r"(\d+) incidents, (\d+) casualty figures, (\d+) statements, (\d+) actors, (\d+) places", text
    )
    assert match, "README lost its coverage sentence"
    stated = [int(n) for n in match.groups()]
    actual = [len(si.load(t)) for t in ("incidents", "casualties", "statements", "actors", "places")]
    assert stated == actual


def test_readme_setup_is_the_two_make_commands_ci_runs(repo_root):
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    block = text.split("## Set-up", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in block.strip().splitlines()]
    assert commands == ["make serve", "make test"]
    assert "make test" in (repo_root / ".ci" / "run").read_text(encoding="utf-8")


def test_every_cli_command_is_in_the_readme(repo_root):
    from syria_incidents.cli import main

    text = (repo_root / "README.md").read_text(encoding="utf-8")
    table = text.split("## Command line", 1)[1]
    missing = [name for name in main.commands if f"`syria-incidents {name}" not in table]
    assert not missing, f"commands missing from the README's command table: {missing}"
