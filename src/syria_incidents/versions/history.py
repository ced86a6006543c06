"""The history of every record across the git history of the package.

Walks the commits that touched ``datapackage.json`` or ``data/`` and writes, for each
record that was added, changed or removed in a commit, one row of ``record_versions``
(with the version in ``datapackage.json`` at that commit), plus a ``commits`` table and
views for Datasette: how a figure changed between releases, and revision chains
(``supersedes_figure_id``). Our own walk over ``git log`` and one ``git cat-file
--batch`` process is simpler and much faster than one ``git show`` per file.

The site reads the history through three functions and nothing else:
:func:`write_history` (the tables, into the build's connection),
:func:`write_history_schema` (the same tables, empty, for their columns) and
:func:`last_package_commit` (what the database fingerprint records).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from ..package import DESCRIPTOR_NAME
from ..progress import QUIET, Progress
from .git import BlobReader, Commit, commits_touching, last_commit_touching, repo_of
from .source import PackageVersion, Table, parse_table

# The package's files, relative to its directory: a commit that touches none of them
# changes no record. The data folder, not each resource's path, so a resource added
# or renamed is seen too.
PACKAGE_PATHS = (DESCRIPTOR_NAME, "data")


def _pathspecs(prefix: str) -> list[str]:
    return [prefix + path for path in PACKAGE_PATHS]


def package_commits(repo: str | Path, rev: str = "HEAD", prefix: str = "") -> list[Commit]:
    """Commits reachable from ``rev`` that touched the descriptor or the data, oldest first."""
    return commits_touching(repo, _pathspecs(prefix), rev)


def last_package_commit(root: str | Path) -> str | None:
    """The last commit that touched the package at ``root`` (descriptor or data), or None outside git.

    A commit that changes only docs or code leaves it, and so the record history, unchanged.
    """
    where = repo_of(root)
    if where is None:
        return None
    top, prefix = where
    return last_commit_touching(top, _pathspecs(prefix))


def iter_versions(
    repo: str | Path, rev: str = "HEAD", prefix: str = "", progress: Progress = QUIET
) -> Iterator[tuple[Commit, PackageVersion]]:
    """Each package commit with the package as it was then.

    Commits without a readable descriptor are skipped.
    """
    commits = package_commits(repo, rev, prefix)
    with BlobReader(repo) as blobs, progress.step("history", total=len(commits)) as step:
        for c in commits:
            step.describe(c.commit[:7])
            raw = blobs.read(c.commit, f"{prefix}{DESCRIPTOR_NAME}")
            try:
                descriptor = json.loads(raw.decode("utf-8-sig")) if raw else None
            except (UnicodeDecodeError, json.JSONDecodeError):
                descriptor = None
            if not isinstance(descriptor, dict):
                step.advance()
                continue
            tables = {}
            for res in descriptor.get("resources", []):
                if not isinstance(res.get("path"), str):
                    continue
                data = blobs.read(c.commit, prefix + res["path"]) or b""
                tables[res["name"]] = parse_table(
                    res["name"],
                    res["path"],
                    res.get("schema", {}),
                    data.decode("utf-8-sig", errors="replace"),
                )
            yield c, PackageVersion(c.commit[:7], descriptor, tables, c.commit)
            step.advance()


def ids_ever_seen(
    repo: str | Path, rev: str, prefix: str = "", progress: Progress = QUIET
) -> dict[str, set[str]]:
    """Per table, every primary key that existed at any commit reachable from ``rev``."""
    seen: dict[str, set[str]] = {}
    for _, version in iter_versions(repo, rev, prefix, progress):
        for name, table in version.tables.items():
            seen.setdefault(name, set()).update(table.rows)
    return seen


def record_history(
    repo: str | Path, rev: str = "HEAD", prefix: str = "", progress: Progress = QUIET
) -> tuple[list[dict], list[dict]]:
    """``(commits, record_versions)`` rows.

    One record version per record added, changed or removed in a commit.
    """
    commits, versions = [], []
    previous: dict[str, Table] = {}
    for c, version in iter_versions(repo, rev, prefix, progress):
        changes = 0
        for name, table in version.tables.items():
            before = previous.get(name)
            for key, row in table.rows.items():
                old = before.rows.get(key) if before else None
                if old == row:
                    continue
                changed = sorted(f for f in set(row) | set(old or {}) if (old or {}).get(f) != row.get(f))
                versions.append(
                    _version_row(
                        c,
                        version,
                        name,
                        key,
                        "added" if old is None else "changed",
                        row,
                        [] if old is None else changed,
                    )
                )
                changes += 1
            for key, row in before.rows.items() if before else []:
                if key not in table.rows:
                    versions.append(_version_row(c, version, name, key, "removed", row, []))
                    changes += 1
        for name, before in previous.items():
            if name not in version.tables:
                for key, row in before.rows.items():
                    versions.append(_version_row(c, version, name, key, "removed", row, []))
                    changes += 1
        previous = version.tables
        commits.append(
            {
                "commit": c.commit,
                "committed_at": c.committed_at,
                "version": version.version,
                "subject": c.subject,
                "record_changes": changes,
            }
        )
    return commits, versions


def _version_row(
    c: Commit,
    version: PackageVersion,
    table: str,
    key: str,
    change: str,
    row: dict,
    changed_fields: list[str],
) -> dict:
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


def write_history_schema(db) -> None:
    """The history's tables and views, empty: ``revision_chains`` (when ``db`` has ``casualties``),
    ``commits``, ``record_versions`` and ``casualty_figure_versions``. The site reads their columns
    from this, so its descriptions follow the history as it is written."""
    conn = _connection(db)
    write_revision_view(conn)
    for statement in HISTORY_SCHEMA:
        conn.execute(statement)


def write_history(db, root: str | Path, rev: str = "HEAD", progress: Progress = QUIET) -> int:
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
    commits, versions = record_history(top, rev, prefix, progress)
    if not commits:
        return 0  # e.g. a wheel installed in a virtualenv inside a checkout: untracked files
    for statement in HISTORY_SCHEMA:
        conn.execute(statement)
    conn.executemany(
        "INSERT OR REPLACE INTO commits VALUES (:commit, :committed_at, :version, :subject, "
        ":record_changes)",
        commits,
    )
    conn.executemany(
        "INSERT OR REPLACE INTO record_versions VALUES (:table_name, :record_id, :commit, "
        ":committed_at, :version, :change, :changed_fields, :record)",
        versions,
    )
    if not isinstance(db, sqlite3.Connection) and conn.in_transaction:
        conn.commit()  # our own connection: a caller's transaction is the caller's to commit
    return len(versions)
