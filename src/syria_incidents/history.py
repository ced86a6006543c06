"""The history of every record across the git history of the package.

Walks the commits that touched ``datapackage.json`` or ``data/`` and writes, for each
record that was added, changed or removed in a commit, one row of ``record_versions``
(with the version in ``datapackage.json`` at that commit), plus a ``commits`` table and
views for Datasette: how a figure changed between releases, and revision chains
(``supersedes_figure_id``). Our own walk over ``git log`` and one ``git cat-file
--batch`` process is simpler and much faster than one ``git show`` per file.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .versions.source import PackageVersion, Table, parse_table, repo_of


@dataclass
class Commit:
    commit: str
    committed_at: str  # ISO 8601 with offset
    subject: str


class GitBlobs:
    """Read many ``commit:path`` blobs through one ``git cat-file --batch`` process."""

    def __init__(self, repo: str | Path):
        self.proc = subprocess.Popen(["git", "-C", str(repo), "cat-file", "--batch"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def read(self, commit: str, path: str) -> bytes | None:
        self.proc.stdin.write(f"{commit}:{path}\n".encode())
        self.proc.stdin.flush()
        header = self.proc.stdout.readline().decode().split()
        if len(header) < 3 or header[1] != "blob":
            return None  # "<object> missing", or a tree
        data = self.proc.stdout.read(int(header[2]))
        self.proc.stdout.read(1)  # the newline after each object
        return data

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def package_commits(repo: str | Path, rev: str = "HEAD", prefix: str = "") -> list[Commit]:
    """Commits reachable from ``rev`` that touched the descriptor or the data, oldest first."""
    try:
        out = subprocess.run(
            ["git", "-C", str(repo), "log", "--reverse", "--format=%H%x09%cI%x09%s", rev, "--",
             f"{prefix}datapackage.json", f"{prefix}data"],
            capture_output=True, text=True, check=False)
    except FileNotFoundError:  # no git on this machine
        return []
    if out.returncode != 0:
        return []
    return [Commit(*line.split("\t", 2)) for line in out.stdout.splitlines() if line.count("\t") >= 2]


def iter_versions(repo: str | Path, rev: str = "HEAD", prefix: str = "") -> Iterator[tuple[Commit, PackageVersion]]:
    """Each package commit with the package as it was then; commits without a readable descriptor are skipped."""
    with GitBlobs(repo) as blobs:
        for c in package_commits(repo, rev, prefix):
            raw = blobs.read(c.commit, f"{prefix}datapackage.json")
            try:
                descriptor = json.loads(raw.decode("utf-8-sig")) if raw else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                descriptor = None
            if not isinstance(descriptor, dict):
                continue
            tables = {}
            for res in descriptor.get("resources", []):
                if not isinstance(res.get("path"), str):
                    continue
                data = blobs.read(c.commit, prefix + res["path"]) or b""
                tables[res["name"]] = parse_table(res["name"], res["path"], res.get("schema", {}),
                                                  data.decode("utf-8-sig", errors="replace"))
            yield c, PackageVersion(c.commit[:7], descriptor, tables, c.commit)


def ids_ever_seen(repo: str | Path, rev: str, prefix: str = "") -> dict[str, set[str]]:
    """Per table, every primary key that existed at any commit reachable from ``rev``."""
    seen: dict[str, set[str]] = {}
    for _, version in iter_versions(repo, rev, prefix):
        for name, table in version.tables.items():
            seen.setdefault(name, set()).update(table.rows)
    return seen


def record_history(repo: str | Path, rev: str = "HEAD", prefix: str = "") -> tuple[list[dict], list[dict]]:
    """``(commits, record_versions)`` rows: one record version per record added, changed or removed in a commit."""
    commits, versions = [], []
    previous: dict[str, Table] = {}
    for c, version in iter_versions(repo, rev, prefix):
        changes = 0
        for name, table in version.tables.items():
            before = previous.get(name)
            for key, row in table.rows.items():
                old = before.rows.get(key) if before else None
                if old == row:
                    continue
                changed = sorted(f for f in set(row) | set(old or {}) if (old or {}).get(f) != row.get(f))
                versions.append(_version_row(c, version, name, key, "added" if old is None else "changed",
                                             row, [] if old is None else changed))
                changes += 1
            for key, row in (before.rows.items() if before else []):
                if key not in table.rows:
                    versions.append(_version_row(c, version, name, key, "removed", row, []))
                    changes += 1
        for name, before in previous.items():
            if name not in version.tables:
                for key, row in before.rows.items():
                    versions.append(_version_row(c, version, name, key, "removed", row, []))
                    changes += 1
        previous = version.tables
        commits.append({"commit": c.commit, "committed_at": c.committed_at, "version": version.version,
                        "subject": c.subject, "record_changes": changes})
    return commits, versions


def _version_row(c: Commit, version: PackageVersion, table: str, key: str, change: str, row: dict,
                 changed_fields: list[str]) -> dict:
    return {
        "table_name": table,
        "record_id": key,
        "commit": c.commit,
        "committed_at": c.committed_at,
        "version": version.version,
        "change": change,
        "changed_fields": json.dumps(changed_fields),
        "record": json.dumps(row, ensure_ascii=False),
    }


REVISION_CHAINS_SQL = """
WITH RECURSIVE chain(chain_start, figure_id, revision) AS (
  SELECT figure_id, figure_id, 0 FROM casualties
  WHERE coalesce(supersedes_figure_id, '') = ''
    AND figure_id IN (SELECT supersedes_figure_id FROM casualties)
  UNION ALL
  SELECT chain.chain_start, c.figure_id, chain.revision + 1
  FROM casualties c JOIN chain ON c.supersedes_figure_id = chain.figure_id
  WHERE chain.revision < 100
)
SELECT chain.chain_start, chain.revision, c.figure_id, c.incident_id, c.reported_by_actor_id,
       c.reported_on, c.qualifier, c.count_low, c.count_best, c.count_high, c.source_id, c.source_quote,
       (SELECT n.figure_id FROM casualties n WHERE n.supersedes_figure_id = c.figure_id) AS superseded_by
