"""Read one CSV resource into an all-strings polars frame, reporting what is
wrong with the file itself: missing file, encoding, header, blank rows and
ragged rows (the structural checks frictionless makes before it types a cell).

Fast path: polars reads the file; one extra pass over its lines (literal
counts, a regex only on lines with quotes) finds ragged rows. Anything polars
cannot read, and any file with a quoted line break (so records and lines no
longer coincide), goes through Python's ``csv`` module instead, for that file only.

A file larger than ``SLICE_BYTES`` is read in slices of whole lines (records and
lines coincide on the fast path), so the all-strings copy of a 500 MB file never
exists at once; a slice polars reads differently from the whole file (its row
count is not its line count, or it fails) sends the file back to the whole-file read.
"""

from __future__ import annotations

import codecs
import csv
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .findings import Finding
from .registry import rule

LINE = "_line"  # the column that carries each record's CSV line number
_PREFIX = 1 << 16
SLICE_BYTES = 64 << 20  # files larger than this are read and checked slice by slice


class Unsliceable(Exception):
    """A slice of the file did not read as the same lines of the whole file would: read it whole."""


@dataclass
class Table:
    """A resource as read: all-strings frame (``None`` = unreadable) and file-level findings."""

    name: str
    path: str
    fields: list[dict]
    schema: dict = field(default_factory=dict)
    frame: pl.DataFrame | None = None
    findings: list[Finding] = field(default_factory=list)
    # line number -> number of cells the row has, for rows with fewer cells than fields
    short_rows: dict[int, int] = field(default_factory=dict)
    # (path, byte offset of the first record) when the file is read in slices
    sliced: tuple[Path, int] | None = None

    @property
    def readable(self) -> bool:
        return self.frame is not None or self.sliced is not None

    def batches(self):
        """The rows as all-strings frames with their line numbers, with each frame's blank lines.

        Blank-row and missing-cell findings are added as the frames go by; a sliced
        read that does not match the whole file's raises ``Unsliceable``."""
        frames = [self.frame] if self.sliced is None else _slices(self, *self.sliced)
        blank: set[int] = set()
        for frame in frames:
            lines = _blank_lines(self, frame)
            blank.update(lines)
            yield frame, lines
        self.frame = None
        for line, cells in self.short_rows.items():
            if line not in blank:
                self.findings.extend(missing_cell(self, line, cells))

    @property
    def names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    def finding(self, rule_id, row, field_name, message, severity="error") -> Finding:
        return Finding(self.name, self.path, row, field_name, rule_id, severity, message)


@rule("missing-file", kind="structural")
def missing_file(table: Table) -> Finding:
    """A resource's CSV file named in datapackage.json does not exist.

    Reported once for the file (row and field empty)."""
    return table.finding("missing-file", None, None,
                         f"{table.path} does not exist; add the file or fix the resource's path in datapackage.json")


@rule("encoding", kind="structural")
def encoding_problem(table: Table, row: int | None, what: str) -> Finding:
    """The file is not UTF-8 without a byte-order mark.

    Reported at the line of the first undecodable byte, or at line 1 for a BOM."""
    return table.finding("encoding", row, None, what)


@rule("line-endings", "warning", kind="structural")
def line_endings(table: Table) -> Finding:
    """Lines end with CR LF (Windows) instead of LF; git would rewrite them and the recorded hash.

    Reported once at line 1."""
    return table.finding("line-endings", 1, None,
                         "the file uses Windows line ends (CR LF); save it with LF (Unix) line ends",
                         severity="warning")


@rule("header", kind="structural")
def header_problems(table: Table, labels: list[str]) -> list[Finding]:
    """The header row does not list the table's columns, by name and in order, once each.

    Reported at line 1, field = the expected column name (or the label found, for an extra column)."""
    names = table.names
    if not labels:
        return [table.finding("header", 1, None,
                              f"the file is empty; its first line must be the header: {','.join(names)}")]
    out = []
    seen = set()
    for i, label in enumerate(labels):
        expected = names[i] if i < len(names) else None
        if label in seen:
            out.append(table.finding("header", 1, expected or label,
                                     f"column {i + 1} is named {label!r} again; each column appears once. "
                                     f"The header must be: {','.join(names)}"))
        elif expected is None:
            out.append(table.finding("header", 1, label or None,
                                     f"column {i + 1} ({label!r}) is not a column of {table.name}; remove it. "
                                     f"The header must be: {','.join(names)}"))
        elif label != expected:
            hint = " (column names are case-sensitive and have no spaces)" if label.strip().lower() == expected else ""
            out.append(table.finding("header", 1, expected,
                                     f"column {i + 1} is named {label!r} but should be {expected!r}{hint}. "
                                     f"The header must be: {','.join(names)}"))
        seen.add(label)
    for i in range(len(labels), len(names)):
        out.append(table.finding("header", 1, names[i],
                                 f"column {names[i]!r} is missing from the header (expected as column {i + 1})"))
    return out


