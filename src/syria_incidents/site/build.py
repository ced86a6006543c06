"""Build the SQLite database that Datasette serves, from a validated data package.

The build refuses a package that fails validation, derives the schema from the
descriptor (see ``schema.py``), loads each CSV with one ``executemany`` per table,
then adds indexes, full-text search and views, and finally renames a temp file
into place, so an interrupted or failed build leaves the previous database intact.
"""

from __future__ import annotations

import csv
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..package import InvalidPackage, read_descriptor, resolve_root, resource_file
from ..progress import QUIET, Progress
from ..versions.history import write_history
from . import schema
from .examples import write_examples
from .facet_counts import write_facet_counts
from .fingerprint import FINGERPRINT_TABLE, fingerprint
from .queries import examples
from .views import VIEWS, create_view_sql

DATABASE_NAME = "syria_incidents"
# Number cells whose text is not what SQLite gives back (``35.10`` stored as 35.1) keep
# their original text here, so every cell round-trips exactly (see ``roundtrip.py``).
NUMBER_TEXT_TABLE = "original_number_text"


# The name build has raised since 0.1.0; the same exception as export's.
ValidationFailed = InvalidPackage


@dataclass
class BuildResult:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def default_database_path(root: Path) -> Path:
    """``dist/syria_incidents.db`` in a checkout; a user cache folder for an installed wheel.

    A wheel's package directory is ``site-packages/syria_incidents/_package``, which
    may not be writable, so its database goes to ``$XDG_CACHE_HOME/syria-incidents``
    (default ``~/.cache/syria-incidents``), one file per data version.
    """
    root = Path(root)
    if root.name != "_package":
        return root / "dist" / f"{DATABASE_NAME}.db"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    version = read_descriptor(root)["version"]
    return cache / "syria-incidents" / version / f"{DATABASE_NAME}.db"


def build_database(
    path: str | Path | None = None,
    out: str | Path | None = None,
    *,
    validate: bool = True,
    progress: Progress = QUIET,
) -> BuildResult:
    """Build the database of the package at ``path`` (default: the bundled one) into ``out``.

    Raises ``ValidationFailed`` (with the validator's report) when the package is not
    valid; ``validate=False`` skips that check (benchmarks only: a build of invalid
    data may fail halfway, and then leaves the previous database as it was).
    ``progress`` is told each step (see ``syria_incidents.progress``); by default nothing is shown.
    """
    started = time.perf_counter()
    root = resolve_root(path)
    if validate:
        from ..validators import validate as validate_package

        with progress.step("validate") as step:
            report = validate_package(root, on_step=step.describe)
        if not report.valid:
            raise ValidationFailed(report)
    descriptor = read_descriptor(root)
    target = Path(out) if out else default_database_path(root)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        result = BuildResult(target)
        conn = sqlite3.connect(tmp, isolation_level=None)
        try:
            _fast_pragmas(conn)
            conn.execute("BEGIN")
            _write(conn, root, descriptor, result, progress)
            conn.execute("COMMIT")
            with progress.step("analyze"):
                conn.execute("PRAGMA analysis_limit=1000")
                conn.execute("ANALYZE")
        finally:
            conn.close()
        # mkstemp makes the file private; a database to publish is readable like any output.
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    result.seconds = time.perf_counter() - started
    return result


def build_release_database(root: Path, folder: Path) -> Path:
    """The database a release ships, ``<folder>/syria_incidents.db`` (``release(build_database=)``)."""
    return build_database(root, Path(folder) / f"{DATABASE_NAME}.db").path


def _fast_pragmas(conn: sqlite3.Connection) -> None:
    # The temp file is thrown away on any failure, so durability inside it buys nothing.
    for pragma in (
        "journal_mode=OFF",
        "synchronous=OFF",
        "locking_mode=EXCLUSIVE",
        "temp_store=MEMORY",
        "cache_size=-1000000",
        "threads=2",
    ):
        conn.execute(f"PRAGMA {pragma}")


