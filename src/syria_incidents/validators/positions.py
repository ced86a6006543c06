"""Character columns of findings, for editors and GitHub annotations.

GitHub's ``col=`` is a character position in the line, not a column name: this
reads only the lines that carry findings and finds where the cell starts.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path


def cell_starts(line: str) -> list[int]:
    """1-based character position where each cell of one CSV line starts."""
    starts, quoted = [1], False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            starts.append(index + 2)
    return starts


def character_columns(root: Path, findings) -> dict:
    """``{(path, row, field): column}`` for every finding with a row and a field."""
    rows_by_path = defaultdict(set)
    for finding in findings:
        if finding.row is not None and finding.field and finding.path:
            rows_by_path[finding.path].add(finding.row)
    lines = {}
    for path, rows in rows_by_path.items():
        try:
            with open(root / path, encoding="utf-8", errors="replace", newline="") as fh:
                header: list[str] = []
                for number, line in enumerate(fh, start=1):
                    if number == 1:
                        header = next(csv.reader([line]), [])
                    if number in rows:
                        lines[(path, number)] = (header, cell_starts(line.rstrip("\r\n")))
                    if number >= max(rows):
                        break
        except OSError:
            continue  # the file-level finding already says why it cannot be read
    columns = {}
    for finding in findings:
        header, starts = lines.get((finding.path, finding.row), ([], []))
        if finding.field in header and header.index(finding.field) < len(starts):
            columns[(finding.path, finding.row, finding.field)] = starts[header.index(finding.field)]
    return columns
