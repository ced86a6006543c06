"""Build corrupted copies of the package in a temp dir, for the validation tests.

The copies are of the frozen fixture ``tests/fixtures/package-0.1.0`` (release 0.1.0,
never edited), not of the bundled data: a test that names F-0001 (240, with parts
F-0002 and F-0003), I-0002 or a CSV line must keep holding when a contribution adds,
corrects or renumbers rows of the bundled data.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from unittest import mock

from syria_incidents.stamp import stamp
from syria_incidents.validators import engine, reading, validate

# Release 0.1.0 as it was published: the tests' fixed point. Copy it before changing it.
FIXTURE_ROOT = Path(__file__).resolve().parent / "fixtures" / "package-0.1.0"
FIXTURE_VERSION = "0.1.0"
# The repository checkout: the bundled data, README.md, metadata.yaml, docs/.
REPO_ROOT = Path(__file__).resolve().parents[1]


def copy_fixture(target: Path) -> Path:
    """A copy of the 0.1.0 fixture (datapackage.json and everything under data/) at ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(FIXTURE_ROOT / "datapackage.json", target / "datapackage.json")
    shutil.copytree(FIXTURE_ROOT / "data", target / "data")
    return target


def copy_package(tmp_path: Path) -> Path:
    """A fresh copy of the 0.1.0 fixture package under ``tmp_path / "pkg"``."""
    return copy_fixture(tmp_path / "pkg")


def read_rows(root: Path, table: str) -> list[dict]:
    with open(root / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_rows(root: Path, table: str, rows: list[dict], restamp: bool = True) -> None:
    """Rewrite a table from dicts (LF line ends, minimal quoting) and, by default, restamp bytes/hash."""
    header = list(rows[0]) if rows else _header(root, table)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    (root / "data" / f"{table}.csv").write_bytes(buffer.getvalue().encode("utf-8"))
    if restamp:
        stamp(root)


def _header(root: Path, table: str) -> list[str]:
    with open(root / "data" / f"{table}.csv", encoding="utf-8", newline="") as fh:
        return next(csv.reader(fh))


def edit(root: Path, table: str, row_id: str, restamp: bool = True, **values) -> int:
    """Set columns of the row whose id (first column) is row_id; returns its CSV line number."""
    rows = read_rows(root, table)
    key = next(iter(rows[0]))
    for index, row in enumerate(rows):
        if row[key] == row_id:
            row.update({k: str(v) for k, v in values.items()})
            write_rows(root, table, rows, restamp)
            return index + 2
    raise KeyError(row_id)


def append(root: Path, table: str, restamp: bool = True, **values) -> int:
    """Append a row copied from the table's first row with ``values`` changed; returns its line."""
    rows = read_rows(root, table)
    row = dict(rows[0])
    row.update({k: str(v) for k, v in values.items()})
    rows.append(row)
    write_rows(root, table, rows, restamp)
    return len(rows) + 1


def line_of(root: Path, table: str, row_id: str) -> int:
    rows = read_rows(root, table)
    key = next(iter(rows[0]))
    return next(i + 2 for i, row in enumerate(rows) if row[key] == row_id)


def write_raw(root: Path, table: str, data: bytes, restamp: bool = True) -> None:
    (root / "data" / f"{table}.csv").write_bytes(data)
    if restamp:
        stamp(root)


# Everything a finding says, position included.
FINDING_KEYS = ("path", "row", "field", "rule", "severity", "message")


def csv_module_path(root, res, fast=True):
    """``reading.read_table`` forced onto the reference path: Python's csv module, whole file."""
    return reading.read_table(root, res, fast=False)


def validate_both(root: Path):
    """``validate(root)`` as it runs (polars slices, unless a file needs the csv module) and again
    with every file read by the csv module, the reference path; the findings must be the same.
    Returns the first report."""
    fast = validate(root)
    with mock.patch.object(engine, "read_table", csv_module_path):
        reference = validate(root)
    assert fast.flatten(FINDING_KEYS) == reference.flatten(FINDING_KEYS), (
        "the polars slices and the csv module disagree:\n"
        + "\n".join(
            f"{a} | {b}" for a, b in zip(map(str, fast.errors), map(str, reference.errors)) if a != b
        )
        + f"\n(polars {len(fast.errors)} findings, csv module {len(reference.errors)})"
    )
    return fast
