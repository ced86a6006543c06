"""Each rule: one row that breaks it (reported at the documented file, line, column)
and the untouched package, which breaks none.

The rows broken are those of the frozen 0.1.0 fixture (copy_package); only
test_real_data_is_valid reads the bundled data, and names none of its rows."""

from __future__ import annotations

import pytest
from validate_helpers import (
    REPO_ROOT,
    append,
    copy_package,
    edit,
    line_of,
    read_rows,
    validate_both,
    write_raw,
    write_rows,
)

from syria_incidents.validators import RULES, all_rules, validate

CAS, INC, PLA, SRC, STA = (
    f"data/{t}.csv" for t in ("casualties", "incidents", "places", "sources", "statements")
)


def found(root, rule):
    """[path, row, field] of every finding of ``rule``, the same whichever way the files are read."""
    return [[f.path, f.row, f.field] for f in validate_both(root).errors if f.rule == rule]


def test_real_data_is_valid():
    report = validate_both(REPO_ROOT)  # explicit: without a path, the package of the current directory
    assert report.valid, "\n".join(map(str, report.errors))
    assert report.errors == []


def test_every_semantic_rule_has_a_breaking_case():
    # The catalogue is what the rules declare (registry.rule); CASES below must break each
    # semantic rule, and name no rule the catalogue lacks.
    semantic = {r.id for r in all_rules().values() if r.kind == "semantic"}
    assert semantic <= set(CASES), f"no breaking case for {sorted(semantic - set(CASES))}"
    assert set(CASES) <= set(RULES)
    assert all(sev in ("error", "warning") and desc for sev, desc in RULES.values())
    assert RULES["source-uncited"][0] == "warning"


def _subtotal_over(root):
    # F-0002 (100) and F-0003 (15) are parts of F-0001 (240): push the parts over the total.
    edit(root, "casualties", "F-0002", count_low=230, count_best=230, count_high=230)
    return [CAS, line_of(root, "casualties", "F-0001"), "count_best"]


def _subtotal_low_over_high(root):
    edit(root, "casualties", "F-0001", count_low=110, count_best=240, count_high=110, qualifier="range")
    edit(root, "casualties", "F-0002", count_low=100, count_best=100, count_high=100)
    return [CAS, line_of(root, "casualties", "F-0001"), "count_high"]


def _set(table, row_id, field, **values):
    def mutate(root):
        line = edit(root, table, row_id, **values)
        return [f"data/{table}.csv", line, field]

    return mutate


def _cycle(table, a, b, column):
    def mutate(root):
        edit(root, table, a, **{column: b})
        edit(root, table, b, **{column: a})
        return [f"data/{table}.csv", line_of(root, table, a), column]

    return mutate


def _revision(**values):
    def mutate(root):
        line = append(
            root,
            "casualties",
            figure_id="F-9001",
            supersedes_figure_id="F-0004",
            parent_figure_id="",
            **values,
        )
        return [CAS, line, "supersedes_figure_id"]

    return mutate


def _uncited(root):
    line = append(root, "sources", source_id="S-9001")
    return [SRC, line, "source_id"]


def _duplicate_id(root):
    line = append(root, "casualties", figure_id="F-0001", parent_figure_id="")
    return [CAS, line, "figure_id"]


def _short_row(root):
    data = (root / STA).read_bytes().rstrip(b"\n") + b"\nST-0099,A-0001,x\n"
    write_raw(root, "statements", data)
    return [STA, data.count(b"\n"), "date_precision"]


def _extra_cell(root):
    lines = (root / PLA).read_bytes().split(b"\n")
    lines[2] += b",surplus"
    write_raw(root, "places", b"\n".join(lines))
    return [PLA, 3, None]


def _blank_row(root):
    lines = (root / PLA).read_bytes().split(b"\n")
    lines.insert(2, b"")
    write_raw(root, "places", b"\n".join(lines))
    return [PLA, 3, None]


def _header(root):
    lines = (root / PLA).read_bytes().split(b"\n")
    lines[0] = lines[0].replace(b"place_type", b"Place type")
    write_raw(root, "places", b"\n".join(lines))
    return [PLA, 1, "place_type"]


def _bom(root):
    write_raw(root, "sources", b"\xef\xbb\xbf" + (root / SRC).read_bytes())
    return [SRC, 1, None]


