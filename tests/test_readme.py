"""The README's claims about the data stay true, whatever the release."""

from __future__ import annotations

import csv
import json
import re

# The coverage sentence's nouns, per table (singular, plural).
NOUNS = {
    "sources": ("source", "sources"),
    "incidents": ("incident", "incidents"),
    "casualties": ("casualty figure", "casualty figures"),
    "statements": ("statement", "statements"),
    "actors": ("actor", "actors"),
    "places": ("place", "places"),
}


def _records(path) -> int:
    with open(path, encoding="utf-8", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def test_readme_coverage_counts_match_the_data(repo_root):
    """Counted here from the CSVs with the csv module, independently of the generator
    (`syria-incidents fix` rewrites the section; test_fix.py compares it whole)."""
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    descriptor = json.loads((repo_root / "datapackage.json").read_text(encoding="utf-8"))
    match = re.search(r"\*\*Coverage of this release\.\*\* ([^\n]*)\.\n", text)
    assert match, "README lost its coverage sentence"
    stated = {}
    for part in match.group(1).split(", "):
        number, noun = part.split(" ", 1)
        table = next(t for t, forms in NOUNS.items() if noun in forms)
        stated[table] = int(number)
    actual = {
        res["name"]: _records(repo_root / res["path"])
        for res in descriptor["resources"]
        if res["name"] in NOUNS
    }
    assert stated == actual, "README coverage counts are stale: run `syria-incidents fix`"


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
