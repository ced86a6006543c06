"""The release: stamp, validate, check the version, changelog, sdist + wheel carrying the data byte for
byte.
"""

from __future__ import annotations

import shutil
import zipfile

import pytest
import sqlite_utils
import yaml
from test_versions import figure, make_repo
from validate_helpers import FIXTURE_ROOT, REPO_ROOT

from syria_incidents.site import build_release_database
from syria_incidents.versions.release import ReleaseError, release, wheel_differences

# The changelog of the 0.1.0 fixture: the repository's own CHANGELOG.md grows a section
# with every release (and may already have one for the version a test releases).
CHANGELOG_0_1_0 = "# Changelog\n\nEvery release, newest first.\n\n## 0.1.0 (2025-03-07)\n\nFirst release.\n"

pytestmark = pytest.mark.slow


def releasable_repo(tmp_path):
    """A git repository with everything `python -m build` needs, tagged v<version> as the last release.

    Code and build files come from the checkout; the data is the 0.1.0 fixture."""
    repo = make_repo(tmp_path)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (REPO_ROOT / name).is_file():
            shutil.copy2(REPO_ROOT / name, repo.root / name)
    shutil.copytree(
        REPO_ROOT / "src", repo.root / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    (repo.root / "CHANGELOG.md").write_text(CHANGELOG_0_1_0, encoding="utf-8")
    repo.commit("release files")
    repo.git("tag", "-a", f"v{repo.descriptor['version']}", "-m", "last release")
    return repo


def test_release_builds_a_wheel_whose_data_equals_the_repository(tmp_path):
    repo = releasable_repo(tmp_path)
    repo.add("casualties", **figure(reported_on="2025-03-07", figure_id="F-0101"))
    repo.set_version("0.2.0")
    log: list[str] = []
    result = release(
        repo.root,
        date="2025-03-10",
        out=tmp_path / "dist",
        isolated=False,
        echo=log.append,
        build_database=build_release_database,
    )
    assert log[0] == "stamp: 1 resource(s) re-stamped"  # casualties.csv changed
    assert log[2] == "check-version: 0.1.0 → 0.2.0, a minor bump for minor changes"
    dist = tmp_path / "dist"
    names = sorted(str(p.relative_to(dist)) for p in result.artefacts)
    tables = [r["name"] for r in repo.descriptor["resources"]]
    exports = [f"parquet/{t}.parquet" for t in tables] + ["geojson/incidents.geojson"]
    exports += [f"hxl/{t}.csv" for t in tables]
    assert names == sorted(
        [
            "syria_incidents-0.2.0-py3-none-any.whl",
            "syria_incidents-0.2.0.tar.gz",
            "syria_incidents.db",
            *exports,
        ]
    )
    assert all(p.is_file() for p in result.artefacts)
    db = sqlite_utils.Database(tmp_path / "dist" / "syria_incidents.db")
    assert db["casualties"].count == len(repo.rows("casualties"))
    # The database carries the record history of this repository: F-0101 appears in the working tree only.
    assert {r["version"] for r in db.query("select version from commits")} == {"0.1.0"}
    wheel = next(p for p in result.artefacts if p.suffix == ".whl")
    # Byte for byte: the descriptor and every CSV in the wheel are the repository's.
    with zipfile.ZipFile(wheel) as zf:
        assert (
            zf.read("syria_incidents/_package/datapackage.json")
            == (repo.root / "datapackage.json").read_bytes()
        )
        for csv_file in sorted((repo.root / "data").glob("*.csv")):
            assert zf.read(f"syria_incidents/_package/data/{csv_file.name}") == csv_file.read_bytes(), (
                csv_file.name
            )
    assert wheel_differences(wheel, repo.root) == []
    changelog = (repo.root / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## 0.2.0 (2025-03-10)\n\nA minor release: changes since 0.1.0." in changelog
    assert "- F-0101 added: 12 killed, unknown, in I-0017 (SNHR, 2025-03-07)" in changelog


def test_release_refuses_an_unbumped_version(tmp_path):
    repo = releasable_repo(tmp_path)
    repo.delete("casualties", "F-0006")
    with pytest.raises(ReleaseError, match=r"check-version failed:\n.*need a major bump .*F-0006"):
        release(repo.root, out=tmp_path / "dist", isolated=False, echo=lambda _: None)
    assert not (tmp_path / "dist").exists()


def test_release_refuses_an_invalid_package(tmp_path):
    repo = releasable_repo(tmp_path)
    repo.edit("casualties", "F-0007", count_best="-3")
    repo.set_version("0.1.1")
    with pytest.raises(ReleaseError, match="the package is not valid"):
        release(repo.root, out=tmp_path / "dist", isolated=False, echo=lambda _: None)


def test_wheel_differences_names_a_stale_file(tmp_path):
    wheel = tmp_path / "syria_incidents-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.write(FIXTURE_ROOT / "datapackage.json", "syria_incidents/_package/datapackage.json")
        for csv_file in (FIXTURE_ROOT / "data").glob("*.csv"):
            data = csv_file.read_bytes() + (b"\n" if csv_file.name == "places.csv" else b"")
            zf.writestr(f"syria_incidents/_package/data/{csv_file.name}", data)
    assert wheel_differences(wheel, FIXTURE_ROOT) == [f"data/places.csv: differs in {wheel.name}"]


def test_workflow_runs_validate_check_version_and_tests_on_pull_requests():
    workflow = yaml.safe_load((REPO_ROOT / ".github/workflows/validate.yml").read_text(encoding="utf-8"))
    assert set(workflow[True]) == {"pull_request", "push"}  # YAML reads the key `on` as True
    steps = workflow["jobs"]["validate"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert steps[0]["with"]["fetch-depth"] == 0
    # Validation is this repository's action (action.yml), which runs validate --format github.
    assert any(s.get("uses") == "./" for s in steps)
    action = yaml.safe_load((REPO_ROOT / "action.yml").read_text(encoding="utf-8"))
    assert any(
        "syria-incidents validate " in s.get("run", "") and "--format github" in s["run"]
        for s in action["runs"]["steps"]
    )
    check = next(s for s in steps if "check-version" in s.get("run", ""))
    assert check["env"]["BASE"] == "origin/${{ github.base_ref }}" and '--base "$BASE"' in check["run"]
    assert "pull_request" in check["if"]
    assert any(r.strip() == "python -m pytest" for r in runs)
    # The browser is found (or installed) as `make test` finds it: tests/browser.py via `make browser`.
    assert any(r.strip() == "make browser" for r in runs)