def _write(
    conn: sqlite3.Connection, root: Path, descriptor: dict, result: BuildResult, progress: Progress
) -> None:
    conn.execute(
        f"CREATE TABLE {NUMBER_TEXT_TABLE} (table_name TEXT NOT NULL, "
        "row_number INTEGER NOT NULL, column_name TEXT NOT NULL, text TEXT NOT NULL, "
        "PRIMARY KEY (table_name, row_number, column_name))"
    )
    resources = descriptor["resources"]
    with progress.step("load tables", total=len(resources)) as step:
        for resource in resources:
            step.describe(resource["name"])
            conn.execute(schema.create_table_sql(resource))
            result.rows[resource["name"]] = _load(conn, resource_file(root, resource), resource)
            step.advance()
    # Indexes and search after the rows: one sort per index beats updating it row by row.
    with progress.step("indexes and search", total=len(resources)) as step:
        for resource in resources:
            step.describe(resource["name"])
            for column in schema.index_columns(resource):
                conn.execute(schema.create_index_sql(resource["name"], column))
            columns = schema.searchable_columns(resource)
            if columns:
                for statement in schema.fts_sql(resource["name"], columns):
                    conn.execute(statement)
            step.advance()
    # After the indexes: each count is then a scan of one small index.
    with progress.step("facet counts and views"):
        write_facet_counts(conn, descriptor)
        write_examples(conn, examples())  # the canned queries' worked examples, ranked once
        for view in VIEWS:
            conn.execute(create_view_sql(view))
    # Revision chains; the record history only in a git checkout (versions/history.py).
    write_history(conn, root, progress=progress)
    conn.execute(f"CREATE TABLE {FINGERPRINT_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    conn.executemany(f"INSERT INTO {FINGERPRINT_TABLE} VALUES (?, ?)", fingerprint(root).items())


def _load(conn: sqlite3.Connection, csv_path: Path, resource: dict) -> int:
    """Insert every row of one CSV; empty cells become NULL, in SQL, without a Python loop."""
    fields = resource["schema"]["fields"]
    table = schema.quote(resource["name"])
    # NULLIF in SQL turns '' into NULL; the column's type affinity turns '240' into 240.
    placeholders = ", ".join("NULLIF(?, '')" for _ in fields)
    # Named: the table's columns are in reading order, the CSV's in the descriptor's.
    columns = ", ".join(schema.quote(f["name"]) for f in fields)
    with open(csv_path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)  # header: validation has checked it matches the descriptor
        numeric = [
            (i, f["name"], f["type"]) for i, f in enumerate(fields) if f.get("type") in ("integer", "number")
        ]
        rows: Iterable[list[str]] = reader
        odd: list[tuple[str, int, str, str]] = []
        if numeric:
            rows = _keep_number_text(reader, resource["name"], numeric, odd)
        cursor = conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)
        count = cursor.rowcount
    conn.executemany(f"INSERT INTO {NUMBER_TEXT_TABLE} VALUES (?, ?, ?, ?)", odd)
    return count


def _keep_number_text(
    rows: Iterable[list[str]],
    table: str,
    numeric: list[tuple[int, str, str]],
    odd: list[tuple[str, int, str, str]],
) -> Iterator[list[str]]:
    """Pass rows through, noting number cells that SQLite would give back as other text.

    Integers stay text (SQLite's INTEGER affinity converts them exactly); numbers are
    parsed by Python so that the stored double is the correctly rounded one.
    """
    for row_number, row in enumerate(rows, start=1):
        for i, name, kind in numeric:
            text = row[i]
            if not text:
                continue
            if kind == "integer":
                # Fast path first: plain digits without a leading zero are canonical.
                plain = text.isdigit() and (text[0] != "0" or len(text) == 1) and len(text) < 19
                if not plain and not _canonical_integer(text):
                    odd.append((table, row_number, name, text))
            else:
                try:
                    value = float(text)
                except ValueError:
                    odd.append((table, row_number, name, text))
                    continue
                # SQLite keeps no negative zero: "-0.0" comes back as 0.0.
                if number_text(value) != text or (value == 0 and text.startswith("-")):
                    odd.append((table, row_number, name, text))
                row[i] = value
        yield row


def _canonical_integer(text: str) -> bool:
    try:
        value = int(text)
    except ValueError:
        return False
    return str(value) == text and -(2**63) <= value < 2**63


def number_text(value: float) -> str:
    """How a REAL read back from SQLite is written out: Python's shortest round-trip form."""
    return repr(value)