FROM chain JOIN casualties c ON c.figure_id = chain.figure_id
ORDER BY chain.chain_start, chain.revision
"""

FIGURE_VERSIONS_SQL = """
SELECT record_id AS figure_id, version, committed_at, "commit", change,
       nullif(json_extract(record, '$.count_low'), '') AS count_low,
       nullif(json_extract(record, '$.count_best'), '') AS count_best,
       nullif(json_extract(record, '$.count_high'), '') AS count_high,
       json_extract(record, '$.qualifier') AS qualifier,
       json_extract(record, '$.reported_on') AS reported_on,
       changed_fields
FROM record_versions WHERE table_name = 'casualties'
ORDER BY figure_id, committed_at
"""


def _connection(db) -> sqlite3.Connection:
    """A sqlite3 connection from a connection, a ``sqlite_utils.Database`` (``.conn``) or a path."""
    if isinstance(db, sqlite3.Connection):
        return db
    if hasattr(db, "conn"):
        return db.conn
    return sqlite3.connect(db, isolation_level=None)


def _table_names(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def write_revision_view(db) -> None:
    """The ``revision_chains`` view: each figure that was revised, then its revisions in order."""
    conn = _connection(db)
    if "casualties" in _table_names(conn):
        conn.execute("DROP VIEW IF EXISTS revision_chains")
        conn.execute(f"CREATE VIEW revision_chains AS {REVISION_CHAINS_SQL}")


HISTORY_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS commits (
  "commit" TEXT PRIMARY KEY, committed_at TEXT, version TEXT, subject TEXT, record_changes INTEGER)""",
    """CREATE TABLE IF NOT EXISTS record_versions (
  table_name TEXT NOT NULL, record_id TEXT NOT NULL, "commit" TEXT NOT NULL REFERENCES commits("commit"),
  committed_at TEXT, version TEXT, change TEXT, changed_fields TEXT, record TEXT,
  PRIMARY KEY (table_name, record_id, "commit"))""",
    "CREATE INDEX IF NOT EXISTS idx_record_versions_record ON record_versions (table_name, record_id)",
    "DROP VIEW IF EXISTS casualty_figure_versions",
    f"CREATE VIEW casualty_figure_versions AS {FIGURE_VERSIONS_SQL}",
]


def write_history(db, root: str | Path, rev: str = "HEAD") -> int:
    """Write the ``revision_chains`` view and, in a git checkout, ``commits``, ``record_versions`` and
    ``casualty_figure_versions`` into ``db``; returns the record versions written.

    ``db`` is a ``sqlite3.Connection`` (used as is, inside the caller's transaction), a
    ``sqlite_utils.Database`` or a path. A package installed from a wheel has no git
    history: it gets the revision chains only, and 0 is returned.
    """
    conn = _connection(db)
    write_revision_view(conn)
    where = repo_of(root)
    if where is None:
        return 0
    top, prefix = where
    commits, versions = record_history(top, rev, prefix)
    if not commits:
        return 0  # e.g. a wheel installed in a virtualenv inside a checkout: untracked files
    for statement in HISTORY_SCHEMA:
        conn.execute(statement)
    conn.executemany("INSERT OR REPLACE INTO commits VALUES (:commit, :committed_at, :version, :subject, "
                     ":record_changes)", commits)
    conn.executemany("INSERT OR REPLACE INTO record_versions VALUES (:table_name, :record_id, :commit, "
                     ":committed_at, :version, :change, :changed_fields, :record)", versions)
    if not isinstance(db, sqlite3.Connection) and conn.in_transaction:
        conn.commit()  # our own connection: a caller's transaction is the caller's to commit
    return len(versions)
