"""Reading a file in slices gives exactly the findings of reading it whole.

The real files are smaller than one slice; these tests shrink the slice so every
file is read in many slices, with problems in the middle and at the ends of slices.
"""

from __future__ import annotations

import threading

import pytest
from validate_helpers import copy_package, write_raw

from syria_incidents.validators import reading, validate
from syria_incidents.validators.background import prefetched

SMALL = 300  # bytes: a few lines a slice


def _both(root, monkeypatch) -> tuple[list, list]:
    """(findings with one slice per file, findings with SMALL slices), with messages."""
    keys = ("path", "row", "field", "rule", "message")
    whole = validate(root).flatten(keys)
    monkeypatch.setattr(reading, "SLICE_BYTES", SMALL)
    sliced = validate(root).flatten(keys)
    monkeypatch.undo()
    return whole, sliced


def _lines(root, table: str) -> list[bytes]:
    return (root / "data" / f"{table}.csv").read_bytes().split(b"\n")


def test_the_bundled_package_validates_clean_in_small_slices(tmp_path, monkeypatch):
    root = copy_package(tmp_path)
    whole, sliced = _both(root, monkeypatch)
    assert whole == sliced == []


def test_ragged_blank_and_bad_rows_in_later_slices_are_found_at_their_lines(tmp_path, monkeypatch):
    root = copy_package(tmp_path)
    lines = _lines(root, "casualties")
    short = lines[3].rsplit(b",", 2)[0]  # two cells fewer
    long = lines[5] + b",extra"
    blank = b""
    lines[3], lines[5] = short, long
    lines.insert(7, blank)
    write_raw(root, "casualties", b"\n".join(lines))
    whole, sliced = _both(root, monkeypatch)
    assert whole == sliced
    found = {(row, rule) for _path, row, _field, rule, _message in sliced}
    assert {(4, "missing-cell"), (6, "extra-cell"), (8, "blank-row")} <= found


def test_line_numbers_run_on_across_slices(tmp_path, monkeypatch):
    root = copy_package(tmp_path)
    lines = _lines(root, "statements")
    last = len([line for line in lines if line]) - 1  # the last record, 0-based; its CSV line is last + 1
    cells = lines[last].split(b",")
    cells[0] = b"ST-00x1"  # breaks the id pattern
    lines[last] = b",".join(cells)
    write_raw(root, "statements", b"\n".join(lines))
    whole, sliced = _both(root, monkeypatch)
    assert whole == sliced
    assert ("data/statements.csv", last + 1, "statement_id", "pattern") in {tuple(f[:4]) for f in sliced}


def test_a_quoted_line_break_in_a_later_slice_is_read_by_the_csv_module(tmp_path, monkeypatch):
    root = copy_package(tmp_path)
    lines = _lines(root, "incidents")
    target = next(i for i, line in enumerate(lines) if line.count(b'"') >= 2 and i > 8)
    cells = lines[target].split(b'"', 2)
    lines[target] = cells[0] + b'"' + cells[1] + b'\n(continued)"' + cells[2]
    write_raw(root, "incidents", b"\n".join(lines))
    whole, sliced = _both(root, monkeypatch)
    assert whole == sliced
    assert any(rule == "text-control-chars" and row == target + 1 for _p, row, _f, rule, _m in sliced)


def test_a_file_without_a_final_line_end_reads_its_last_row(tmp_path, monkeypatch):
    root = copy_package(tmp_path)
    data = (root / "data" / "actors.csv").read_bytes().rstrip(b"\n")
    write_raw(root, "actors", data + b"\n" + b"A-0001,Duplicate,monitor,,again")
    whole, sliced = _both(root, monkeypatch)
    assert whole == sliced
    last = data.count(b"\n") + 2
    assert ("data/actors.csv", last, "actor_id", "primary-key") in {tuple(f[:4]) for f in sliced}


def test_prefetched_yields_everything_in_order_and_raises_the_producers_error():
    assert list(prefetched(iter(range(100)))) == list(range(100))

    def failing():
        yield 1
        raise ValueError("broken slice")

    got = []
    with pytest.raises(ValueError, match="broken slice"):
        for item in prefetched(failing()):
            got.append(item)
    assert got == [1]


def test_prefetched_stops_its_thread_when_the_consumer_stops_early():
    before = threading.active_count()
    items = prefetched(iter(range(10_000)))
    assert next(items) == 0
    items.close()
    assert threading.active_count() == before


# A lone carriage return ends a record for the csv module (and frictionless): the row splits.
@pytest.mark.parametrize(
    "byte, expected",
    [(b"\x01", ("publisher", "text-control-chars")), (b"\r", ("accessed_on", "missing-cell"))],
    ids=["marker byte", "carriage return"],
)
def test_a_byte_the_fast_reader_cannot_take_sends_the_file_to_the_csv_module(
    tmp_path, monkeypatch, byte, expected
):
    root = copy_package(tmp_path)
    lines = _lines(root, "sources")
    cells = lines[1].split(b",")
    cells[2] = cells[2] + byte + b"x"  # the publisher column
    lines[1] = b",".join(cells)
    write_raw(root, "sources", b"\n".join(lines))
    whole, sliced = _both(root, monkeypatch)
    assert whole == sliced
    assert ("data/sources.csv", 2, *expected) in {tuple(f[:4]) for f in sliced}
