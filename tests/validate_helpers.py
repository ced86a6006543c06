"""Build corrupted copies of the package in a temp dir, for the validation tests."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from syria_incidents.package import bundled_root
from syria_incidents.stamp import stamp


def copy_package(tmp_path: Path) -> Path:
    """A fresh copy of the bundled package (datapackage.json and data/) under tmp_path."""
    src = bundled_root()
    root = tmp_path / "pkg"
    (root / "data").mkdir(parents=True)
    shutil.copy(src / "datapackage.json", root / "datapackage.json")
    for csv_file in (src / "data").glob("*.csv"):
        shutil.copy(csv_file, root / "data" / csv_file.name)
    return root


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
