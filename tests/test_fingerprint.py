"""The database fingerprint: the files' hashes and the last commit that touched the package.

A commit of docs or code alone leaves the database current (``serve`` does not rebuild);
a commit that touches ``datapackage.json`` or ``data/`` makes it stale, as does an edited
file; outside git only the hashes and the build format count.
"""

from __future__ import annotations

import shutil

from test_versions import GitPackage, make_repo
from validate_helpers import FIXTURE_ROOT, copy_package

from syria_incidents.package import DESCRIPTOR_NAME, read_descriptor
from syria_incidents.site import build_database
from syria_incidents.site.fingerprint import fingerprint, is_current, stored_fingerprint
from syria_incidents.versions.history import last_package_commit


def _build(repo: GitPackage, tmp_path):
    out = tmp_path / "out.db"
    build_database(repo.root, out, validate=False)
    assert is_current(out, repo.root)
    return out


def test_a_docs_only_commit_leaves_the_database_current(tmp_path):
    repo = make_repo(tmp_path)
    out = _build(repo, tmp_path)
    (repo.root / "README.md").write_text("docs only\n", encoding="utf-8")
    (repo.root / "notes").mkdir()
    (repo.root / "notes" / "code.py").write_text("x = 1\n", encoding="utf-8")
    repo.commit("docs and code")
    assert is_current(out, repo.root)
    assert stored_fingerprint(out)["package_commit"] == repo.git("rev-parse", "HEAD~1").strip()


def test_a_data_commit_makes_the_database_stale_even_when_the_files_come_back_the_same(tmp_path):
    repo = make_repo(tmp_path)
    out = _build(repo, tmp_path)
    before = (repo.root / "data" / "actors.csv").read_bytes()
    repo.edit("actors", repo.rows("actors")[0]["actor_id"], description="Edited.")
    repo.commit("edit an actor")
    assert not is_current(out, repo.root)
    (repo.root / "data" / "actors.csv").write_bytes(before)
    reverted = repo.commit("revert the edit")
    # Every file is byte for byte what the database was built from, but its record
    # history now has two more commits: it must be rebuilt.
    assert {k: v for k, v in fingerprint(repo.root).items() if k != "package_commit"} == {
        k: v for k, v in stored_fingerprint(out).items() if k != "package_commit"
    }
    assert fingerprint(repo.root)["package_commit"] == reverted
    assert not is_current(out, repo.root)


def test_a_descriptor_commit_makes_the_database_stale(tmp_path):
    repo = make_repo(tmp_path)
    out = _build(repo, tmp_path)
    repo.set_version("0.1.1")
    repo.commit("bump")
    assert not is_current(out, repo.root)


def test_an_uncommitted_edit_of_a_data_file_makes_the_database_stale(tmp_path):
    repo = make_repo(tmp_path)
    out = _build(repo, tmp_path)
    repo.edit("actors", repo.rows("actors")[0]["actor_id"], description="Edited, not committed.")
    assert not is_current(out, repo.root)


def test_a_package_in_a_subfolder_follows_its_own_files(tmp_path):
    top = tmp_path / "top"
    shutil.copytree(FIXTURE_ROOT, top / "pkg")
    repo = GitPackage(top / "pkg")
    repo.git("init", "-q", "-b", "main")
    repo.commit("base")
    out = _build(repo, tmp_path)
    (top / "README.md").write_text("about the package\n", encoding="utf-8")
    repo.commit("docs at the top")
    assert is_current(out, repo.root)
    repo.edit("actors", repo.rows("actors")[0]["actor_id"], description="Edited.")
    data_commit = repo.commit("data in the subfolder")
    assert last_package_commit(repo.root) == data_commit
    assert not is_current(out, repo.root)


def test_outside_git_the_fingerprint_is_the_hashes_and_the_build_format(tmp_path):
    root = copy_package(tmp_path)  # a plain folder, no repository around it
    assert last_package_commit(root) is None
    resources = [r["path"] for r in read_descriptor(root)["resources"]]
    assert sorted(fingerprint(root)) == sorted(["build_format", DESCRIPTOR_NAME, *resources])
    out = tmp_path / "out.db"
    build_database(root, out, validate=False)
    assert is_current(out, root)
    (root / resources[0]).write_bytes((root / resources[0]).read_bytes() + b"\n")
    assert not is_current(out, root)
