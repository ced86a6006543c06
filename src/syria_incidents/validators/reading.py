"""Read one CSV resource into all-strings polars frames, reporting what is
wrong with the file itself: missing file, encoding, header, blank rows and
ragged rows (the structural checks frictionless makes before it types a cell).

Fast path: polars reads the file in slices of whole lines (``SLICE_BYTES``), so
the all-strings copy of a 500 MB file never exists at once. Each line of a slice
gets one extra cell, a marker, before polars reads it: in a row with the right
number of cells the marker lands in the extra column; anywhere else it shows the
row is short or long, with no second pass over the lines. A slice whose record
count is not its line count (a quoted line break), which polars cannot read, or
which has a carriage return or the marker byte itself, sends the whole file to
Python's ``csv`` module instead, which reads anything and says where.
"""

from __future__ import annotations

import codecs
import csv
import io
import mmap
import os
import sys
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import polars as pl

from .background import prefetched
from .findings import Finding
from .registry import rule

# A cell may be any size (a 50 MB line is reported, not a crash): the csv module's
# default limit (128 KB a field) would raise where the header or a ragged row is read.
csv.field_size_limit(sys.maxsize)

LINE = "_line"  # the column that carries each record's CSV line number
# Findings of one rule listed one by one, per table (per check and slice of a big file for
# the cell rules); one more finding counts the rest, so output stays small whatever the input.
MAX_ROW_FINDINGS = 1000


def more_findings(more: int) -> str:
    """The message of the finding that stands for ``more`` findings not listed."""
    if more == 1:
        return (
            f"this row has the same problem as the {MAX_ROW_FINDINGS:,} rows listed before it; "
            "fix those and validate again"
        )
    return (
        f"this row and {more - 1:,} more after it have the same problem as the {MAX_ROW_FINDINGS:,} rows "
        "listed before it, and are not listed one by one; fix those and validate again"
    )


_PREFIX = 1 << 16
SLICE_BYTES = 16 << 20  # files are read and checked this many bytes (of whole lines) at a time
MARKER = "\x01"  # the extra last cell given to every line of a slice
_MARKED = "\x00marker"  # the column it lands in when a row has the right number of cells


class Unsliceable(Exception):
    """A slice of the file cannot be read line by line with polars: read the file with Python's csv
    module."""


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
    # (path, byte offset of the first record) when the file is read in slices by polars
    sliced: tuple[Path, int] | None = None
    # rule id -> [row findings of that rule so far, first row not listed], for MAX_ROW_FINDINGS
    counts: dict[str, list] = field(default_factory=dict)

    def report(self, rule_id: str, line: int, make) -> None:
        """Add the finding(s) ``make()`` gives for ``line``, unless MAX_ROW_FINDINGS of ``rule_id`` came
        before.

        A file of a million empty or ragged lines then gives a thousand findings and
        one that counts the rest, not millions (see ``summarise``)."""
        count = self.counts.setdefault(rule_id, [0, None])
        count[0] += 1
        if count[0] <= MAX_ROW_FINDINGS:
            made = make()
            self.findings.extend(made if isinstance(made, list) else [made])
        elif count[1] is None:
            count[1] = line

    def summarise(self) -> None:
        """One finding for each rule's rows beyond MAX_ROW_FINDINGS."""
        for rule_id, (count, line) in self.counts.items():
            if count > MAX_ROW_FINDINGS:
                self.findings.append(
                    self.finding(rule_id, line, None, more_findings(count - MAX_ROW_FINDINGS))
                )
        self.counts = {}

    @property
    def readable(self) -> bool:
        return self.frame is not None or self.sliced is not None

    def batches(self):
        """The rows as all-strings frames with their line numbers, with each frame's blank lines.

        Blank-row and missing-cell findings are added as the frames go by; a slice
        polars cannot read line by line raises ``Unsliceable``."""
        frames = [self.frame] if self.sliced is None else _slices(self, *self.sliced)
        blank: set[int] = set()
        for frame in frames:
            lines = _blank_lines(self, frame)
            blank.update(lines)
            yield frame, lines
        self.frame = None
        for line, cells in self.short_rows.items():
            if line not in blank:
                self.report("missing-cell", line, partial(missing_cell, self, line, cells))
        self.summarise()

    @property
    def names(self) -> list[str]:
        return [f["name"] for f in self.fields]

    def finding(self, rule_id, row, field_name, message, severity="error") -> Finding:
        return Finding(self.name, self.path, row, field_name, rule_id, severity, message)


