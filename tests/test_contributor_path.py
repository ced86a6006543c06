"""The contributor's path, run as CONTRIBUTING.md writes it, on a scratch clone.

A contribution (a new source and a new figure, saved by a spreadsheet with a BOM and
Windows line ends), a minor version bump, then the steps of CONTRIBUTING.md as written:
`fix`, `validate`, `check-version`, `changelog`, commit. The result must validate,
pass check-version, validate again in a fresh clone (git's eol=lf must not change a
byte), and pass the tests that read the bundled data. Nothing here depends on how
many rows the release has or on its version.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SCRIPTS = Path(sys.executable).parent
GIT_ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Contributor",
    "GIT_AUTHOR_EMAIL": "c@example.org",
    "GIT_COMMITTER_NAME": "Contributor",
    "GIT_COMMITTER_EMAIL": "c@example.org",
}


def steps(repo_root: Path) -> list[str]:
    """The command lines of CONTRIBUTING.md's steps block, comments kept as '#' markers."""
    text = (repo_root / "CONTRIBUTING.md").read_text(encoding="utf-8")
    block = text.split("<!-- steps:start", 1)[1].split("<!-- steps:end -->", 1)[0]
    body = block.split("```sh", 1)[1].split("```", 1)[0]
    lines = []
    for line in body.strip().splitlines():
        if line.startswith("#"):
            lines.append(line)
        else:
            lines.append(re.sub(r"\s+#.*$", "", line).strip())
    return lines


def sh(command: str, cwd: Path) -> subprocess.CompletedProcess:
    # The venv's scripts first on PATH: `syria-incidents` is the one this test suite runs.
    env = {**GIT_ENV, "PATH": f"{SCRIPTS}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def next_id(rows: list[dict], key: str) -> str:
    prefix = rows[0][key].rsplit("-", 1)[0]
    return f"{prefix}-{max(int(r[key].rsplit('-', 1)[1]) for r in rows) + 1:04d}"


def rows_of(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames), list(reader)


def spreadsheet_write(path: Path, header: list[str], rows: list[dict]) -> None:
    """Write a table as a spreadsheet saves "CSV UTF-8": BOM and CR LF line ends."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))


def contribute(clone: Path) -> tuple[str, str]:
    """Add a source and a figure citing it, copied from a standalone figure; returns their ids."""
    s_header, sources = rows_of(clone / "data" / "sources.csv")
    f_header, figures = rows_of(clone / "data" / "casualties.csv")
    base = next(f for f in figures if not f["parent_figure_id"] and not f["supersedes_figure_id"])
    cited = next(s for s in sources if s["source_id"] == base["source_id"])
    source_id, figure_id = next_id(sources, "source_id"), next_id(figures, "figure_id")
    sources.append(
        {
            **cited,
            "source_id": source_id,
            "title": "A contributor's new source",
            "url": "https://example.org/contributor/new-source",
            "notes": "",
        }
    )
    figures.append(
        {
            **base,
            "figure_id": figure_id,
            "source_id": source_id,
            "parent_figure_id": "",
            "notes": "  A contribution saved from a spreadsheet. ",
        }
    )
    spreadsheet_write(clone / "data" / "sources.csv", s_header, sources)
    spreadsheet_write(clone / "data" / "casualties.csv", f_header, figures)
    return source_id, figure_id


def bump_minor(clone: Path) -> str:
    path = clone / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    old = json.loads(text)["version"]
    major, minor, _ = (int(p) for p in old.split("."))
    new = f"{major}.{minor + 1}.0"
    path.write_text(text.replace(f'"version": "{old}"', f'"version": "{new}"', 1), encoding="utf-8")
    return new


@pytest.fixture
def clone(tmp_path, repo_root) -> Path:
    target = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo_root), str(target)], check=True, env=GIT_ENV)
    if subprocess.run(
        ["git", "rev-parse", "-q", "--verify", "origin/main"], cwd=target, stdout=subprocess.DEVNULL
    ).returncode:
        subprocess.run(["git", "update-ref", "refs/remotes/origin/main", "HEAD"], cwd=target, check=True)
    return target


def test_contributing_steps_as_written_make_a_contribution_that_passes(clone, tmp_path, repo_root):
    source_id, figure_id = contribute(clone)
    version = None
    for line in steps(repo_root):
        if line.startswith("#"):
            if "version" in line:
                version = bump_minor(clone)
            continue
        if line.startswith("git push"):
            continue  # no remote to push to
        result = sh(line, clone)
        assert result.returncode == 0, f"`{line}` failed:\n{result.stdout}\n{result.stderr}"
        if line.startswith("syria-incidents"):
            assert f"package: {clone}" in result.stdout + result.stderr, line
    assert version is not None, "CONTRIBUTING's steps lost the version bump"
    assert sh("git status --porcelain", clone).stdout == "", "the commit step left files uncommitted"
    changelog = (clone / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {version}" in changelog and figure_id in changelog and source_id in changelog

    fresh = tmp_path / "fresh"
    subprocess.run(["git", "clone", "-q", str(clone), str(fresh)], check=True, env=GIT_ENV)
    for line in ("syria-incidents validate --strict", "syria-incidents check-version --base HEAD~1"):
        result = sh(line, fresh)
        assert result.returncode == 0, f"`{line}` in a fresh clone:\n{result.stdout}\n{result.stderr}"
    tests = [
        "tests/test_readme.py",
        "tests/test_data_facts.py",
        "tests/test_descriptor.py",
        "tests/test_fix.py::test_the_repository_readme_coverage_is_current",
    ]
    result = sh(f"{shlex.quote(sys.executable)} -m pytest -q -p no:cacheprovider " + " ".join(tests), fresh)
    assert result.returncode == 0, result.stdout[-3000:]
