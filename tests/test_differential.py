"""Differential test: our structural checks against frictionless 5 on the same files.

Each case corrupts one thing in a copy of the frozen 0.1.0 package (tests/fixtures). Frictionless and our
validator both run on it; every (resource, row, field, kind) frictionless reports,
mapped to our rule ids, must be among our findings. Each case also names the
finding it is about, so a case where both validators stay silent still fails.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import frictionless
import pytest
from validate_helpers import FIXTURE_ROOT, REPO_ROOT

from syria_incidents.stamp import stamp
from syria_incidents.validators import validate

# The cases name rows and cells of release 0.1.0, frozen; the bundled data grows.
REAL = FIXTURE_ROOT
DESCRIPTOR = json.loads((REAL / "datapackage.json").read_text(encoding="utf-8"))
PATHS = {res["name"]: res["path"] for res in DESCRIPTOR["resources"]}

# frictionless error type -> our rule id. constraint-error is split by its note below.
KINDS = {
    "type-error": "type",
    "unique-error": "primary-key",
    "primary-key": "primary-key",
    "foreign-key": "foreign-key",
    "extra-cell": "extra-cell",
    "missing-cell": "missing-cell",
    "blank-row": "blank-row",
    "incorrect-label": "header",
    "missing-label": "header",
    "extra-label": "header",
    "duplicate-label": "header",
    "blank-label": "header",
    "hash-count": "bytes-hash",
    "byte-count": "bytes-hash",
    "encoding-error": "encoding",
    "scheme-error": "missing-file",
}
CONSTRAINTS = {
    "required": "required",
    "enum": "enum",
    "pattern": "pattern",
    "unique": "primary-key",
    "minimum": "range",
    "maximum": "range",
    "exclusiveMinimum": "range",
    "exclusiveMaximum": "range",
    "minLength": "range",
    "maxLength": "range",
}
# Kinds about the whole file or its header line: compared per resource, since
# frictionless gives them no row and splits one bad header into several labels.
FILE_LEVEL = {"header", "bytes-hash", "encoding", "missing-file"}


def frictionless_findings(root: Path) -> set[tuple]:
    """(resource, row, field, rule) for each error frictionless reports; None = not given."""
    report = frictionless.validate(str(root / "datapackage.json"))
    found = set()
    for task in report.tasks:
        for error in task.errors:
            kind = KINDS.get(error.type)
            if error.type == "constraint-error":
                kind = CONSTRAINTS[re.match(r'constraint "(\w+)"', error.note).group(1)]
            assert kind, f"frictionless error type {error.type!r} has no mapping to our rules: {error.note}"
            field = getattr(error, "field_name", None) or None
            if error.type == "foreign-key":
                # The foreign-key error carries its field only in the note.
                field = re.match(r'for "([^"]+)"', error.note).group(1)
            for resource in _owners(root, task.name, kind, error.note):
                if kind in FILE_LEVEL:
                    found.add((resource, None, None, kind))
                else:
                    found.add((resource, getattr(error, "row_number", None), field, kind))
    return found


def _owners(root: Path, resource: str, kind: str, note: str) -> list[str]:
    """The resource a file-level error is about.

    When a file cannot be read, frictionless also reports the error on every
    resource whose foreign keys look it up; the fault is the referenced file's.
    """
    if kind == "missing-file":
        return [name for name, path in PATHS.items() if path in note] or [resource]
    if kind == "encoding" and _decodes(root / PATHS[resource]):
        return [name for name, path in PATHS.items() if not _decodes(root / path)]
    return [resource]


def _decodes(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def our_findings(root: Path) -> set[tuple]:
    report = validate(root)
    return {tuple(row) for row in report.flatten(["resource", "row", "field", "rule"])}


def covers(ours: set[tuple], theirs: tuple) -> bool:
    """Whether one of our findings matches theirs; None in theirs matches anything."""
    resource, row, field, rule = theirs
    return any(
        resource in (None, o[0]) and o[3] == rule and row in (None, o[1]) and field in (None, o[2])
        for o in ours
    )


# --- corruptions of a copy of the real package ------------------------------------


def read_rows(root: Path, table: str) -> list[list[str]]:
    with open(root / PATHS[table], encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(root: Path, table: str, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    (root / PATHS[table]).write_text(buffer.getvalue(), encoding="utf-8", newline="")


def edit_rows(table: str, change: Callable[[list[list[str]]], None]):
    def corrupt(root: Path) -> None:
        rows = read_rows(root, table)
        change(rows)
        write_rows(root, table, rows)

    return corrupt


def set_cell(table: str, line: int, field: str, value: str):
    """Set one cell; ``line`` is the CSV line number (header = 1)."""

    def change(rows):
        rows[line - 1][rows[0].index(field)] = value

    return edit_rows(table, change)


def edit_bytes(table: str, change: Callable[[bytes], bytes]):
    def corrupt(root: Path) -> None:
        path = root / PATHS[table]
        path.write_bytes(change(path.read_bytes()))

    return corrupt


def header_swap(table, a, b):
    def change(rows):
        i, j = rows[0].index(a), rows[0].index(b)
        rows[0][i], rows[0][j] = rows[0][j], rows[0][i]

    return edit_rows(table, change)


@dataclass
class Case:
    name: str
    corrupt: Callable[[Path], None]
    expect: tuple  # (resource, row, field, rule) ours must report; None = any
    restamp: bool = True  # restamp bytes/hash after corrupting, so the case tests one thing


CASES = [
    Case(
        "bad type (integer)",
        set_cell("casualties", 2, "count_best", "24x"),
        ("casualties", 2, "count_best", "type"),
    ),
    Case(
        "bad type (date)",
        set_cell("sources", 2, "published_on", "2025-02-30"),
        ("sources", 2, "published_on", "type"),
    ),
    Case("bad enum", set_cell("casualties", 3, "outcome", "dead"), ("casualties", 3, "outcome", "enum")),
    Case(
        "bad pattern",
        set_cell("statements", 2, "language", "English"),
        ("statements", 2, "language", "pattern"),
    ),
    Case("missing required", set_cell("incidents", 3, "title", ""), ("incidents", 3, "title", "required")),
    Case(
        "negative count",
        set_cell("casualties", 2, "count_low", "-5"),
        ("casualties", 2, "count_low", "range"),
    ),
    Case(
        "latitude out of range",
        set_cell("places", 8, "latitude", "51.5"),
        ("places", 8, "latitude", "range"),
    ),
    Case(
        "duplicate primary key",
        edit_rows("statements", lambda rows: rows.insert(3, list(rows[2]))),
        ("statements", 4, None, "primary-key"),
    ),
    Case("empty primary key", set_cell("actors", 3, "actor_id", ""), ("actors", 3, None, "primary-key")),
    Case(
        "broken foreign key",
        set_cell("casualties", 2, "reported_by_actor_id", "A-9999"),
        ("casualties", 2, "reported_by_actor_id", "foreign-key"),
    ),
    Case(
        "broken self foreign key",
        set_cell("incidents", 4, "parent_incident_id", "I-9999"),
        ("incidents", 4, "parent_incident_id", "foreign-key"),
    ),
    Case(
        "row with an extra cell",
        edit_rows("casualties", lambda rows: rows[2].append("surplus")),
        ("casualties", 3, None, "extra-cell"),
    ),
    Case(
        "row with missing cells",
        edit_rows("actors", lambda rows: rows.append(["A-9998", "Short row"])),
        ("actors", None, None, "missing-cell"),
    ),
    Case(
        "blank row", edit_rows("places", lambda rows: rows.insert(3, [])), ("places", 4, None, "blank-row")
    ),
    Case(
        "renamed header",
        set_cell("casualties", 1, "outcome", "outcomes"),
        ("casualties", None, None, "header"),
    ),
    Case(
        "missing column",
        edit_rows("sources", lambda rows: [r.pop() for r in rows]),
        ("sources", None, None, "header"),
    ),
    Case(
        "extra column",
        edit_rows("sources", lambda rows: [r.append("x") for r in rows]),
        ("sources", None, None, "header"),
    ),
    Case(
        "duplicated header",
        set_cell("casualties", 1, "outcome", "incident_id"),
        ("casualties", None, None, "header"),
    ),
    Case(
        "misordered header",
        header_swap("casualties", "count_low", "count_best"),
        ("casualties", None, None, "header"),
    ),
    Case(
        "byte order mark",
        edit_bytes("statements", lambda b: b"\xef\xbb\xbf" + b),
        ("statements", None, None, "encoding"),
    ),
    Case(
        "Latin-1 bytes",
        edit_bytes("actors", lambda b: b.replace(b"\n", "\n\xe9".encode("latin-1"), 1)),
        ("actors", None, None, "encoding"),
    ),
    Case(
        "Latin-1 bytes in a referenced table",
        edit_bytes("sources", lambda b: b + "Caf\xe9\n".encode("latin-1")),
        ("sources", None, None, "encoding"),
    ),
    Case(
        "stale hash",
        set_cell("sources", 2, "publisher", "The Guardiam"),
        ("sources", None, None, "bytes-hash"),
        restamp=False,
    ),
    Case(
        "stale byte count",
        set_cell("sources", 2, "publisher", "The Guardian (UK)"),
        ("sources", None, None, "bytes-hash"),
        restamp=False,
    ),
    Case(
        "missing file",
        lambda root: (root / PATHS["places"]).unlink(),
        ("places", None, None, "missing-file"),
        restamp=False,
    ),
]


@pytest.fixture
def package_copy(tmp_path):
    shutil.copy(REAL / "datapackage.json", tmp_path / "datapackage.json")
    shutil.copytree(REAL / "data", tmp_path / "data")
    return tmp_path


@pytest.mark.parametrize("source", [FIXTURE_ROOT, REPO_ROOT], ids=["fixture-0.1.0", "bundled"])
def test_real_package_is_clean_for_both(source, tmp_path):
    shutil.copy(source / "datapackage.json", tmp_path / "datapackage.json")
    shutil.copytree(source / "data", tmp_path / "data")
    theirs = frictionless_findings(tmp_path)
    assert theirs == set(), f"frictionless finds errors in the real package: {sorted(theirs, key=str)}"
    report = validate(tmp_path)
    assert report.valid, report.flatten(["path", "row", "field", "rule", "message"])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_we_report_everything_frictionless_reports(case, package_copy):
    case.corrupt(package_copy)
    if case.restamp:
        stamp(package_copy)
    theirs = frictionless_findings(package_copy)
    ours = our_findings(package_copy)
    missed = sorted((f for f in theirs if not covers(ours, f)), key=str)
    assert not missed, f"frictionless reports, we do not: {missed}\nours: {sorted(ours, key=str)}"
    assert covers(ours, case.expect), f"expected {case.expect} among ours: {sorted(ours, key=str)}"
    assert not validate(package_copy).valid