@rule("missing-file", kind="structural", stage="file", file_level=True)
def missing_file(table: Table, root: Path | None = None) -> Finding:
    """A resource's CSV file named in datapackage.json does not exist (or is a folder, a pipe or a device).

    Reported once for the file (row and field empty).

    To fix: add the file, or fix the resource's path in datapackage.json."""
    path = Path(root) / table.path if root is not None else None
    if path is not None and os.path.lexists(path):  # there, but not a file that can be read to its end
        kind = (
            "a folder"
            if path.is_dir()
            else "a named pipe"
            if path.is_fifo()
            else "a device"
            if path.is_char_device() or path.is_block_device()
            else "not a regular file"
        )
        return table.finding(
            "missing-file",
            None,
            None,
            f"{table.path} is {kind}, not a CSV file; commit the CSV file itself at that path "
            "or fix the resource's path in datapackage.json",
        )
    return table.finding(
        "missing-file",
        None,
        None,
        f"{table.path} does not exist; add the file or fix the resource's path in datapackage.json",
    )


@rule("encoding", kind="structural", stage="file", file_level=True)
def encoding_problem(table: Table, row: int | None, what: str) -> Finding:
    """The file is not UTF-8 without a byte-order mark (syria-incidents fix removes a byte-order mark).

    Reported at the line of the first undecodable byte, or at line 1 for a BOM.

    To fix: save as "CSV UTF-8"; a byte-order mark alone: run `syria-incidents fix`."""
    return table.finding("encoding", row, None, what)


@rule("line-endings", kind="structural", stage="file", file_level=True)
def line_endings(table: Table, data: bytes) -> Finding | None:
    """Lines end with CR LF (Windows) or CR alone (old Mac) instead of LF; an error, as in CI: git stores
    the file with LF, so its bytes and hash would no longer match there (syria-incidents fix rewrites
    them as LF).

    Reported once, at the first line that ends so.

    To fix: run `syria-incidents fix`."""
    crlf = data.find(b"\r\n")
    if crlf >= 0:
        line, ends = data.count(b"\n", 0, crlf) + 1, "Windows line ends (CR LF)"
    elif b"\r" in data and b"\n" not in data:
        line, ends = 1, "old Mac line ends (CR)"
    else:
        return None  # a carriage return inside a line is a control character in a value
    return table.finding(
        "line-endings",
        line,
        None,
        f"line {line} (and maybe others) has {ends}; run syria-incidents fix to rewrite "
        "them as LF (Unix) line ends",
    )


