"""What a database was built from, so ``serve`` can tell when it is out of date.

The build stores the sha256 of the descriptor and of every CSV, the build format and,
in a git checkout, the last commit that touched the package (the record history is
written up to it) in a small table; the database is current when they all still match.
Hashes, not modification times: a fresh clone or a copied file has new mtimes
but the same content, and an edit within the same second is still seen.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..package import DESCRIPTOR_NAME, read_descriptor, resource_file
from ..stamp import file_integrity
from ..versions.history import last_package_commit

FINGERPRINT_TABLE = "build_fingerprint"
# Bump when the build writes a different schema, views or search, to force a rebuild.
BUILD_FORMAT = "3"  # 2: facet_counts; 3: columns in reading order, search on every table


def fingerprint(root: Path) -> dict[str, str]:
    """Key -> value: the build format and the sha256 of the descriptor and each CSV."""
    root = Path(root)
    out = {"build_format": BUILD_FORMAT, DESCRIPTOR_NAME: file_integrity(root / DESCRIPTOR_NAME).hash}
    for resource in read_descriptor(root)["resources"]:
        out[resource["path"]] = file_integrity(resource_file(root, resource)).hash
    # In a git checkout the build also writes the record history, which changes only with a
    # commit that touches the package: such a commit makes the database stale even when the
    # files are the same, and a commit of docs or code alone does not.
    commit = last_package_commit(root)
    if commit:
        out["package_commit"] = commit
    return out


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
