"""`syria-incidents validate` and `rules`: formats, exit codes, summary, docs/rules.md current."""

from __future__ import annotations

import json

from click.testing import CliRunner
from validate_helpers import FIXTURE_ROOT, REPO_ROOT, copy_package, edit, line_of

from syria_incidents.cli import main
from syria_incidents.package import read_descriptor

REPO = REPO_ROOT


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_real_package_exits_0_with_summary():
    # The path is explicit: without one, validate acts on the package of the current directory.
    tables = len(read_descriptor(REPO)["resources"])
    result = run("validate", str(REPO))
    assert result.exit_code == 0, result.output
    assert f"valid: {tables} tables" in result.output and "0 errors" in result.output


def _broken(tmp_path):
    root = copy_package(tmp_path)
    edit(root, "casualties", "F-0002", count_low=230, count_best=230, count_high=230)
    return root, line_of(root, "casualties", "F-0001")


def test_text_format_points_at_file_line_column_rule(tmp_path):
    root, line = _broken(tmp_path)
    result = run("validate", str(root))
    assert result.exit_code == 1
    assert (
        f"data/casualties.csv:{line}:count_best: subtotals-within-total: the parts of F-0001"
        in result.output
    )
    assert "INVALID" in result.output


def test_json_format(tmp_path):
    root, line = _broken(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(root), "--format", "json"])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["valid"] is False
    assert set(data["stats"]) >= {"tables", "rows", "errors", "warnings", "seconds"}
    [error] = [e for e in data["errors"] if e["rule"] == "subtotals-within-total"]
    assert error == {
        "resource": "casualties",
        "path": "data/casualties.csv",
        "row": line,
        "field": "count_best",
        "rule": "subtotals-within-total",
        "severity": "error",
        "message": error["message"],
    }


def test_github_format(tmp_path):
    root, line = _broken(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(root), "--format", "github"])
    assert result.exit_code == 1
    # col is the character position where the count_best cell starts on that line.
    text = (root / "data" / "casualties.csv").read_text(encoding="utf-8").splitlines()
    header, row = text[0].split(","), text[line - 1]
    column = len(",".join(row.split(",")[: header.index("count_best")])) + 2
    assert (
        "::error "
        f"file=data/casualties.csv,line={line},col={column},title=subtotals-within-total::count_best: "
        in result.stdout
    )


def test_cell_starts_respects_quoted_commas():
    from syria_incidents.validators.positions import cell_starts

    assert cell_starts('a,"b,c",d') == [1, 3, 9]
    assert cell_starts("") == [1]


def test_warnings_pass_unless_strict(tmp_path):
    from validate_helpers import append

    root = copy_package(tmp_path)
    append(root, "sources", source_id="S-9001")
    assert run("validate", str(root)).exit_code == 0
    result = run("validate", str(root), "--strict")
    assert result.exit_code == 1
    assert "source-uncited" in result.output


def test_no_descriptor_exits_2(tmp_path):
    result = run("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "datapackage.json" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_invalid_json_descriptor_exits_2(tmp_path):
    (tmp_path / "datapackage.json").write_text("{not json", encoding="utf-8")
    result = run("validate", str(tmp_path))
    assert result.exit_code == 2
    assert "not valid JSON" in result.output


def test_rules_lists_every_rule_with_severity():
    from syria_incidents.validators import RULES

    result = run("rules")
    assert result.exit_code == 0
    for rule_id, (severity, description) in RULES.items():
        assert any(
            line.split()[:2] == [rule_id, severity] and description in line
            for line in result.output.splitlines()
        ), rule_id


def test_docs_rules_md_is_current():
    result = run("rules", "--format", "markdown")
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == result.output, (
        "docs/rules.md is stale: run `syria-incidents rules --format markdown > docs/rules.md`"
    )


def test_python_api_is_lazy_and_complete(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys, syria_incidents as si; assert 'polars' not in sys.modules and 'pandera' not in "
        "sys.modules; "
        f"r = si.validate({str(FIXTURE_ROOT)!r}); print(r.valid, r.flatten(['rule']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert out.stdout.strip() == "True []"