def _latin1(root):
    text = (root / PLA).read_bytes().decode("utf-8").replace("Syrian coast", "Syrian côte")
    lines = text.split("\n")
    line = next(i + 1 for i, t in enumerate(lines) if "côte" in t)
    write_raw(root, "places", text.encode("utf-8").replace("ô".encode(), "ô".encode("latin-1")))
    return [PLA, line, None]


def _stale_hash(root):
    edit(root, "sources", "S-0001", restamp=False, notes="changed without stamping")
    return [SRC, None, None]


def _missing_file(root):
    (root / STA).unlink()
    return [STA, None, None]


def _inside_bbox_outside_syria(root):
    # Tripoli, Lebanon: inside Syria's bounding box, outside its border.
    line = edit(root, "places", "P-0007", latitude=34.43, longitude=35.84)
    return [PLA, line, "latitude"]


def _child_outside_parent(root):
    line = edit(root, "incidents", "I-0003", start_date="2025-03-01", end_date="2025-03-01")
    return [INC, line, "start_date"]


def _narrower_broken(root):
    # F-0002 counts security forces; a total of civilians cannot contain it.
    edit(root, "casualties", "F-0001", victim_group="civilians")
    return [CAS, line_of(root, "casualties", "F-0002"), "victim_group"]


def _subtotal_other_incident(root):
    line = edit(root, "casualties", "F-0002", incident_id="I-0001")
    return [CAS, line, "incident_id"]