@rule("blank-row", kind="structural")
def blank_row(table: Table, row: int) -> Finding:
    """A row has no values at all.

    Reported at the blank row (field empty)."""
    return table.finding("blank-row", row, None, "this row is empty; delete the line")


@rule("extra-cell", kind="structural")
def extra_cell(table: Table, row: int, cells: int) -> Finding:
    """A row has more cells than the table has columns.

    Reported at the row, field empty (the extra cell has no column)."""
    n = len(table.fields)
    return table.finding("extra-cell", row, None,
                         f"this row has {cells} cells but {table.name} has {n} columns; "
                         "remove the extra commas or quote a value that contains a comma")


@rule("missing-cell", kind="structural")
def missing_cell(table: Table, row: int, cells: int) -> list[Finding]:
    """A row has fewer cells than the table has columns.

    Reported once per missing cell, at the row, field = the missing column."""
    n = len(table.fields)
    return [table.finding("missing-cell", row, name,
                          f"this row has {cells} cells but {table.name} has {n} columns; "
                          f"{name} is missing: add the missing commas (an empty value is written as nothing between two commas)")
            for name in table.names[cells:]]


def read_table(root: Path, resource: dict, sliced: bool = True) -> Table:
    """The resource's rows as strings (empty = null) with their CSV line numbers.

    ``sliced``: a large file may be read in slices (see ``Table.batches``)."""
    table = Table(resource.get("name", "?"), str(resource.get("path", "?")),
                  resource.get("schema", {}).get("fields", []), resource.get("schema", {}))
    csv_path = root / table.path
    if not csv_path.is_file():
        table.findings.append(missing_file(table))
        return table
    with open(csv_path, "rb") as fh:
        prefix = fh.read(_PREFIX)
    if prefix.startswith(codecs.BOM_UTF8):
        table.findings.append(encoding_problem(
            table, 1, "the file starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without BOM"))
    if b"\r\n" in prefix.split(b"\n", 1)[0] + b"\n" or prefix.split(b"\n", 1)[0].endswith(b"\r"):
        table.findings.append(line_endings(table))
    try:
        _read_fast(csv_path, table, sliced)
    except _SlowPath:
        _read_slow(csv_path, table)
    except Exception:  # polars refused the file: let the csv module say where
        _read_slow(csv_path, table)
    return table


class _SlowPath(Exception):
    """Records and lines do not coincide, or the file is not valid UTF-8."""


def _header_labels(csv_path: Path) -> list[str]:
    with open(csv_path, "rb") as fh:
        first = fh.readline(1 << 20)
    text = first.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
    if not text:
        return []
    return next(csv.reader([text]), [])


def _read_fast(csv_path: Path, table: Table, sliced: bool = True) -> None:
    names = table.names
    n = len(names)
    lines = pl.scan_lines(csv_path, name="text").with_row_index("i", offset=1)
    # Literal counts are cheap; the quote-aware count runs only on lines that need it.
    stats = lines.select(
        "i",
        pl.col("text").str.count_matches(",", literal=True).alias("commas"),
        pl.col("text").str.count_matches('"', literal=True).alias("quotes"),
        pl.col("text"),
    ).filter(
        (pl.col("quotes") % 2 == 1) | (pl.col("commas") < n - 1)
        | ((pl.col("commas") > n - 1) & (pl.col("quotes") == 0))
        | ((pl.col("commas") > n - 1) & (pl.col("quotes") > 0))
    ).filter(
        (pl.col("quotes") % 2 == 1) | (pl.col("quotes") == 0)
        | (pl.col("text").str.replace_all(r'"[^"]*"', "").str.count_matches(",", literal=True) != n - 1)
    ).collect()
    if (stats["quotes"] % 2 == 1).any():
        raise _SlowPath
    labels = _header_labels(csv_path)
    table.findings.extend(header_problems(table, labels) if labels != names else [])
    if sliced and csv_path.stat().st_size > SLICE_BYTES:
        with open(csv_path, "rb") as fh:
            fh.readline()  # the header: polars' skip_rows=1 skips exactly this line
            start = fh.tell()
        _ragged(table, stats, n)
        table.sliced = (csv_path, start)
        return
    try:
        frame = pl.read_csv(csv_path, has_header=False, skip_rows=1, infer_schema=False,
                            schema={name: pl.String for name in names}, truncate_ragged_lines=True,
                            raise_if_empty=False)
    except pl.exceptions.NoDataError:
        frame = pl.DataFrame(schema={name: pl.String for name in names})
    if frame.width != n:
        raise _SlowPath
    frame = frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
    _ragged(table, stats, n)
    table.frame = frame


