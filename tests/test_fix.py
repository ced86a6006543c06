"""`syria-incidents fix`: mechanical repairs only, listed file by file, idempotent."""

from __future__ import annotations

import csv
import io
import unicodedata

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from validate_helpers import copy_package, read_rows

from syria_incidents.cli import main
from syria_incidents.coverage import END, START, coverage_markdown
from syria_incidents.fix import fix
from syria_incidents.validators import validate

CAS = "data/casualties.csv"


def spreadsheet_save(root, table: str, edit=lambda rows: rows) -> bytes:
    """Save a table as a spreadsheet would: BOM, CR LF line ends; returns the original bytes."""
    path = root / "data" / f"{table}.csv"
    original = path.read_bytes()
    rows = edit(list(csv.reader(io.StringIO(original.decode("utf-8"), newline=""))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))
    return original


def test_a_spreadsheet_saved_file_is_repaired_and_then_valid(tmp_path):
    root = copy_package(tmp_path)
    original = spreadsheet_save(root, "casualties")
    before = validate(root)
    assert {f.rule for f in before.errors} >= {"encoding", "line-endings", "bytes-hash"}
    assert all("run syria-incidents fix" in f.message for f in before.errors)
    repairs = [str(r) for r in fix(root)]
    assert f"{CAS}: byte-order mark removed" in repairs and f"{CAS}: line ends made LF" in repairs
    assert (root / CAS).read_bytes() == original
    assert validate(root).valid


def test_text_cells_are_trimmed_and_put_in_nfc_but_their_words_kept(tmp_path):
    root = copy_package(tmp_path)
    rows = read_rows(root, "casualties")
    quote = rows[0]["source_quote"]
    decomposed = unicodedata.normalize("NFD", "  Café " + quote + " ")

    def edit(table):
        table[1][table[0].index("source_quote")] = decomposed
        return table

    spreadsheet_save(root, "casualties", edit)
    fix(root)
    assert read_rows(root, "casualties")[0]["source_quote"] == "Café " + quote
    assert validate(root).valid


def test_numbers_ids_dates_and_vocabulary_values_are_never_touched(tmp_path):
    root = copy_package(tmp_path)

    def edit(table):
        header = table[0]
        for column, value in (
            ("count_best", " 240"),
            ("victim_group", "civilians "),
            ("figure_id", " F-0001"),
            ("reported_on", "2025-03-07 "),
        ):
            table[1][header.index(column)] = value
        return table

    spreadsheet_save(root, "casualties", edit)
    fix(root)
    row = read_rows(root, "casualties")[0]
    assert (row["count_best"], row["victim_group"], row["figure_id"], row["reported_on"]) == (
        " 240",
        "civilians ",
        " F-0001",
        "2025-03-07 ",
    )
    remaining = {(f.field, f.rule) for f in validate(root).errors}
    assert ("count_best", "type") in remaining and ("victim_group", "enum") in remaining


def test_fix_is_idempotent_and_says_so(tmp_path):
    root = copy_package(tmp_path)
    spreadsheet_save(root, "statements")
    first = CliRunner().invoke(main, ["fix", str(root)])
    assert first.exit_code == 0 and "fixed data/statements.csv: line ends made LF" in first.output
    snapshot = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    second = CliRunner().invoke(main, ["fix", str(root)])
    assert second.exit_code == 0 and "nothing to fix" in second.output
    assert snapshot == {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_a_file_that_is_not_utf8_is_left_alone_and_named(tmp_path):
    root = copy_package(tmp_path)
    path = root / "data" / "actors.csv"
    data = path.read_bytes() + "A-0999,Café,media,,x\n".encode("latin-1")
    path.write_bytes(data)
    repairs = [str(r) for r in fix(root)]
    assert any(r.startswith("data/actors.csv: not repaired: not UTF-8 at line") for r in repairs)
    assert path.read_bytes() == data


def test_readme_coverage_section_is_regenerated_from_the_data(tmp_path):
    root = copy_package(tmp_path)
    (root / "README.md").write_text(f"# x\n\n{START}\nstale\n{END}\n\nrest\n", encoding="utf-8")
    fix(root)
    text = (root / "README.md").read_text(encoding="utf-8")
    assert f"{START}\n{coverage_markdown(root)}\n{END}" in text and text.endswith("\n\nrest\n")
    figures = len(read_rows(root, "casualties"))
    assert f"{figures} casualty figures" in coverage_markdown(root)


def test_the_repository_readme_coverage_is_current(repo_root):
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    assert f"{START}\n{coverage_markdown(repo_root)}\n{END}" in text, (
        "README coverage is stale: run `syria-incidents fix` and commit README.md"
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pad=st.text(alphabet=" \t\u00a0\u3000", min_size=1, max_size=3),
    mark=st.sampled_from(["\u0301", "\u0308", "\u0327"]),
)
def test_any_outer_whitespace_and_decomposed_accent_is_repaired(tmp_path_factory, pad, mark):
    root = copy_package(tmp_path_factory.mktemp("fix"))
    rows = read_rows(root, "statements")
    column = "summary"
    target = rows[0][column]

    def edit(table):
        table[1][table[0].index(column)] = pad + "e" + mark + target + pad
        return table

    spreadsheet_save(root, "statements", edit)
    fix(root)
    assert read_rows(root, "statements")[0][column] == unicodedata.normalize("NFC", "e" + mark) + target
    assert validate(root).valid