CASES = {
    "type": _set("casualties", "F-0002", "count_best", count_best="1OO"),
    "required": _set("casualties", "F-0002", "outcome", outcome=""),
    "enum": _set("casualties", "F-0002", "outcome", outcome="dead"),
    "pattern": _set("casualties", "F-0002", "source_id", source_id="S1"),
    "range": _set("places", "P-0007", "latitude", latitude=40.5),
    "primary-key": _duplicate_id,
    "foreign-key": _set("casualties", "F-0002", "incident_id", incident_id="I-9999"),
    "missing-cell": _short_row,
    "extra-cell": _extra_cell,
    "blank-row": _blank_row,
    "header": _header,
    "encoding": _bom,
    "bytes-hash": _stale_hash,
    "missing-file": _missing_file,
    "count-bounds-ordered": _set("casualties", "F-0004", "count_low", count_low=130),
    "qualifier-matches-bounds": _set("casualties", "F-0002", "qualifier", count_high=120),
    "subtotals-within-total": _subtotal_over,
    "subtotal-same-outcome": _set("casualties", "F-0002", "outcome", outcome="injured"),
    "subtotal-group-narrower": _narrower_broken,
    "subtotal-incident-within": _subtotal_other_incident,
    "figure-tree-acyclic": _cycle("casualties", "F-0002", "F-0003", "parent_figure_id"),
    "incident-tree-acyclic": _cycle("incidents", "I-0003", "I-0004", "parent_incident_id"),
    "place-tree-acyclic": _cycle("places", "P-0007", "P-0008", "parent_place_id"),
    "revision-chain-acyclic": _cycle("casualties", "F-0006", "F-0007", "supersedes_figure_id"),
    "incident-dates-ordered": _set("incidents", "I-0002", "end_date", end_date="2025-03-05"),
    "child-incident-within-parent-dates": _child_outside_parent,
    "figure-reported-after-incident-start": _set(
        "casualties", "F-0004", "reported_on", reported_on="2025-03-01"
    ),
    "figure-reported-before-source-published": _set(
        "casualties", "F-0004", "reported_on", reported_on="2025-03-09"
    ),
    "figure-period-ordered": _set("casualties", "F-0004", "period_end", period_end="2025-03-05"),
    "statement-before-source-published": _set("statements", "ST-0001", "made_on", made_on="2025-03-09"),
    "statement-quote-or-summary": _set("statements", "ST-0001", "quote", quote="", summary=""),
    "revision-earlier-same-reporter": _revision(reported_on="2025-03-07", incident_id="I-0012"),
    "coordinates-inside-syria": _inside_bbox_outside_syria,
    "coordinates-paired": _set("places", "P-0007", "longitude", longitude=""),
    "source-uncited": _uncited,
    "text-outer-whitespace": _set("actors", "A-0001", "name", name="SNHR "),
    "text-control-chars": _set("actors", "A-0001", "description", description="two\tparts"),
    "text-nfc": _set("places", "P-0007", "name", name="Jable\u0301h"),
    "text-formula-injection": _set("actors", "A-0001", "description", description="=HYPERLINK(1)"),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_catches_a_breaking_row(tmp_path, rule):
    root = copy_package(tmp_path)
    assert found(root, rule) == [], "the untouched package must not break the rule"
    expected = CASES[rule](root)
    assert expected in found(root, rule)


def test_latin1_file_is_an_encoding_error_at_its_line(tmp_path):
    root = copy_package(tmp_path)
    expected = _latin1(root)
    assert expected in found(root, "encoding")


def test_subtotal_low_sum_against_high(tmp_path):
    root = copy_package(tmp_path)
    expected = _subtotal_low_over_high(root)
    assert expected in found(root, "subtotals-within-total")


def test_subtotal_message_names_the_figures_and_values(tmp_path):
    root = copy_package(tmp_path)
    _subtotal_over(root)
    [finding] = [f for f in validate(root).errors if f.rule == "subtotals-within-total"]
    assert "F-0001" in finding.message and "245" in finding.message and "240" in finding.message
    assert "F-0002 230" in finding.message


def test_points_on_the_coast_are_in_syria(tmp_path):
    from syria_incidents.validators.geo import in_syria

    # Jableh, Baniyas, Latakia, Tartus | Tripoli (Lebanon), Gaziantep (Turkey), Kilis (Turkey)
    lat = [35.36, 35.18, 35.52, 34.89, 34.43, 37.06, 36.72]
    lon = [35.93, 35.94, 35.79, 35.89, 35.84, 37.38, 37.12]
    assert in_syria(lat, lon).tolist() == [True, True, True, True, False, False, False]


def test_border_towns_at_gazetteer_precision_are_in_syria():
    from syria_incidents.validators.geo import in_syria

    # Kobani, Tell Abyad, Kessab (0.002-0.006° over the 1:10m border) | Akcakale (Turkey, 1 km
    # from Tell Abyad), Beirut, Amman, Jableh with latitude and longitude swapped (at sea)
    lat = [36.89, 36.70, 35.92, 36.71, 33.89, 31.95, 35.93]
    lon = [38.36, 38.96, 35.99, 38.95, 35.50, 35.93, 35.36]
    assert in_syria(lat, lon).tolist() == [True, True, True, False, False, False, False]


def test_a_type_error_is_not_also_a_range_or_semantic_error(tmp_path):
    root = copy_package(tmp_path)
    line = edit(root, "casualties", "F-0004", count_best="-5x")
    rules = {f.rule for f in validate(root).errors if f.row == line}
    assert rules == {"type"}


def test_valid_revision_passes(tmp_path):
    root = copy_package(tmp_path)
    append(
        root,
        "casualties",
        figure_id="F-9001",
        supersedes_figure_id="F-0004",
        parent_figure_id="",
        incident_id="I-0012",
        reported_by_actor_id="A-0001",
        reported_on="2025-03-07",
        count_low="",
        count_best="125",
        count_high="",
        qualifier="about",
    )
    rows = read_rows(root, "casualties")
    rows[0]["reported_on"] = rows[0]["reported_on"]
    for row in rows:
        if row["figure_id"] == "F-0004":
            row["reported_on"] = "2025-03-06"
    write_rows(root, "casualties", rows)
    report = validate(root)
    assert [f for f in report.errors if f.rule.startswith("revision")] == []


def test_allowlisted_finding_is_dropped(tmp_path):
    root = copy_package(tmp_path)
    _subtotal_over(root)
    assert found(root, "subtotals-within-total") != []
    (root / "data" / "allowlist.toml").write_text(
        '[[allow]]\nrule = "subtotals-within-total"\nresource = "casualties"\nid = "F-0001"\n'
        'reason = "test: the source publishes parts over its total"\n',
        encoding="utf-8",
    )
    assert found(root, "subtotals-within-total") == []
    assert validate(root).valid


def test_allowlist_entries_have_reasons():
    # The bundled package's allowlist (data/allowlist.toml), whatever entries it holds.
    from syria_incidents.validators.allowlist import load_allowlist

    entries, problems = load_allowlist(REPO_ROOT)
    assert problems == []
    assert all(entry["reason"].strip() for entry in entries)
