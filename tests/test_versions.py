"""diff and check-version on realistic contributions, in temporary git repositories.

Each test copies the frozen 0.1.0 fixture (tests/fixtures/package-0.1.0) into a fresh
repository, commits it as the base, makes one kind of change, and checks the exact diff
and the bump it needs. The versions named here (0.1.0 and the bumps from it) are the
fixture's own, so they hold whatever the bundled data's version is.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
from validate_helpers import FIXTURE_VERSION, copy_fixture

from syria_incidents.versions import check_version, diff_versions, load_version
from syria_incidents.versions.diff import FieldChange, RecordChange
from syria_incidents.versions.render import render_text

GIT_IDENTITY = ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]


class GitPackage:
    """A throw-away git repository holding a copy of the package, with helpers to edit it."""

    def __init__(self, root: Path):
        self.root = root

    def git(self, *args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(self.root), *GIT_IDENTITY, *args], check=True, capture_output=True, text=True
        ).stdout

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def rows(self, table: str) -> list[dict]:
        with open(self.root / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))

    def write_rows(self, table: str, rows: list[dict], fields: list[str] | None = None) -> None:
        fields = fields or list(rows[0])
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        (self.root / "data" / f"{table}.csv").write_text(out.getvalue(), encoding="utf-8", newline="")

    def edit(self, table: str, key: str, **values: str) -> None:
        rows = self.rows(table)
        pk = next(iter(rows[0]))
        for row in rows:
            if row[pk] == key:
                row.update(values)
        self.write_rows(table, rows)

    def add(self, table: str, **values: str) -> None:
        rows = self.rows(table)
        rows.append({f: values.get(f, "") for f in rows[0]})
        self.write_rows(table, rows)

    def delete(self, table: str, key: str) -> None:
        rows = self.rows(table)
        pk = next(iter(rows[0]))
        self.write_rows(table, [r for r in rows if r[pk] != key])

    @property
    def descriptor(self) -> dict:
        return json.loads((self.root / "datapackage.json").read_text(encoding="utf-8"))

    def write_descriptor(self, descriptor: dict) -> None:
        (self.root / "datapackage.json").write_text(
            json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    def set_version(self, version: str) -> None:
        d = self.descriptor
        d["version"] = version
        self.write_descriptor(d)

    def field(self, descriptor: dict, table: str, name: str) -> dict:
        res = next(r for r in descriptor["resources"] if r["name"] == table)
        return next(f for f in res["schema"]["fields"] if f["name"] == name)


def make_repo(tmp_path: Path) -> GitPackage:
    root = copy_fixture(tmp_path / "repo")
    repo = GitPackage(root)
    repo.git("init", "-q", "-b", "main")
    repo.commit("base")
    assert base_version(repo) == FIXTURE_VERSION
    return repo


@pytest.fixture
def repo(tmp_path) -> GitPackage:
    return make_repo(tmp_path)


def figure(**overrides) -> dict:
    """A new casualty figure citing records that exist in the package."""
    row = dict(
        figure_id="F-0101",
        incident_id="I-0017",
        outcome="killed",
        victim_group="unknown",
        sex="male",
        age_group="adult",
        manner="execution",
        count_low="12",
        count_best="12",
        count_high="12",
        qualifier="exact",
        reported_by_actor_id="A-0001",
        reported_on="2025-03-08",
        period_start="2025-03-07",
        period_end="2025-03-07",
        source_id="S-0001",
        source_quote="twelve men were executed in Arza",
    )
    row.update(overrides)
    return row


def base_version(repo: GitPackage) -> str:
    return repo.descriptor["version"]


def test_unchanged_package_needs_no_bump(repo):
    result = check_version("HEAD", repo.root)
    assert result.diff.empty and result.needed == "none" and result.ok


def test_adding_rows_requires_minor_and_names_them(repo):
    repo.add("casualties", **figure())
    repo.add("casualties", **figure(figure_id="F-0102", count_low="3", count_best="3", count_high="3"))
    result = check_version("HEAD", repo.root)
    assert result.needed == "minor"
    assert result.diff.table("casualties").added == ["F-0101", "F-0102"]
    assert not result.ok
    assert result.problems == [
        f"datapackage.json: version {base_version(repo)} is unchanged from {base_version(repo)}, but "
        "the changes "
        "need a minor bump (version 0.2.0 or higher), because of casualties: records added: F-0101, F-0102"
    ]
    repo.set_version("0.1.1")
    assert "is only a patch bump" in check_version("HEAD", repo.root).problems[0]
    repo.set_version("0.2.0")
    assert check_version("HEAD", repo.root).ok


def test_correcting_a_value_requires_patch_and_diff_is_exact(repo):
    repo.edit("casualties", "F-0007", count_low="11", count_best="11", count_high="11")
    result = check_version("HEAD", repo.root)
    assert result.needed == "patch"
    assert "values corrected: F-0007" in result.problems[0]
    assert result.diff.table("casualties").changed == [
        RecordChange(
            "F-0007",
            [
                FieldChange("count_low", "10", "11"),
                FieldChange("count_best", "10", "11"),
                FieldChange("count_high", "10", "11"),
            ],
            line=8,
        )
    ]
    assert [t.name for t in result.diff.tables if not t.empty] == ["casualties"]
    text = render_text(result.diff).splitlines()
    assert text[2:] == [
        "casualties: 0 added, 0 removed, 1 changed",
        "  ~ F-0007 (line 8)",
        "      count_low: 10 → 11",
        "      count_best: 10 → 11",
        "      count_high: 10 → 11",
        "needs a patch version bump",
    ]
    repo.set_version("0.1.1")
    assert check_version("HEAD", repo.root).ok


def test_deleting_a_row_requires_major(repo):
    removed = next(r for r in repo.rows("statements") if r["statement_id"] == "ST-0013")
    repo.delete("statements", "ST-0013")
    repo.set_version("0.2.0")
    result = check_version("HEAD", repo.root)
    assert result.needed == "major" and not result.ok
    assert result.problems == [
        "datapackage.json: version 0.2.0 is only a minor bump from 0.1.0, but the changes need a major bump "
        "(version 1.0.0 or higher), because of statements: records removed: ST-0013"
    ]
    assert result.diff.table("statements").removed == ["ST-0013"]
    text = render_text(result.diff).splitlines()
    assert text[2:4] == ["statements: 0 added, 1 removed, 0 changed", "  - ST-0013 (was line 14)"]
    # The diff keeps every non-empty value of the removed record: nothing disappears without a trace.
    assert text[4:-1] == [f"      {k}: {v}" for k, v in removed.items() if v]
    repo.set_version("1.0.0")
    assert check_version("HEAD", repo.root).ok


def test_deleting_a_column_requires_major_and_is_reported_as_schema(repo):
    rows = repo.rows("casualties")
    fields = [f for f in rows[0] if f != "notes"]
    repo.write_rows("casualties", [{f: r[f] for f in fields} for r in rows], fields)
    d = repo.descriptor
    res = next(r for r in d["resources"] if r["name"] == "casualties")
    res["schema"]["fields"] = [f for f in res["schema"]["fields"] if f["name"] != "notes"]
    repo.write_descriptor(d)
    result = check_version("HEAD", repo.root)
    assert result.needed == "major"
    t = result.diff.table("casualties")
    assert [(c.kind, c.field, c.note) for c in t.schema] == [
        ("column-removed", "notes", "7 of 7 records had a value")
    ]
    assert t.changed == [] and t.added == [] and t.removed == []
    assert "casualties: column notes removed" in result.problems[0]
    assert render_text(result.diff).splitlines()[2:] == [
        "casualties: 0 added, 0 removed, 0 changed",
        "  * column notes removed",
        "needs a major version bump",
    ]


def test_renaming_a_column_is_detected_as_a_rename(repo):
    rows = repo.rows("actors")
    fields = ["actor_id", "name", "actor_type", "parent_actor_id", "summary"]
    repo.write_rows("actors", [dict(zip(fields, r.values())) for r in rows], fields)
    d = repo.descriptor
    repo.field(d, "actors", "description")["name"] = "summary"
    repo.write_descriptor(d)
    repo.edit("actors", "A-0015", summary="A British daily newspaper.")
    result = check_version("HEAD", repo.root)
    t = result.diff.table("actors")
    assert [(c.kind, c.old, c.new) for c in t.schema] == [("column-renamed", "description", "summary")]
    assert result.needed == "major"
    assert "actors: column description renamed to summary" in result.problems[0]


def test_renamed_column_with_an_edited_value_shows_the_edit_under_the_new_name(repo):
    rows = repo.rows("places")
    fields = [("comment" if f == "notes" else f) for f in rows[0]]
    repo.write_rows("places", [dict(zip(fields, r.values())) for r in rows], fields)
    d = repo.descriptor
    repo.field(d, "places", "notes")["name"] = "comment"
    repo.write_descriptor(d)
    repo.edit("places", "P-0001", comment="The country.")
    result = diff_versions(load_version("HEAD", repo=repo.root), load_version(repo.root))
    places = result.table("places")
    assert [(c.kind, c.old, c.new) for c in places.schema] == [("column-renamed", "notes", "comment")]
    assert places.changed == [RecordChange("P-0001", [FieldChange("comment", "", "The country.")], line=2)]


def test_vocabulary_added_is_minor_and_removed_is_major(repo):
    d = repo.descriptor
    repo.field(d, "casualties", "outcome")["constraints"]["enum"].append("disappeared")
    repo.write_descriptor(d)
    result = check_version("HEAD", repo.root)
    assert result.needed == "minor"
    assert [r.text() for r in result.reasons] == [
        "casualties: column outcome vocabulary values added: disappeared"
    ]
    d = repo.descriptor
    repo.field(d, "casualties", "outcome")["constraints"]["enum"].remove("missing")
    repo.write_descriptor(d)
    result = check_version("HEAD", repo.root)
    assert result.needed == "major"
    assert "casualties: column outcome vocabulary values removed: missing" in result.problems[0]


def test_type_widened_is_minor_and_narrowed_is_major(repo):
    d = repo.descriptor
    repo.field(d, "casualties", "count_best")["type"] = "number"
    repo.write_descriptor(d)
    result = check_version("HEAD", repo.root)
    assert [r.text() for r in result.reasons] == [
        "casualties: column count_best type integer → number (widened)"
    ]
    assert result.needed == "minor"
    repo.commit("count_best is a number")
    d = repo.descriptor
    repo.field(d, "casualties", "count_best")["type"] = "integer"
    repo.write_descriptor(d)
    assert check_version("HEAD", repo.root).needed == "major"


def test_primary_key_change_is_major(repo):
    d = repo.descriptor
    res = next(r for r in d["resources"] if r["name"] == "sources")
    res["schema"]["primaryKey"] = ["url"]
    repo.write_descriptor(d)
    result = check_version("HEAD", repo.root)
    assert result.needed == "major"
    assert "sources: primary key source_id → url" in result.problems[0]


def test_description_edit_is_patch(repo):
    d = repo.descriptor
    repo.field(d, "casualties", "notes")["description"] = "Anything a reader should know."
    repo.write_descriptor(d)
    result = check_version("HEAD", repo.root)
    assert [r.text() for r in result.reasons] == ["casualties: column notes description edited"]
    assert result.needed == "patch"


def test_removing_a_superseded_figure_fails_with_both_ids(repo):
    repo.add("casualties", **figure(supersedes_figure_id="F-0007"))
    repo.set_version("0.2.0")
    repo.commit("F-0101 revises F-0007")
    repo.delete("casualties", "F-0007")
    repo.set_version("1.0.0")
    result = check_version("HEAD", repo.root)
    assert result.problems == [
        "casualties: F-0007 was removed, but F-0101 supersedes it (supersedes_figure_id); keep the "
        "superseded "
        "row — revisions are new rows that point to the old one"
    ]


def test_reusing_a_removed_id_fails(repo):
    old_row = next(r for r in repo.rows("casualties") if r["figure_id"] == "F-0006")
    repo.delete("casualties", "F-0006")
    repo.set_version("1.0.0")
    repo.commit("remove F-0006")
    repo.add("casualties", **figure(figure_id="F-0006"))
    repo.set_version("1.1.0")
    result = check_version("HEAD", repo.root)
    assert result.diff.table("casualties").added == ["F-0006"]
    assert result.problems == [
        "casualties: id reused: F-0006 existed in an earlier version and was removed; ids are stable "
        "forever — "
        "give the new record a new id"
    ]
    assert old_row["count_best"] == "8"  # the id once named a different figure


def test_lower_version_fails(repo):
    repo.set_version("0.0.9")
    assert check_version("HEAD", repo.root).problems == [
        "datapackage.json: version 0.0.9 is lower than the base version 0.1.0"
    ]


def test_base_before_the_package_existed_is_a_first_release(tmp_path):
    root = tmp_path / "repo"
    root.mkdir()
    repo = GitPackage(root)
    repo.git("init", "-q", "-b", "main")
    (root / "README.md").write_text("empty\n")
    repo.commit("initial commit")
    copy_fixture(root)
    result = check_version("HEAD", root)
    assert result.ok and result.bumped == "major"
    assert result.diff.old.version is None
    assert result.diff.table("casualties").added == [r["figure_id"] for r in repo.rows("casualties")]


def test_diff_between_a_directory_and_a_wheel_layout(repo, tmp_path):
    import zipfile

    wheel = tmp_path / "syria_incidents-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.write(repo.root / "datapackage.json", "syria_incidents/_package/datapackage.json")
        for csv_file in (repo.root / "data").glob("*.csv"):
            zf.write(csv_file, f"syria_incidents/_package/data/{csv_file.name}")
    repo.edit("places", "P-0001", name_ar="سورية")
    d = diff_versions(load_version(wheel), load_version(repo.root))
    assert d.old.label == wheel.name
    changed = d.table("places").changed
    assert [(c.key, [(f.field, f.old, f.new) for f in c.changes]) for c in changed] == [
        ("P-0001", [("name_ar", "سوريا", "سورية")])
    ]


def test_unknown_side_is_a_clear_error(repo):
    from syria_incidents.versions import VersionNotFound

    with pytest.raises(VersionNotFound, match="'no-such-ref' is not a package directory"):
        load_version("no-such-ref", repo=repo.root)