@rule("header", kind="structural", stage="file", file_level=True)
def header_problems(table: Table, labels: list[str]) -> list[Finding]:
    """The header row does not list the table's columns, by name and in order, once each.

    Reported at line 1, field = the expected column name (or the label found, for an extra column).

    To fix: restore the header row exactly as in datapackage.json; save as CSV with commas."""
    names = table.names
    if not labels:
        return [
            table.finding(
                "header", 1, None, f"the file is empty; its first line must be the header: {','.join(names)}"
            )
        ]
    called = wrong_separator(labels, names)
    if called:
        return [
            table.finding(
                "header",
                1,
                None,
                f"the values are separated by {called}, not commas, so the rows were not checked; "
                "save the file as CSV with commas (in a spreadsheet: 'CSV UTF-8 (comma delimited)')",
            )
        ]
    out = []
    seen = set()
    for i, label in enumerate(labels):
        expected = names[i] if i < len(names) else None
        if label in seen:
            out.append(
                table.finding(
                    "header",
                    1,
                    expected or label,
                    f"column {i + 1} is named {_shown(label)} again; each column appears once. "
                    f"The header must be: {','.join(names)}",
                )
            )
        elif expected is None:
            out.append(
                table.finding(
                    "header",
                    1,
                    (label if len(label) <= 60 else label[:57] + "…") or None,
                    f"column {i + 1} ({_shown(label)}) is not a column of {table.name}; remove it. "
                    f"The header must be: {','.join(names)}",
                )
            )
        elif label != expected:
            hint = (
                " (column names are case-sensitive and have no spaces)"
                if label.strip().lower() == expected
                else ""
            )
            out.append(
                table.finding(
                    "header",
                    1,
                    expected,
                    f"column {i + 1} is named {_shown(label)} but should be {expected!r}{hint}. "
                    f"The header must be: {','.join(names)}",
                )
            )
        seen.add(label)
    for i in range(len(labels), len(names)):
        out.append(
            table.finding(
                "header",
                1,
                names[i],
                f"column {names[i]!r} is missing from the header (expected as column {i + 1})",
            )
        )
    if len(out) > _HEADER_SHOWN:  # a header of thousands of columns: the first few say enough
        more = len(out) - _HEADER_SHOWN
        out = out[:_HEADER_SHOWN] + [
            table.finding(
                "header",
                1,
                None,
                f"the header has {len(labels)} columns where {table.name} has {len(names)}; "
                f"{more:,} more problems with it are not listed. The header must be: {','.join(names)}",
            )
        ]
    return out


_HEADER_SHOWN = 20  # header findings listed one by one; the rest are counted in one more


def _shown(label: str) -> str:
    """A header label as a message shows it: quoted, and cut when long (a file with no line end
    has its whole first megabyte as one label)."""
    return repr(label if len(label) <= 60 else label[:57] + "…")


@rule("blank-row", kind="structural", stage="file")
def blank_row(table: Table, row: int) -> Finding:
    """A row has no values at all.

    Reported at the blank row (field empty).

    To fix: delete the empty line."""
    return table.finding("blank-row", row, None, "this row is empty; delete the line")


@rule("extra-cell", kind="structural", stage="file")
def extra_cell(table: Table, row: int, cells: int) -> Finding:
    """A row has more cells than the table has columns.

    Reported at the row, field empty (the extra cell has no column).

    To fix: look for an unquoted comma in a text value: quote the cell."""
    n = len(table.fields)
    return table.finding(
        "extra-cell",
        row,
        None,
        f"this row has {cells} cells but {table.name} has {n} columns; "
        "remove the extra commas or quote a value that contains a comma",
    )


@rule("missing-cell", kind="structural", stage="file")
def missing_cell(table: Table, row: int, cells: int) -> list[Finding]:
    """A row has fewer cells than the table has columns.

    Reported once per missing cell, at the row, field = the missing column.

    To fix: add the missing commas (an empty value is written as nothing between two commas)."""
    n = len(table.fields)
    return [
        table.finding(
            "missing-cell",
            row,
            name,
            f"this row has {cells} cells but {table.name} has {n} columns; "
            f"{name} is missing: add the missing commas (an empty value is written as nothing "
            "between two commas)",
        )
        for name in table.names[cells:]
    ]


def wrong_separator(labels: list[str], names: list[str]) -> str | None:
    """What separates the values instead of commas ("semicolons" …), when the header shows it."""
    if len(labels) == 1 and len(names) > 1:
        for separator, called in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars")):
            if labels[0].split(separator) == names:
                return called
    return None


