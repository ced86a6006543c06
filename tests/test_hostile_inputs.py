"""Hostile packages through the real command line: ``syria-incidents validate PATH``.

Each case must end with the promised exit code (0 valid, 1 invalid, 2 could not run), a
finding that names the file, line, column and rule, no traceback, in seconds, with
output that grows at most with the input (never with its square). Big inputs are built
in tmp_path; the slowest cases are marked slow (they still run).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest
from validate_helpers import copy_package, edit, line_of, read_rows, write_raw, write_rows

CLI = Path(sys.executable).with_name("syria-incidents")


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def findings(self) -> list[dict]:
        """Each finding as path, row, field, rule, severity and message (the JSON report)."""
        if not self.out.strip():
            return []
        found = json.loads(self.out)["errors"]
        for f in found:
            assert f["path"] and f["rule"] and f["message"], f
        return found

    def has(self, path: str, rule: str, row: int | None = None, field: str | None = None) -> bool:
        return any(
            f["path"] == path
            and f["rule"] == rule
            and (row is None or f["row"] == row)
            and (field is None or f["field"] == field)
            for f in self.findings
        )

    @property
    def messages(self) -> str:
        return "\n".join(f["message"] for f in self.findings)


def validate_cli(root: Path, timeout: float = 60, max_output: int = 200_000, separate: bool = False) -> Run:
    """Run ``syria-incidents validate --format json ROOT`` and hold it to the promises every case shares.

    In this process (fast), or as its own process (``separate``) where a hang must end in a timeout
    or the time must be measured as a contributor would see it."""
    started = time.perf_counter()
    if separate:
        proc = subprocess.run(
            [str(CLI), "validate", "--format", "json", str(root)],
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            errors="replace",
        )
        run = Run(proc.returncode, proc.stdout, proc.stderr, time.perf_counter() - started)
    else:
        from click.testing import CliRunner

        from syria_incidents.cli import main

        result = CliRunner().invoke(main, ["validate", "--format", "json", str(root)])
        assert result.exception is None or isinstance(result.exception, SystemExit), "".join(
            traceback.format_exception(result.exception)
        )[-3000:]
        run = Run(result.exit_code, result.stdout, result.stderr, time.perf_counter() - started)
    assert "Traceback" not in run.out + run.err, run.err[-3000:]
    assert run.code in (0, 1, 2), run.err[-3000:]
    assert len(run.out) + len(run.err) <= max_output, f"{len(run.out) + len(run.err)} characters of output"
    assert run.seconds < timeout
    return run


def _csv(root: Path, table: str) -> Path:
    return root / "data" / f"{table}.csv"


def _header(root: Path, table: str) -> bytes:
    return _csv(root, table).read_bytes().split(b"\n", 1)[0]


# --- cells --------------------------------------------------------------------------


def test_huge_cell_is_checked_and_cut_in_the_message(tmp_path):
    root = copy_package(tmp_path)
    line = edit(root, "actors", "A-0001", description=" " + "x" * 20_000_000)
    run = validate_cli(root)
    assert run.code == 1
    assert run.has("data/actors.csv", "text-outer-whitespace", line, "description")
    assert len(run.out) < 2_000


def test_huge_enum_value_gets_no_suggestion_and_is_cut(tmp_path):
    root = copy_package(tmp_path)
    line = edit(root, "actors", "A-0001", actor_type="m" * 5_000_000)
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/actors.csv", "enum", line, "actor_type")
    assert len(run.out) < 2_000


def test_nul_bytes_in_a_cell_are_control_characters(tmp_path):
    root = copy_package(tmp_path)
    line = edit(root, "actors", "A-0001", description="before\x00after")
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/actors.csv", "text-control-chars", line, "description")
    assert "\\u0000" not in run.out  # shown as a visible mark, not as a NUL


def test_nul_bytes_in_an_id_are_a_pattern_error(tmp_path):
    root = copy_package(tmp_path)
    line = edit(root, "actors", "A-0002", actor_id="A-00\x0002")
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/actors.csv", "pattern", line, "actor_id")


def test_lone_surrogate_bytes_are_an_encoding_error_at_their_line(tmp_path):
    root = copy_package(tmp_path)
    data = _csv(root, "actors").read_bytes().split(b"\n")
    data[3] = (
        data[3].replace(b"monitor", b"monitor\xed\xa0\x80", 1)
        if b"monitor" in data[3]
        else data[3] + b"\xed\xa0\x80"
    )
    write_raw(root, "actors", b"\n".join(data))
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/actors.csv", "encoding", 4)


def test_invalid_utf8_is_an_encoding_error_and_nothing_else_in_that_file(tmp_path):
    root = copy_package(tmp_path)
    write_raw(root, "sources", _csv(root, "sources").read_bytes() + b"S-0002,\xff\xfe\xfa\n")
    run = validate_cli(root)
    assert run.code == 1
    assert [f["rule"] for f in run.findings if f["path"] == "data/sources.csv"] == ["encoding"]


@pytest.mark.parametrize(
    "value", ["1e400", "NaN", "nan", "inf", "-Infinity", "∞", "１２", "0x10", "1_000", ""]
)
def test_odd_numbers_in_an_integer_column(tmp_path, value):
    root = copy_package(tmp_path)
    line = edit(root, "casualties", "F-0004", count_high=value)
    run = validate_cli(root)
    if value == "":
        assert run.code in (0, 1)
    else:
        assert run.code == 1 and run.has("data/casualties.csv", "type", line, "count_high")


@pytest.mark.parametrize("value", ["9223372036854775808", "-9223372036854775809", "9" * 5000])
def test_integers_too_large_to_store(tmp_path, value):
    root = copy_package(tmp_path)
    line = edit(root, "casualties", "F-0004", count_high=value)
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/casualties.csv", "type", line, "count_high")
    assert "too large" in run.out and len(run.out) < 3_000


@pytest.mark.parametrize(
    "value, rule",
    [("1e400", "range"), ("NaN", "type"), ("∞", "type"), ("inf", "type"), ("-0", "range"), ("35.5e0", None)],
)
def test_odd_numbers_in_a_coordinate(tmp_path, value, rule):
    root = copy_package(tmp_path)
    line = edit(root, "places", "P-0007", latitude=value)
    run = validate_cli(root)
    if rule is None:
        assert not [f for f in run.findings if f["row"] == line and f["path"] == "data/places.csv"]
    else:
        assert run.code == 1 and run.has("data/places.csv", rule, line, "latitude")


@pytest.mark.parametrize(
    "value",
    [
        "0000-00-00",
        "2025-02-30",
        "2025-13-01",
        "20250307",
        "2025-3-7",
        "0000-01-01",
        "+2025-03-07",
        "2025-03-07T00:00",
    ],
)
def test_impossible_dates_are_type_errors(tmp_path, value):
    root = copy_package(tmp_path)
    line = edit(root, "casualties", "F-0004", reported_on=value)
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/casualties.csv", "type", line, "reported_on")


def test_a_date_far_in_the_future_is_not_a_crash(tmp_path):
    root = copy_package(tmp_path)
    line = edit(root, "casualties", "F-0004", reported_on="9999-12-31")
    run = validate_cli(root)
    # After its source was published: a semantic error, at the row.
    assert run.code == 1 and run.has(
        "data/casualties.csv", "figure-reported-before-source-published", line, "reported_on"
    )


def test_enum_typo_suggests_the_nearest_value(tmp_path):
    root = copy_package(tmp_path)
    line = edit(root, "casualties", "F-0002", victim_group="civilans")
    run = validate_cli(root)
    [finding] = [f for f in run.findings if f["rule"] == "enum"]
    assert finding["row"] == line and finding["field"] == "victim_group"
    assert "did you mean civilians?" in finding["message"]


# --- shapes of files ------------------------------------------------------------------


def test_empty_file(tmp_path):
    root = copy_package(tmp_path)
    write_raw(root, "statements", b"")
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/statements.csv", "header", 1)


def test_header_only(tmp_path):
    root = copy_package(tmp_path)
    write_raw(root, "statements", _header(root, "statements") + b"\n")
    run = validate_cli(root)
    assert run.code in (0, 1)
    assert not any(
        f["path"] == "data/statements.csv" and f["rule"] in ("header", "encoding") for f in run.findings
    )


def test_header_only_without_line_end(tmp_path):
    root = copy_package(tmp_path)
    write_raw(root, "statements", _header(root, "statements"))
    run = validate_cli(root)
    assert not any(
        f["path"] == "data/statements.csv" and f["rule"] in ("header", "encoding") for f in run.findings
    )


def test_ten_thousand_columns(tmp_path):
    root = copy_package(tmp_path)
    header = _header(root, "sources")
    wide = header + b"," + b",".join(b"extra%d" % i for i in range(10_000))
    rows = _csv(root, "sources").read_bytes().split(b"\n", 1)[1]
    write_raw(root, "sources", wide + b"\n" + rows)
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/sources.csv", "header", 1)
    assert len(run.findings) == 21 and "9,980 more problems" in run.messages


def test_a_row_of_a_hundred_thousand_cells(tmp_path):
    root = copy_package(tmp_path)
    data = _csv(root, "actors").read_bytes()
    write_raw(root, "actors", data + b"A-0099,x,monitor" + b"," * 100_000 + b"\n")
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/actors.csv", "extra-cell", data.count(b"\n") + 1)


def test_duplicate_column_names(tmp_path):
    root = copy_package(tmp_path)
    data = _csv(root, "actors").read_bytes()
    header, rest = data.split(b"\n", 1)
    write_raw(root, "actors", header.replace(b"description", b"name") + b"\n" + rest)
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/actors.csv", "header", 1)


def test_bom_and_crlf(tmp_path):
    root = copy_package(tmp_path)
    write_raw(root, "actors", b"\xef\xbb\xbf" + _csv(root, "actors").read_bytes().replace(b"\n", b"\r\n"))
    run = validate_cli(root)
    assert run.code == 1
    assert run.has("data/actors.csv", "encoding", 1) and run.has("data/actors.csv", "line-endings", 1)
    assert run.out.count("run syria-incidents fix") >= 2


def test_crlf_alone_is_an_error_with_the_fix(tmp_path):
    root = copy_package(tmp_path)
    write_raw(root, "actors", _csv(root, "actors").read_bytes().replace(b"\n", b"\r\n"))
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/actors.csv", "line-endings", 1)
    assert "run syria-incidents fix" in run.out


def test_stale_hash_says_to_run_fix(tmp_path):
    root = copy_package(tmp_path)
    write_raw(root, "actors", _csv(root, "actors").read_bytes() + b"A-0099,Extra,monitor,,\n", restamp=False)
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/actors.csv", "bytes-hash")
    assert "run syria-incidents fix" in run.out


def test_unclosed_quote(tmp_path):
    root = copy_package(tmp_path)
    write_raw(
        root,
        "actors",
        _csv(root, "actors").read_bytes() + b'A-0099,"never closed,monitor,,\n' + b"x,y\n" * 1000,
    )
    run = validate_cli(root)
    assert run.code == 1
    assert any(f["path"] == "data/actors.csv" and f["row"] for f in run.findings)


def test_binary_garbage(tmp_path):
    root = copy_package(tmp_path)
    write_raw(root, "places", bytes(range(256)) * 4000)
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/places.csv", "encoding")


def test_old_mac_line_ends(tmp_path):
    root = copy_package(tmp_path)
    write_raw(root, "sources", _csv(root, "sources").read_bytes().replace(b"\n", b"\r"))
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/sources.csv", "line-endings", 1)


# --- paths ---------------------------------------------------------------------------


def _descriptor(root: Path) -> dict:
    return json.loads((root / "datapackage.json").read_text(encoding="utf-8"))


def _set_path(root: Path, table: str, path: str) -> None:
    descriptor = _descriptor(root)
    for res in descriptor["resources"]:
        if res["name"] == table:
            res["path"] = path
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def test_resource_path_to_a_directory(tmp_path):
    root = copy_package(tmp_path)
    (root / "data" / "folder").mkdir()
    _set_path(root, "statements", "data/folder")
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/folder", "missing-file")
    assert "data/folder is a folder, not a CSV file" in run.messages


def test_resource_path_outside_the_package(tmp_path):
    root = copy_package(tmp_path)
    _set_path(root, "statements", "../../../etc/passwd")
    run = validate_cli(root)
    assert run.code == 2 and run.has("datapackage.json", "descriptor")
    assert "root:" not in run.out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_data_file_that_is_a_fifo(tmp_path):
    root = copy_package(tmp_path)
    _csv(root, "statements").unlink()
    os.mkfifo(_csv(root, "statements"))
    run = validate_cli(
        root, timeout=30, separate=True
    )  # nobody writes to the FIFO: reading it would block forever
    assert run.code == 1 and run.has("data/statements.csv", "missing-file")
    assert "is a named pipe, not a CSV file" in run.messages


def test_data_file_that_links_to_dev_zero(tmp_path):
    root = copy_package(tmp_path)
    _csv(root, "statements").unlink()
    os.symlink("/dev/zero", _csv(root, "statements"))
    run = validate_cli(root, timeout=30, separate=True)
    assert run.code == 2 and run.has("datapackage.json", "descriptor")


def test_data_file_that_links_to_a_device_inside_the_package(tmp_path):
    root = copy_package(tmp_path)
    _csv(root, "statements").unlink()
    os.symlink("../data", _csv(root, "statements"))  # a link, inside the package, to a directory
    run = validate_cli(root, timeout=30)
    assert run.code in (1, 2)
    assert run.has("data/statements.csv", "missing-file") or run.has("datapackage.json", "descriptor")


DEEP_JSON = (
    "[" * 100_000 + "]" * 100_000
)  # valid JSON that Python's json module cannot read (RecursionError)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "[]",
        "null",
        '{"resources": []}',
        '{"resources": [{"name": 1}]}',
        '{"resources": "data/x.csv"}',
        "\ufeff{}",
        DEEP_JSON,
    ],
)
def test_broken_descriptors_exit_2(tmp_path, text):
    root = copy_package(tmp_path)
    (root / "datapackage.json").write_text(text, encoding="utf-8")
    run = validate_cli(root)
    assert run.code == 2 and run.has("datapackage.json", "descriptor")


# --- hierarchies ---------------------------------------------------------------------


def _figures(root: Path, n: int, parent_of) -> list[dict]:
    rows = read_rows(root, "casualties")
    base = dict(rows[0])
    new = []
    for i in range(n):
        row = dict(base, figure_id=f"F-{100_000 + i}", parent_figure_id=parent_of(i, n))
        new.append(row)
    write_rows(root, "casualties", rows + new)
    return new


@pytest.mark.parametrize("length", [1, 2, 3])
def test_short_cycles_are_reported_once_at_their_first_line(tmp_path, length):
    root = copy_package(tmp_path)
    _figures(root, length, lambda i, n: f"F-{100_000 + (i + 1) % n}")
    run = validate_cli(root)
    found = [f for f in run.findings if f["rule"] == "figure-tree-acyclic"]
    assert [(f["row"], f["field"]) for f in found] == [
        (line_of(root, "casualties", "F-100000"), "parent_figure_id")
    ]
    assert run.code == 1


@pytest.mark.slow
def test_a_cycle_of_3000_figures_is_one_short_finding(tmp_path):
    root = copy_package(tmp_path)
    _figures(root, 3000, lambda i, n: f"F-{100_000 + (i + 1) % n}")
    run = validate_cli(root)
    [finding] = [f for f in run.findings if f["rule"] == "figure-tree-acyclic"]
    assert finding["row"] == line_of(root, "casualties", "F-100000")
    assert "3000" in finding["message"] and "2990 more" in finding["message"]
    assert len(run.out) < 5_000 and run.code == 1


@pytest.mark.slow
def test_a_chain_of_100000_parents_is_valid_and_fast(tmp_path):
    root = copy_package(tmp_path)
    _figures(root, 100_000, lambda i, n: f"F-{100_000 + i + 1}" if i + 1 < n else "")
    run = validate_cli(root, timeout=60, separate=True)
    assert run.code == 0, run.out[:2000]
    assert run.seconds < 30


def test_a_cycle_behind_a_long_tail_is_reported_once(tmp_path):
    root = copy_package(tmp_path)
    # 0 → 1 → … → 99 → 97: a tail of 97 rows leading into a cycle of three.
    _figures(root, 100, lambda i, n: f"F-{100_000 + (i + 1 if i + 1 < n else n - 3)}")
    run = validate_cli(root)
    found = [f for f in run.findings if f["rule"] == "figure-tree-acyclic"]
    assert [f["row"] for f in found] == [line_of(root, "casualties", "F-100097")]


def test_revision_and_place_and_incident_cycles(tmp_path):
    root = copy_package(tmp_path)
    edit(root, "incidents", "I-0003", parent_incident_id="I-0003")
    edit(root, "places", "P-0007", parent_place_id="P-0008")
    edit(root, "places", "P-0008", parent_place_id="P-0007")
    run = validate_cli(root)
    assert run.has("data/incidents.csv", "incident-tree-acyclic", line_of(root, "incidents", "I-0003"))
    assert [f["row"] for f in run.findings if f["rule"] == "place-tree-acyclic"] == [
        min(line_of(root, "places", "P-0007"), line_of(root, "places", "P-0008"))
    ]


# --- size ----------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("row", [b"", b"a"])
def test_a_million_tiny_rows(tmp_path, row):
    root = copy_package(tmp_path)
    data = _csv(root, "sources").read_bytes()
    write_raw(root, "sources", data + (row + b"\n") * 1_000_000)
    run = validate_cli(root, timeout=90, max_output=20_000_000, separate=True)
    first = data.count(b"\n") + 1
    rule, field = ("blank-row", None) if row == b"" else ("missing-cell", "source_type")
    assert run.code == 1 and run.has("data/sources.csv", rule, first, field)
    # A thousand findings of each rule, then one that counts the rest.
    counted = [f for f in run.findings if f["rule"] == rule and "not listed one by one" in f["message"]]
    assert counted and "998,999 more" in counted[0]["message"]
    assert len(run.findings) < 30_000


@pytest.mark.slow
def test_a_50_mb_single_line(tmp_path):
    root = copy_package(tmp_path)
    data = _csv(root, "actors").read_bytes()
    write_raw(root, "actors", data.rstrip(b"\n") + b"," + b"y" * 50_000_000)
    run = validate_cli(root, timeout=120, separate=True)
    assert run.code == 1 and run.has("data/actors.csv", "extra-cell")
    assert len(run.out) < 5_000


@pytest.mark.slow
def test_a_50_mb_file_without_any_line_end(tmp_path):
    root = copy_package(tmp_path)
    write_raw(root, "actors", b"z" * 50_000_000)
    run = validate_cli(root, timeout=120, separate=True)
    assert run.code == 1 and run.has("data/actors.csv", "header", 1)
    assert len(run.out) < 20_000


def test_many_bad_values_give_a_thousand_findings_and_a_count(tmp_path):
    root = copy_package(tmp_path)
    rows = read_rows(root, "actors")
    rows += [dict(rows[0], actor_id=f"A-{5000 + i}", actor_type="monitr") for i in range(5000)]
    write_rows(root, "actors", rows)
    run = validate_cli(root, max_output=5_000_000)
    enum = [f for f in run.findings if f["rule"] == "enum"]
    assert len(enum) == 1001
    assert all("did you mean monitor?" in f["message"] for f in enum[:1000])
    assert enum[1000]["row"] == enum[999]["row"] + 1 and "3,999 more" in enum[1000]["message"]


def test_ids_with_thousands_of_digits_and_past_64_bits(tmp_path):
    root = copy_package(tmp_path)
    big = "F-" + "9" * 5000
    edit(root, "casualties", "F-0003", figure_id=big)
    edit(root, "casualties", "F-0004", parent_figure_id=big)
    line = edit(root, "casualties", "F-0005", supersedes_figure_id="F-18446744073709551616")
    run = validate_cli(root)
    assert run.code == 1 and run.has("data/casualties.csv", "foreign-key", line, "supersedes_figure_id")
