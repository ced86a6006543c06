"""Mechanical repairs of the tables: what a spreadsheet breaks and a person need not decide.

Line ends become LF, a byte-order mark goes, text cells are put in Unicode NFC with
their outer whitespace trimmed, and a missing final newline is added. Nothing else
changes: numbers, dates, ids (primary and foreign keys) and vocabulary values are
never touched, and inside a text cell only outer whitespace and the Unicode form of
its characters can change, never its words. A file that is not UTF-8 is left as it is
(``validate`` names the line).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .package import foreign_keys, primary_key, resource_file

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Repair:
    """What a repair changed in one file, in words."""

    path: str
    change: str

    def __str__(self) -> str:
        return f"{self.path}: {self.change}"


def text_columns(res: dict) -> set[str]:
    """The columns whose cells may be normalised: strings that are neither keys nor vocabulary."""
    schema = res.get("schema") or {}
    keys = set(primary_key(res)).union(*(fk.fields for fk in foreign_keys(res)))
    return {
        f["name"]
        for f in schema.get("fields", [])
        if isinstance(f, dict)
        and f.get("type", "string") == "string"
        and f.get("name") not in keys
        and not (f.get("constraints") or {}).get("enum")
    }


def normalise_cell(value: str) -> str:
    """NFC, outer whitespace trimmed: the only change a text cell may get."""
    return unicodedata.normalize("NFC", value).strip()


def repair_table(root: Path, res: dict) -> list[Repair]:
    """Repair one table's file in place (atomically); returns what changed."""
    target = resource_file(root, res)
    if not target.is_file():
        return []
    original = target.read_bytes()
    data, repairs = original, []
    if data.startswith(BOM):
        data = data[len(BOM) :]
        repairs.append("byte-order mark removed")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        repairs.append("line ends made LF")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [Repair(res["path"], f"not repaired: not UTF-8 at line {line} (save the file as UTF-8)")]
    text, cells = _normalise_cells(text, text_columns(res))
    if cells:
        repairs.append(
            f"{cells} text cell{'s' if cells != 1 else ''} put in NFC / trimmed of outer whitespace"
        )
    if text and not text.endswith("\n"):
        text += "\n"
        repairs.append("final newline added")
    new = text.encode("utf-8")
    if new != original:
        write_bytes_atomic(target, new)
    return [Repair(res["path"], r) for r in repairs]


def _normalise_cells(text: str, columns: set[str]) -> tuple[str, int]:
    """The text with its text cells normalised, and how many changed; rewritten only if any did."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        return text, 0  # unparseable: validate reports where
    if not rows:
        return text, 0
    positions = [i for i, name in enumerate(rows[0]) if name in columns]
    changed = 0
    for row in rows[1:]:
        for i in positions:
            if i < len(row):
                fixed = normalise_cell(row[i])
                if fixed != row[i]:
                    row[i] = fixed
                    changed += 1
    if not changed:
        return text, 0
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue(), changed


def write_bytes_atomic(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` through a temporary file, so no half-written file is left."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