def read_table(root: Path, resource: dict, fast: bool = True) -> Table:
    """The resource's rows as strings (empty = null) with their CSV line numbers.

    ``fast``: read with polars, slice by slice (see ``Table.batches``); otherwise
    with Python's csv module, whole."""
    table = Table(
        resource.get("name", "?"),
        str(resource.get("path", "?")),
        resource.get("schema", {}).get("fields", []),
        resource.get("schema", {}),
    )
    csv_path = root / table.path
    if not csv_path.is_file():
        table.findings.append(missing_file(table, root))
        return table
    with open(csv_path, "rb") as fh:
        prefix = fh.read(_PREFIX)
    if prefix.startswith(codecs.BOM_UTF8):
        table.findings.append(
            encoding_problem(
                table,
                1,
                "the file starts with a UTF-8 byte-order mark (BOM); run syria-incidents fix to remove it",
            )
        )
    if fast and b"\r" not in prefix:
        labels = _header_labels(csv_path)
        table.findings.extend(header_problems(table, labels) if labels != table.names else [])
        if wrong_separator(labels, table.names):
            return table  # every row would be one long cell: nothing to check until it is re-saved
        with open(csv_path, "rb") as fh:
            fh.readline()  # the header
            table.sliced = (csv_path, fh.tell())
    else:
        _read_slow(csv_path, table)
    return table


def _header_labels(csv_path: Path) -> list[str]:
    with open(csv_path, "rb") as fh:
        first = fh.readline(1 << 20)
    text = first.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r\n")
    if not text:
        return []
    return next(csv.reader([text]), [])


def _slices(table: Table, csv_path: Path, start: int):
    """All-strings frames of about SLICE_BYTES of whole lines each, numbered as in the file.

    The next slice is read while the caller checks this one (polars releases the GIL),
    so the two cores share reading and checking."""
    empty = True
    for frame in prefetched(_read_slices(table, csv_path, start)):
        empty = False
        yield frame
    if empty:
        yield pl.DataFrame(schema={LINE: pl.Int64} | {name: pl.String for name in table.names})


def _read_slices(table: Table, csv_path: Path, start: int):
    schema = {name: pl.String for name in table.names} | {_MARKED: pl.String}
    marker = MARKER.encode()
    line = 2
    for data in _line_slices(csv_path, start):
        if b"\r" in data or marker in data:
            raise Unsliceable
        marked = data.replace(b"\n", b"," + marker + b"\n")
        lines = (len(marked) - len(data)) // 2
        try:
            frame = pl.read_csv(
                marked,
                has_header=False,
                schema=schema,
                infer_schema=False,
                truncate_ragged_lines=True,
                null_values=[""],
                raise_if_empty=False,
            )
        except Exception as exc:
            raise Unsliceable from exc
        del marked
        if frame.height != lines:  # a quoted line break: records and lines differ
            raise Unsliceable
        frame = frame.with_row_index(LINE, offset=line).with_columns(pl.col(LINE).cast(pl.Int64))
        ragged = frame.filter(pl.col(_MARKED).ne_missing(MARKER))
        if ragged.height:
            frame = _unmark(table, frame, ragged, data, line)
        del data
        yield frame.drop(_MARKED)
        line += lines


