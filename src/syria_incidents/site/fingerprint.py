"""What a database was built from, so ``serve`` can tell when it is out of date.

The build stores the sha256 of the descriptor and of every CSV (and the build
format) in a small table; the database is current when they all still match.
Hashes, not modification times: a fresh clone or a copied file has new mtimes
but the same content, and an edit within the same second is still seen.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..package import DESCRIPTOR_NAME, read_descriptor, resource_file
from ..stamp import file_integrity

FINGERPRINT_TABLE = "build_fingerprint"
# Bump when the build writes a different schema, views or search, to force a rebuild.
BUILD_FORMAT = "3"  # 2: facet_counts; 3: columns in reading order, search on every table


def fingerprint(root: Path) -> dict[str, str]:
    """Key -> value: the build format and the sha256 of the descriptor and each CSV."""
    root = Path(root)
    out = {"build_format": BUILD_FORMAT,
           DESCRIPTOR_NAME: file_integrity(root / DESCRIPTOR_NAME).hash}
    for resource in read_descriptor(root)["resources"]:
        out[resource["path"]] = file_integrity(resource_file(root, resource)).hash
    # In a git checkout the build also records the data's history up to HEAD (history.py),
    # so a new commit makes the database stale even when the files are the same.
    head = _git_head(root)
    if head:
        out["git_head"] = head
    return out


def _git_head(root: Path) -> str | None:
    from ..versions.source import repo_of, resolve_commit

    where = repo_of(root)
    return resolve_commit(where[0], "HEAD") if where else None


def stored_fingerprint(db_path: Path) -> dict[str, str] | None:
    """The fingerprint recorded in a database, or None when there is none to read."""
    if not Path(db_path).is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            return dict(conn.execute(f"SELECT key, value FROM {FINGERPRINT_TABLE}"))
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return None


def is_current(db_path: Path, root: Path) -> bool:
    """True when the database was built by this build format from exactly these files."""
    return stored_fingerprint(db_path) == fingerprint(root)
