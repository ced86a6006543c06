"""The history of every record across git commits, written to SQLite for Datasette."""

from __future__ import annotations

import json

import sqlite_utils
from test_versions import figure, make_repo

from syria_incidents.versions import load_version
from syria_incidents.versions.history import record_history, write_history


def three_releases(tmp_path):
    """0.1.0 (the package), 0.2.0 (a revision of F-0007 as a new row), 1.0.0 (a statement removed)."""
    repo = make_repo(tmp_path)
    repo.add("casualties", **figure(figure_id="F-0101", supersedes_figure_id="F-0007"))
    repo.edit("casualties", "F-0007", notes="Revised by F-0101.")
    repo.set_version("0.2.0")
    repo.commit("F-0101 revises F-0007")
    repo.delete("statements", "ST-0013")
    repo.set_version("1.0.0")
    repo.commit("remove ST-0013")
    (repo.root / "README.md").write_text("not data\n")
    repo.commit("docs only")  # touches no data: not a package commit
    return repo


def test_record_history_has_one_version_per_change(tmp_path):
    repo = three_releases(tmp_path)
    commits, versions = record_history(repo.root)
    assert [(c["version"], c["subject"]) for c in commits] == [
        ("0.1.0", "base"),
        ("0.2.0", "F-0101 revises F-0007"),
        ("1.0.0", "remove ST-0013"),
    ]
    base = load_version("HEAD~3", repo=repo.root)  # "base"
    assert (
        commits[0]["record_changes"] == sum(len(t.rows) for t in base.tables.values()) > 0
    )  # every record added
    later = [
        (v["version"], v["table_name"], v["record_id"], v["change"], json.loads(v["changed_fields"]))
        for v in versions
        if v["version"] != "0.1.0"
    ]
    assert later == [
        ("0.2.0", "casualties", "F-0007", "changed", ["notes"]),
        ("0.2.0", "casualties", "F-0101", "added", []),
        ("1.0.0", "statements", "ST-0013", "removed", []),
    ]
    removed = next(v for v in versions if v["change"] == "removed")
    assert json.loads(removed["record"])["statement_id"] == "ST-0013"  # the removed row is kept in full


def test_write_history_to_sqlite_with_views(tmp_path):
    repo = three_releases(tmp_path)
    db = sqlite_utils.Database(tmp_path / "history.db")
    db["casualties"].insert_all(repo.rows("casualties"), pk="figure_id")
    written = write_history(db, repo.root)
    assert written == sqlite_utils.Database(tmp_path / "history.db")["record_versions"].count  # committed
    assert (
        db["record_versions"].foreign_keys[0].other_table == "commits"
    )  # Datasette links each version to its commit
    f7 = list(
        db.query(
            "select version, change, count_best from casualty_figure_versions "
            "where figure_id = 'F-0007' order by committed_at"
        )
    )
    assert f7 == [
        {"version": "0.1.0", "change": "added", "count_best": "10"},
        {"version": "0.2.0", "change": "changed", "count_best": "10"},
    ]
    chains = list(
        db.query("select chain_start, revision, figure_id, count_best, superseded_by from revision_chains")
    )
    assert chains == [
        {
            "chain_start": "F-0007",
            "revision": 0,
            "figure_id": "F-0007",
            "count_best": "10",
            "superseded_by": "F-0101",
        },
        {
            "chain_start": "F-0007",
            "revision": 1,
            "figure_id": "F-0101",
            "count_best": "12",
            "superseded_by": None,
        },
    ]


def test_write_history_outside_git_writes_only_the_revision_view(tmp_path, package_copy):
    db = sqlite_utils.Database(tmp_path / "plain.db")
    db["casualties"].insert_all(
        [
            dict(figure_id="F-1", supersedes_figure_id=None, count_best=5),
            dict(figure_id="F-2", supersedes_figure_id="F-1", count_best=7),
        ],
        pk="figure_id",
    )
    assert write_history(db, package_copy) == 0
    assert db.table_names() == ["casualties"] and db.view_names() == ["revision_chains"]


def test_history_is_empty_for_untracked_files_inside_a_checkout(tmp_path):
    # A wheel installed into a virtualenv inside the checkout: in the repository, but never committed.
    repo = make_repo(tmp_path)
    inside = repo.root / ".venv" / "site-packages" / "_package"
    inside.mkdir(parents=True)
    (inside / "datapackage.json").write_text("{}", encoding="utf-8")
    db = sqlite_utils.Database(tmp_path / "h.db")
    assert write_history(db, inside) == 0
    assert "record_versions" not in db.table_names()