def _line_slices(csv_path: Path, start: int):
    """The file from byte ``start`` on, as bytes of about SLICE_BYTES, each ending with a line end."""
    with open(csv_path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size <= start:
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            pos = start
            while pos < size:
                end = min(pos + SLICE_BYTES, size)
                if end < size and mm[end - 1] != ord("\n"):
                    line_end = mm.find(b"\n", end)
                    end = size if line_end < 0 else line_end + 1
                data = mm[pos:end]
                pos = end
                yield data if data.endswith(b"\n") else data + b"\n"  # the last line may have no line end


def _unmark(
    table: Table, frame: pl.DataFrame, ragged: pl.DataFrame, data: bytes, first: int
) -> pl.DataFrame:
    """Record the slice's short and long rows and take the marker out of the short rows' cells.

    A short row is known by where the marker landed; a long row (the marker was cut off)
    has its text looked up and parsed."""
    n = len(table.names)
    names = table.names
    if n >= 2:  # an empty line reads as an empty cell and the marker: a blank row, with no text to look up
        empty = (
            pl.col(names[0]).is_null()
            & pl.col(names[1]).eq_missing(MARKER)
            & pl.all_horizontal([pl.col(name).is_null() for name in names[2:]] or [pl.lit(True)])
        )
        ragged = ragged.filter(~empty)
    # A short row has the marker in the cell after its last one: its cell count, without parsing it.
    ragged = ragged.with_columns(
        pl.coalesce(
            [pl.when(pl.col(name) == MARKER).then(pl.lit(i, dtype=pl.Int64)) for i, name in enumerate(names)]
        ).alias("\x00cells")
    )
    short = ragged.filter(
        pl.col("\x00cells").is_not_null()
        & (pl.col("\x00cells") > 0)
        & pl.any_horizontal([pl.col(name).is_not_null() & (pl.col(name) != MARKER) for name in names])
    )
    table.short_rows.update(zip(short[LINE].to_list(), short["\x00cells"].to_list()))
    # A long row (rare: each is an error) has its text looked up and parsed.
    long = ragged.filter(pl.col("\x00cells").is_null())
    texts = data.split(b"\n") if long.height else []
    for line in long[LINE].to_list():
        text = texts[line - first].decode("utf-8", errors="replace")
        cells = len(next(csv.reader([text]), [])) if text else 0
        if cells > n:
            table.report("extra-cell", line, partial(extra_cell, table, line, cells))
    short = pl.col(_MARKED).ne_missing(MARKER)
    return frame.with_columns(
        pl.when(short & (pl.col(name) == MARKER)).then(None).otherwise(pl.col(name)).alias(name)
        for name in table.names
    )


def _blank_lines(table: Table, frame: pl.DataFrame) -> list[int]:
    """Lines of ``frame`` with no value at all, each reported as a blank row."""
    names = table.names
    blank = frame.filter(pl.all_horizontal(pl.col(names).is_null()))[LINE].to_list() if names else []
    for line in blank[: MAX_ROW_FINDINGS + 1]:
        table.report("blank-row", line, partial(blank_row, table, line))
    if len(blank) > MAX_ROW_FINDINGS + 1:  # counted without a call per line
        table.counts["blank-row"][0] += len(blank) - MAX_ROW_FINDINGS - 1
    return blank


def _read_slow(csv_path: Path, table: Table) -> None:
    """Python's csv module over the whole file: exact line numbers for anything."""
    table.findings = [f for f in table.findings if f.rule not in ("header",)]
    table.short_rows = {}
    data = csv_path.read_bytes()
    table.findings.extend(f for f in [line_endings(table, data)] if f is not None)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # As frictionless does, the rows are not checked: read with the wrong encoding they
        # would give hundreds of findings (and foreign-key errors in the tables pointing
        # here) that all go away once the file is saved as UTF-8.
        line = data.count(b"\n", 0, exc.start) + 1
        table.findings.append(
            encoding_problem(
                table,
                line,
                f"the file is not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}), so its rows "
                "were not checked; save it as UTF-8 (in a spreadsheet: 'CSV UTF-8') and validate again",
            )
        )
        return
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
                if wrong_separator(labels, names):
                    table.findings.extend(header_problems(table, labels))
                    return  # every row would be one long cell
                start = reader.line_num + 1
                continue
            line = start
            start = reader.line_num + 1
            if len(record) > n:
                table.report("extra-cell", line, partial(extra_cell, table, line, len(record)))
            elif 0 < len(record) < n and any(record):
                table.short_rows[line] = len(record)
            lines.append(line)
            for i, col in enumerate(columns):
                value = record[i] if i < len(record) else ""
                col.append(value if value != "" else None)
    except csv.Error as exc:
        table.findings.append(
            encoding_problem(
                table,
                reader.line_num,
                f"the file cannot be read as CSV from line {reader.line_num} on ({exc}); "
                "check for an unclosed quote",
            )
        )
    table.findings.extend(header_problems(table, labels or []) if (labels or []) != names else [])
    frame = pl.DataFrame({name: pl.Series(name, col, dtype=pl.String) for name, col in zip(names, columns)})
    table.frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