def _ragged(table: Table, stats: pl.DataFrame, n: int) -> None:
    """Short rows (kept for missing-cell) and extra-cell findings, from the lines the line pass flagged."""
    ragged = stats.filter(pl.col("i") > 1)
    for line, text in zip(ragged["i"].to_list(), ragged["text"].to_list()):
        cells = len(next(csv.reader([text]), [])) if text else 0
        if 0 < cells < n and text.strip(","):
            table.short_rows[line] = cells
        elif cells > n:
            table.findings.append(extra_cell(table, line, cells))


def _slices(table: Table, csv_path: Path, start: int):
    """All-strings frames of about SLICE_BYTES of whole lines each, numbered as in the file."""
    names = table.names
    schema = {name: pl.String for name in names}
    line = 2
    with open(csv_path, "rb") as fh:
        fh.seek(start)
        while data := fh.read(SLICE_BYTES):
            if not data.endswith(b"\n"):
                data += fh.readline()
            lines = data.count(b"\n") + (not data.endswith(b"\n"))
            try:
                frame = pl.read_csv(data, has_header=False, infer_schema=False, schema=schema,
                                    truncate_ragged_lines=True, raise_if_empty=False)
            except Exception as exc:  # the whole-file read decides what is wrong
                raise Unsliceable from exc
            del data
            if frame.width != len(names) or frame.height != lines:
                raise Unsliceable
            yield frame.with_row_index(LINE, offset=line).with_columns(pl.col(LINE).cast(pl.Int64))
            line += lines


def _blank_lines(table: Table, frame: pl.DataFrame) -> list[int]:
    """Lines of ``frame`` with no value at all, each reported as a blank row."""
    names = table.names
    blank = frame.filter(pl.all_horizontal(pl.col(names).is_null()))[LINE].to_list() if names else []
    table.findings.extend(blank_row(table, line) for line in blank)
    return blank


def _read_slow(csv_path: Path, table: Table) -> None:
    """Python's csv module over the whole file: exact line numbers for anything."""
    table.findings = [f for f in table.findings if f.rule not in ("header",)]
    table.short_rows = {}
    data = csv_path.read_bytes()
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        table.findings.append(encoding_problem(
            table, line, f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}); "
            "save it as UTF-8 (in a spreadsheet: 'CSV UTF-8'). Undecodable bytes are shown as \ufffd below"))
        text = data.decode("utf-8", errors="replace")
    del data
    names = table.names
    n = len(names)
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(io.StringIO(text, newline=""))
    columns: list[list] = [[] for _ in names]
    lines: list[int] = []
    start = 1
    labels = None
    try:
        for record in reader:
            if labels is None:
                labels = record
                start = reader.line_num + 1
                continue
            line = start
            start = reader.line_num + 1
            if len(record) > n:
                table.findings.append(extra_cell(table, line, len(record)))
            elif 0 < len(record) < n and any(record):
                table.short_rows[line] = len(record)
            lines.append(line)
            for i, col in enumerate(columns):
                value = record[i] if i < len(record) else ""
                col.append(value if value != "" else None)
    except csv.Error as exc:
        table.findings.append(encoding_problem(
            table, reader.line_num, f"the file cannot be read as CSV from line {reader.line_num} on ({exc}); "
            "check for an unclosed quote"))
    table.findings.extend(header_problems(table, labels or []) if (labels or []) != names else [])
    frame = pl.DataFrame({name: pl.Series(name, col, dtype=pl.String) for name, col in zip(names, columns)})
    table.frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
