"""The public pandera schemas (syria_incidents.schemas) on frames as si.load() returns them,
edited the way a researcher would: the rule broken is named, at the row that breaks it."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest
from pandera.errors import SchemaError, SchemaErrors
from validate_helpers import FIXTURE_ROOT, copy_package, edit

import syria_incidents as si
from syria_incidents import schemas
from syria_incidents.validators import validate

TABLES = {
    "casualties": schemas.Casualties,
    "incidents": schemas.Incidents,
    "statements": schemas.Statements,
    "places": schemas.Places,
}


def broken(schema, frame) -> set[tuple[str, int]]:
    """(rule, row position) of every failure pandera reports for ``frame``."""
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        if isinstance(cases, pl.DataFrame):
            cases = cases.to_pandas()
        return {
            (check, int(index)) for check, index in zip(cases["check"], cases["index"]) if index == index
        }
    return set()


@pytest.mark.parametrize("engine", ["pandas", "polars"])
@pytest.mark.parametrize("table", sorted(TABLES))
def test_the_published_tables_keep_every_rule(table, engine):
    frame = si.load(table, FIXTURE_ROOT, engine=engine)
    assert TABLES[table].validate(frame).equals(frame)
    assert broken(TABLES[table], frame) == set()


def _row(frame, column, value) -> int:
    return int((frame[column] == value).to_list().index(True))


def test_a_part_raised_above_its_total_fails_subtotals_within_total_pandas():
    figures = si.load("casualties", FIXTURE_ROOT)
    # F-0002 (100) and F-0003 (15) are parts of F-0001 (240).
    figures.loc[figures.figure_id == "F-0002", ["count_low", "count_best", "count_high"]] = 230
    total = _row(figures, "figure_id", "F-0001")
    assert ("subtotals-within-total", total) in broken(schemas.Casualties, figures)
    with pytest.raises(SchemaError, match="subtotals-within-total"):
        schemas.Casualties.validate(figures)


def test_a_part_raised_above_its_total_fails_subtotals_within_total_polars():
    figures = si.load("casualties", FIXTURE_ROOT, engine="polars").with_columns(
        pl.when(pl.col("figure_id") == "F-0002").then(230).otherwise(pl.col(c)).alias(c)
        for c in ("count_low", "count_best", "count_high")
    )
    total = _row(figures, "figure_id", "F-0001")
    assert ("subtotals-within-total", total) in broken(schemas.Casualties, figures)


def test_row_and_cross_row_rules_on_edited_pandas_frames():
    figures = si.load("casualties", FIXTURE_ROOT)
    figures.loc[figures.figure_id == "F-0004", "count_low"] = 130  # above its count_best 125
    figures.loc[figures.figure_id == "F-0002", "outcome"] = "injured"  # its total counts killed
    found = broken(schemas.Casualties, figures)
    assert ("count-bounds-ordered", _row(figures, "figure_id", "F-0004")) in found
    assert ("subtotal-same-outcome", _row(figures, "figure_id", "F-0002")) in found
    incidents = si.load("incidents", FIXTURE_ROOT)
    # I-0003 is a part of I-0002 (2025-03-06 to 2025-03-07): move it out of those dates.
    incidents.loc[incidents.incident_id == "I-0003", ["start_date", "end_date"]] = pd.Timestamp("2025-03-01")
    assert ("child-incident-within-parent-dates", _row(incidents, "incident_id", "I-0003")) in broken(
        schemas.Incidents, incidents
    )


@pytest.mark.parametrize(
    "table, row_id, values",
    [
        ("casualties", "F-0002", {"count_best": 230, "count_low": 230, "count_high": 230}),
        ("casualties", "F-0001", {"victim_group": "civilians"}),  # its part F-0002 counts security forces
        ("casualties", "F-0004", {"qualifier": "exact"}),
        ("incidents", "I-0002", {"end_date": "2025-03-05"}),
        ("places", "P-0007", {"longitude": ""}),
        ("statements", "ST-0001", {"quote": "", "summary": ""}),
    ],
)
def test_the_schemas_find_what_validate_finds(tmp_path, table, row_id, values):
    root = copy_package(tmp_path)
    edit(root, table, row_id, **values)
    schema = TABLES[table]
    expected = {f.rule for f in validate(root).errors if f.resource == table and f.rule in schema.rules}
    assert expected, "the edit must break a rule of the table"
    for engine in ("pandas", "polars"):
        assert {rule for rule, _ in broken(schema, si.load(table, root, engine=engine))} == expected


def test_the_readme_example_runs_and_names_the_rule(repo_root, capsys, monkeypatch):
    text = (repo_root / "README.md").read_text(encoding="utf-8")
    block = next(b.split("```", 1)[0] for b in text.split("```python")[1:] if "syria_incidents.schemas" in b)
    monkeypatch.chdir(repo_root)
    exec(compile(block, "README.md", "exec"), {})
    assert "subtotals-within-total" in capsys.readouterr().out
