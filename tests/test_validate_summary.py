"""`validate --summary FILE`: every finding as a Markdown table row, appended for GitHub's step summary.

The Markdown is read back with markdown-it (GitHub-flavoured tables), so an escaping
mistake (a `|` in a value splitting a cell) shows as a wrong cell, not a passing string match.
"""

from __future__ import annotations

import json
import re

from click.testing import CliRunner
from markdown_it import MarkdownIt
from validate_helpers import FIXTURE_ROOT, copy_package, edit, line_of

from syria_incidents.cli import main
from syria_incidents.validators import validate
from syria_incidents.validators.summary import summary_markdown

MESSAGE = 5  # column of the message in the findings table


def run(*args):
    return CliRunner().invoke(main, list(args))


def tables(markdown: str) -> list[list[list[str]]]:
    """Every table in ``markdown`` as rows of cell texts (header row first), as GitHub would render it."""
    html = MarkdownIt("commonmark").enable("table").render(markdown)
    found = []
    for table in re.findall(r"<table>(.*?)</table>", html, re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, re.S)
        found.append(
            [[_text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)] for row in rows]
        )
    return found


def _text(html: str) -> str:
    import html as html_module

    return html_module.unescape(re.sub(r"<[^>]+>", "", html))


def _broken(tmp_path):
    """Three findings: two typed cells (one value holding Markdown's specials) and a sum."""
    root = copy_package(tmp_path)
    edit(root, "casualties", "F-0002", count_low="1|2 <b>*x*</b>")
    edit(root, "casualties", "F-0003", count_best="`y`")
    return root


def test_summary_lists_every_finding_as_one_row_with_its_message_intact(tmp_path):
    root = _broken(tmp_path)
    summary = tmp_path / "summary.md"
    result = run("validate", str(root), "--format", "github", "--summary", str(summary))
    assert result.exit_code == 1, result.output
    findings = json.loads(run("validate", str(root), "--format", "json").stdout)["errors"]
    assert len(findings) >= 2
    by_rule, rows = tables(summary.read_text(encoding="utf-8"))
    assert rows[0] == ["file", "line", "field", "rule", "severity", "message"]
    assert [[r[0], r[1], r[2], r[3], r[4], r[MESSAGE]] for r in rows[1:]] == [
        [
            f["path"] or "datapackage.json",
            "" if f["row"] is None else str(f["row"]),
            f["field"] or "",
            f["rule"],
            f["severity"],
            f["message"],
        ]
        for f in findings
    ]
    assert any("1|2 <b>*x*</b>" in r[MESSAGE] for r in rows[1:])
    counts = {(r[0], r[1]): int(r[2]) for r in by_rule[1:]}
    assert sum(counts.values()) == len(findings)
    assert counts[("type", "error")] == sum(f["rule"] == "type" for f in findings)
    # The annotations on stdout carry the same findings.
    assert result.stdout.count("::error ") == sum(f["severity"] == "error" for f in findings)


def test_summary_appends_to_what_the_step_already_wrote(tmp_path):
    root = _broken(tmp_path)
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step output\n", encoding="utf-8")
    run("validate", str(root), "--summary", str(summary))
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step output\n")
    assert f"| data/casualties.csv | {line_of(root, 'casualties', 'F-0002')} | count\\_low | type |" in text


def test_a_valid_package_gets_a_headline_and_no_table(tmp_path):
    summary = tmp_path / "summary.md"
    result = run("validate", str(FIXTURE_ROOT), "--summary", str(summary))
    assert result.exit_code == 0, result.output
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("### ✅ syria-incidents validate\n")
    assert "valid: 6 tables" in text and tables(text) == []


def test_no_descriptor_is_in_the_summary_too(tmp_path):
    summary = tmp_path / "summary.md"
    result = run("validate", str(tmp_path / "empty"), "--summary", str(summary))
    assert result.exit_code == 2
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("### ❌") and "datapackage.json" in text


def test_an_unwritable_summary_is_a_clean_error(tmp_path):
    result = run("validate", str(FIXTURE_ROOT), "--summary", str(tmp_path / "no-such-dir" / "summary.md"))
    assert result.exit_code == 2
    assert "could not write the summary" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_past_the_size_limit_the_summary_says_how_many_findings_it_left_out(tmp_path):
    report = validate(_broken(tmp_path))
    full = summary_markdown(report, "headline")
    one_row_short = len(full.rstrip("\n").encode("utf-8")) - 1  # the last row does not fit
    cut = summary_markdown(report, "headline", max_bytes=one_row_short)
    assert len(tables(cut)[1]) == len(report.errors)  # header + all rows but the last
    assert "Not shown: 1 more finding (a step summary holds at most 1 MiB)" in cut
    assert "Not shown" not in full
