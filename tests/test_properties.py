"""Property tests: generated valid packages validate clean; each corruption
operator makes validation fail with exactly its rule at exactly its row; no
byte string makes the validator crash.
"""

from __future__ import annotations

import copy
import tempfile
from collections import Counter
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from strategies import FIELDS, PATHS, bounds, day_of, enum, iso, packages, write_package
from validate_helpers import validate_both

from syria_incidents.cli import main
from syria_incidents.validators import validate

# Each example writes a package and validates it (~0.3 s), so examples are few.
# Shrinking is off: here it takes minutes per failure, and the assertion message
# already lists every finding of the failing package, which is printed too.
SETTINGS = settings(
    max_examples=10,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

# Free-text fields: where text hygiene rules apply (ids, vocabularies, dates and URLs have their own rules).
TEXT_FIELDS = {
    "sources": ["publisher", "title", "notes"],
    "actors": ["name", "description"],
    "places": ["name", "name_ar", "notes"],
    "incidents": ["title", "description", "notes"],
    "casualties": ["source_quote", "notes"],
    "statements": ["speaker_role", "quote", "summary", "notes"],
}


def line(index: int) -> int:
    """CSV line number of the row at ``index`` (the header is line 1)."""
    return index + 2


def report_for(package: dict):
    """The package's report; the polars slices and the csv module must agree on it (validate_both)."""
    with tempfile.TemporaryDirectory() as tmp:
        write_package(Path(tmp), package)
        return validate_both(Path(tmp))


def assert_exactly(package: dict, *expected: tuple[str, int, str]) -> None:
    """Validation reports exactly these (table, row index, rule), and nothing else."""
    report = report_for(package)
    found = {tuple(f) for f in report.flatten(["path", "row", "rule"])}
    wanted = {(PATHS[table], line(index), rule) for table, index, rule in expected}
    details = "\n".join(str(f) for f in report.errors)
    assert wanted <= found, f"missing {sorted(wanted - found)}; found:\n{details}"
    assert found == wanted, f"unexpected {sorted(found - wanted)}; found:\n{details}"
    if any(f.severity == "error" for f in report.errors):
        assert not report.valid


def index_of(rows: list[dict], key: str, value: str) -> int:
    return next(i for i, row in enumerate(rows) if row[key] == value)


def day_after(value: str, days: int) -> str:
    return iso(day_of(value) + days)


# --- valid packages -----------------------------------------------------------


@settings(SETTINGS, max_examples=30)
@given(packages())
def test_generated_valid_package_validates_clean(package):
    report = report_for(package)
    assert report.valid, "\n".join(str(f) for f in report.errors)
    assert report.errors == [], "\n".join(str(f) for f in report.errors)


# --- one operator, one rule, one row ------------------------------------------


@SETTINGS
@given(packages(), st.data())
def test_child_figure_lifted_past_its_total(package, data):
    figures = package["casualties"]
    parts = [i for i, f in enumerate(figures) if f["parent_figure_id"]]
    assume(parts)
    i = data.draw(st.sampled_from(parts))
    parent = index_of(figures, "figure_id", figures[i]["parent_figure_id"])
    siblings = sum(
        int(f["count_best"])
        for j, f in enumerate(figures)
        if j != i and f["parent_figure_id"] == figures[parent]["figure_id"]
    )
    best = int(figures[parent]["count_best"]) - siblings + data.draw(st.integers(1, 50))
    figures[i].update(bounds(best, figures[i]["qualifier"]))
    assert_exactly(package, ("casualties", parent, "subtotals-within-total"))


@SETTINGS
@given(packages(), st.data())
def test_count_bounds_out_of_order(package, data):
    figures = package["casualties"]
    # A top-level figure whose qualifier allows a count_low beside its best, so that
    # only the order is wrong (a part's count_low would also count against its total).
    loose = [
        i
        for i, f in enumerate(figures)
        if f["parent_figure_id"] is None and f["qualifier"] in ("about", "range")
    ]
    assume(loose)
    i = data.draw(st.sampled_from(loose))
    figures[i]["count_low"] = str(int(figures[i]["count_best"]) + data.draw(st.integers(1, 50)))
    assert_exactly(package, ("casualties", i, "count-bounds-ordered"))


@SETTINGS
@given(packages(), st.data())
def test_qualifier_disagrees_with_bounds(package, data):
    figures = package["casualties"]
    # exact means high = best; at_least means no high: a higher count_high breaks either.
    candidates = [i for i, f in enumerate(figures) if f["qualifier"] in ("exact", "at_least")]
    assume(candidates)
    i = data.draw(st.sampled_from(candidates))
    figures[i]["count_high"] = str(int(figures[i]["count_best"]) + data.draw(st.integers(1, 50)))
    assert_exactly(package, ("casualties", i, "qualifier-matches-bounds"))


@SETTINGS
@given(packages(), st.data())
def test_part_about_an_unrelated_incident(package, data):
    figures, incidents = package["casualties"], package["incidents"]
    parent_of = {row["incident_id"]: row["parent_incident_id"] for row in incidents}
    start = {row["incident_id"]: row["start_date"] for row in incidents}

    def within(incident, ancestor):
        while incident is not None:
            if incident == ancestor:
                return True
            incident = parent_of[incident]
        return False

    by_id = {f["figure_id"]: f for f in figures}
    parents = {f["parent_figure_id"] for f in figures}
    moves = [
        (i, other)
        for i, f in enumerate(figures)
        if f["parent_figure_id"] and f["figure_id"] not in parents
        for other in parent_of
        # Outside the total's incident, and begun by the time the part was reported.
        if not within(other, by_id[f["parent_figure_id"]]["incident_id"])
        and start[other] <= f["reported_on"]
    ]
    assume(moves)
    i, other = data.draw(st.sampled_from(moves))
    figures[i]["incident_id"] = other
    assert_exactly(package, ("casualties", i, "subtotal-incident-within"))


FOREIGN_KEYS = [
    ("statements", "speaker_actor_id", "A-9999"),
    ("statements", "incident_id", "I-9999"),
    ("incidents", "place_id", "P-9999"),
    ("incidents", "initiator_actor_id", "A-9999"),
    ("casualties", "perpetrator_actor_id", "A-9999"),
    ("actors", "parent_actor_id", "A-9999"),
    ("places", "parent_place_id", "P-9999"),
]


@SETTINGS
@given(packages(), st.data())
def test_broken_foreign_key(package, data):
    table, field, missing = data.draw(st.sampled_from(FOREIGN_KEYS))
    assume(package[table])
    i = data.draw(st.integers(0, len(package[table]) - 1))
    package[table][i][field] = missing
    assert_exactly(package, (table, i, "foreign-key"))


@SETTINGS
@given(packages(), st.data())
def test_incident_date_range_reversed(package, data):
    incidents = package["incidents"]
    parents = {row["parent_incident_id"] for row in incidents}
    # A root with no children, so no parent or child date rule is involved.
    lone = [
        i
        for i, row in enumerate(incidents)
        if row["parent_incident_id"] is None and row["incident_id"] not in parents
    ]
    assume(lone)
    i = data.draw(st.sampled_from(lone))
    incidents[i]["end_date"] = day_after(incidents[i]["start_date"], -data.draw(st.integers(1, 30)))
    assert_exactly(package, ("incidents", i, "incident-dates-ordered"))


@SETTINGS
@given(packages(), st.data())
def test_figure_period_reversed(package, data):
    figures = package["casualties"]
    with_period = [i for i, f in enumerate(figures) if f["period_start"]]
    assume(with_period)
    i = data.draw(st.sampled_from(with_period))
    figures[i]["period_end"] = day_after(figures[i]["period_start"], -data.draw(st.integers(1, 30)))
    assert_exactly(package, ("casualties", i, "figure-period-ordered"))


ID_FIELDS = {"statements": "statement_id", "actors": "actor_id", "places": "place_id"}
PARENT_FIELDS = {"actors": "parent_actor_id", "places": "parent_place_id"}
REFERENCES = {  # where each table's ids are referred to
    "statements": [],
    "actors": [
        ("actors", "parent_actor_id"),
        ("incidents", "initiator_actor_id"),
        ("incidents", "target_actor_id"),
        ("incidents", "reported_by_actor_id"),
        ("casualties", "perpetrator_actor_id"),
        ("casualties", "reported_by_actor_id"),
        ("statements", "speaker_actor_id"),
    ],
    "places": [("places", "parent_place_id"), ("incidents", "place_id")],
}


@SETTINGS
@given(packages(), st.data())
def test_duplicate_id(package, data):
    table = data.draw(st.sampled_from(sorted(ID_FIELDS)))
    key = ID_FIELDS[table]
    referenced = {row[f] for t, f in REFERENCES[table] for row in package[t]}
    # A row nothing refers to and with no parent, so that no reference is left
    # dangling and no parent chain runs through the repeated id.
    free = [
        i
        for i, row in enumerate(package[table])
        if i > 0 and row[key] not in referenced and not row.get(PARENT_FIELDS.get(table))
    ]
    assume(free)
    i = data.draw(st.sampled_from(free))
    package[table][i][key] = package[table][data.draw(st.integers(0, i - 1))][key]
    assert_exactly(package, (table, i, "primary-key"))


@SETTINGS
@given(packages(), st.data())
def test_cycle(package, data):
    kind = data.draw(st.sampled_from(["incidents", "places", "casualties"]))
    rows = package[kind]
    key, parent_key, rule_id = {
        "incidents": ("incident_id", "parent_incident_id", "incident-tree-acyclic"),
        "places": ("place_id", "parent_place_id", "place-tree-acyclic"),
        "casualties": ("figure_id", "parent_figure_id", "figure-tree-acyclic"),
    }[kind]
    parents = {row[parent_key] for row in rows}
    if kind == "places":
        candidates = list(range(len(rows)))
    else:
        # A top-level row: making it its own parent changes no other row's ancestry;
        # a figure must also have no parts, or they would be summed with itself.
        candidates = [
            i
            for i, row in enumerate(rows)
            if row[parent_key] is None and (kind == "incidents" or row[key] not in parents)
        ]
    assume(candidates)
    i = data.draw(st.sampled_from(candidates))
    rows[i][parent_key] = rows[i][key]
    assert_exactly(package, (kind, i, rule_id))


@SETTINGS
@given(packages(), st.data())
def test_place_cycle_reported_at_every_place_on_it(package, data):
    places = package["places"]
    ring = data.draw(st.lists(st.integers(0, len(places) - 1), min_size=1, max_size=3, unique=True))
    for here, there in zip(ring, ring[1:] + ring[:1]):
        places[here]["parent_place_id"] = places[there]["place_id"]
    # A cycle is reported once, at its first line, naming its members.
    assert_exactly(package, ("places", min(ring), "place-tree-acyclic"))


# Points inside Syria's bounding box but outside Syria, and points outside the box.
OUTSIDE_SYRIA = [("34.43", "35.84"), ("37.06", "37.38")]  # Tripoli (Lebanon), Gaziantep (Turkey)
OUTSIDE_BOX = [("33.50", "44.00"), ("38.50", "38.00"), ("31.00", "36.00")]


@SETTINGS
@given(packages(), st.data())
def test_point_outside_syria(package, data):
    places = package["places"]
    i = data.draw(st.integers(0, len(places) - 1))
    inside_box = data.draw(st.booleans())
    lat, lon = data.draw(st.sampled_from(OUTSIDE_SYRIA if inside_box else OUTSIDE_BOX))
    places[i].update(
        latitude=lat,
        longitude=lon,
        coordinate_precision=places[i]["coordinate_precision"] or "settlement_centre",
    )
    assert_exactly(package, ("places", i, "coordinates-inside-syria" if inside_box else "range"))


@SETTINGS
@given(packages(), st.data())
def test_coordinates_unpaired(package, data):
    located = [i for i, p in enumerate(package["places"]) if p["latitude"]]
    assume(located)
    i = data.draw(st.sampled_from(located))
    package["places"][i][data.draw(st.sampled_from(["latitude", "longitude"]))] = None
    assert_exactly(package, ("places", i, "coordinates-paired"))


def _text_cell(package, data):
    table = data.draw(st.sampled_from(sorted(TEXT_FIELDS)))
    assume(package[table])
    i = data.draw(st.integers(0, len(package[table]) - 1))
    return table, i, data.draw(st.sampled_from(TEXT_FIELDS[table]))


@SETTINGS
@given(packages(), st.data())
def test_formula_injection(package, data):
    table, i, field = _text_cell(package, data)
    package[table][i][field] = data.draw(st.sampled_from(["=", "+", "-", "@"])) + "cmd()"
    assert_exactly(package, (table, i, "text-formula-injection"))


@SETTINGS
@given(packages(), st.data())
def test_text_hygiene(package, data):
    table, i, field = _text_cell(package, data)
    value, rule_id = data.draw(
        st.sampled_from(
            [
                (" padded", "text-outer-whitespace"),
                ("trailing ", "text-outer-whitespace"),
                ("bell\x07inside", "text-control-chars"),
                ("Cafe\u0301", "text-nfc"),  # e + combining acute: NFD, not NFC
            ]
        )
    )
    package[table][i][field] = value
    assert_exactly(package, (table, i, rule_id))


@SETTINGS
@given(packages(), st.data())
def test_statement_without_quote_or_summary(package, data):
    assume(package["statements"])
    i = data.draw(st.integers(0, len(package["statements"]) - 1))
    package["statements"][i].update(quote=None, summary=None)
    assert_exactly(package, ("statements", i, "statement-quote-or-summary"))


@SETTINGS
@given(packages(), st.data())
def test_figure_reported_before_incident_began(package, data):
    figures = package["casualties"]
    # Not a revision, which must stay later than the figure it revises.
    originals = [i for i, f in enumerate(figures) if f["supersedes_figure_id"] is None]
    assume(originals)
    i = data.draw(st.sampled_from(originals))
    incident = package["incidents"][index_of(package["incidents"], "incident_id", figures[i]["incident_id"])]
    figures[i]["reported_on"] = day_after(incident["start_date"], -data.draw(st.integers(1, 10)))
    assert_exactly(package, ("casualties", i, "figure-reported-after-incident-start"))


@SETTINGS
@given(packages(), st.data())
def test_figure_reported_after_source_published(package, data):
    figures = package["casualties"]
    revised = {f["supersedes_figure_id"] for f in figures}
    # Not a revised figure, which must stay earlier than its revision.
    latest = [i for i, f in enumerate(figures) if f["figure_id"] not in revised]
    assume(latest)
    i = data.draw(st.sampled_from(latest))
    source = package["sources"][index_of(package["sources"], "source_id", figures[i]["source_id"])]
    figures[i]["reported_on"] = day_after(source["published_on"], data.draw(st.integers(1, 10)))
    assert_exactly(package, ("casualties", i, "figure-reported-before-source-published"))


@SETTINGS
@given(packages(), st.data())
def test_statement_after_source_published(package, data):
    statements = package["statements"]
    assume(statements)
    i = data.draw(st.integers(0, len(statements) - 1))
    source = package["sources"][index_of(package["sources"], "source_id", statements[i]["source_id"])]
    statements[i]["made_on"] = day_after(source["published_on"], data.draw(st.integers(1, 10)))
    assert_exactly(package, ("statements", i, "statement-before-source-published"))


@SETTINGS
@given(packages(), st.data())
def test_child_incident_starts_before_its_parent(package, data):
    incidents = package["incidents"]
    children = [i for i, row in enumerate(incidents) if row["parent_incident_id"]]
    assume(children)
    i = data.draw(st.sampled_from(children))
    parent = incidents[index_of(incidents, "incident_id", incidents[i]["parent_incident_id"])]
    incidents[i]["start_date"] = day_after(parent["start_date"], -data.draw(st.integers(1, 10)))
    assert_exactly(package, ("incidents", i, "child-incident-within-parent-dates"))


@SETTINGS
@given(packages(), st.data())
def test_revision_by_another_reporter(package, data):
    figures = package["casualties"]
    revised = {f["supersedes_figure_id"] for f in figures}
    # The last revision of a chain: a later one would no longer share its reporter either.
    revisions = [
        i for i, f in enumerate(figures) if f["supersedes_figure_id"] and f["figure_id"] not in revised
    ]
    assume(revisions and len(package["actors"]) > 1)
    i = data.draw(st.sampled_from(revisions))
    others = [
        a["actor_id"] for a in package["actors"] if a["actor_id"] != figures[i]["reported_by_actor_id"]
    ]
    figures[i]["reported_by_actor_id"] = data.draw(st.sampled_from(others))
    assert_exactly(package, ("casualties", i, "revision-earlier-same-reporter"))


@SETTINGS
@given(packages(), st.data())
def test_part_with_another_outcome(package, data):
    figures = package["casualties"]
    parents = {f["parent_figure_id"] for f in figures}
    # A part without parts of its own, so that no part below it changes outcome relative to it.
    leaves = [i for i, f in enumerate(figures) if f["parent_figure_id"] and f["figure_id"] not in parents]
    assume(leaves)
    i = data.draw(st.sampled_from(leaves))
    figures[i]["outcome"] = data.draw(
        st.sampled_from([o for o in enum("casualties", "outcome") if o != figures[i]["outcome"]])
    )
    assert_exactly(package, ("casualties", i, "subtotal-same-outcome"))


@SETTINGS
@given(packages(), st.data())
def test_part_broader_than_its_total(package, data):
    figures = package["casualties"]
    field = data.draw(st.sampled_from(["victim_group", "sex", "age_group"]))
    by_id = {f["figure_id"]: f for f in figures}
    # "any" under a total that names a group is broader than the total.
    narrow = [
        i
        for i, f in enumerate(figures)
        if f["parent_figure_id"] and by_id[f["parent_figure_id"]][field] != "any"
    ]
    assume(narrow)
    i = data.draw(st.sampled_from(narrow))
    figures[i][field] = "any"
    assert_exactly(package, ("casualties", i, "subtotal-group-narrower"))


@SETTINGS
@given(packages())
def test_uncited_source_is_a_warning(package):
    sources = package["sources"]
    extra = copy.deepcopy(sources[0])
    extra["source_id"] = f"S-{len(sources) + 1:04d}"
    sources.append(extra)
    assert_exactly(package, ("sources", len(sources) - 1, "source-uncited"))
    report = report_for(package)
    assert report.valid and [f.severity for f in report.errors] == ["warning"]


# --- row order ------------------------------------------------------------------

# Edits whose findings do not depend on row order (a repeated id is reported at its later
# row, a cycle at its first member's: those move with the order by design).
_EDITED = {
    "casualties": ("count_best", "reported_on"),
    "incidents": ("start_date", "end_date"),
    "statements": ("made_on",),
    "sources": ("published_on",),
}


def _on_records(package: dict) -> Counter:
    """Each finding as (file, rule, column, severity, id of the record at its line)."""
    ids = {
        PATHS[name]: {line(i): row[FIELDS[name][0]] for i, row in enumerate(rows)}
        for name, rows in package.items()
    }
    return Counter(
        (f.path, f.rule, f.field, f.severity, ids.get(f.path, {}).get(f.row))
        for f in report_for(package).errors
    )


@SETTINGS
@given(packages(max_incidents=8), st.data())
def test_shuffling_rows_changes_only_line_numbers(package, data):
    """Rows in any order give the same findings on the same records. Generated ids are in file
    order; shuffled, every join, group and key check takes its unsorted path."""
    for _ in range(data.draw(st.integers(0, 4))):
        table = data.draw(st.sampled_from(sorted(_EDITED)))
        assume(package[table])
        row = data.draw(st.sampled_from(package[table]))
        column = data.draw(st.sampled_from(_EDITED[table]))
        if column == "count_best":
            row[column] = str(data.draw(st.integers(0, 400)))
        elif row[column]:
            row[column] = day_after(row[column], data.draw(st.integers(-60, 60)))
    shuffled = {name: data.draw(st.permutations(rows)) for name, rows in package.items()}
    assume(any(shuffled[name] != package[name] for name in package))
    assert _on_records(shuffled) == _on_records(package)


# --- no input makes the validator crash ------------------------------------------


def _run_cli(root: Path):
    result = CliRunner().invoke(main, ["validate", str(root)])
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@SETTINGS
@given(packages(max_incidents=2), st.sampled_from(sorted(PATHS)), st.binary(max_size=600))
def test_random_bytes_as_a_table_never_crash(package, table, garbage):
    with tempfile.TemporaryDirectory() as tmp:
        root = write_package(Path(tmp), package)
        (root / PATHS[table]).write_bytes(garbage)
        assert _run_cli(root).exit_code == 1  # the header alone is wrong, whatever the bytes


@SETTINGS
@given(packages(max_incidents=2), st.sampled_from(sorted(PATHS)), st.data())
def test_mutated_bytes_never_crash(package, table, data):
    with tempfile.TemporaryDirectory() as tmp:
        root = write_package(Path(tmp), package)
        path = root / PATHS[table]
        original = path.read_bytes()
        content = bytearray(original)
        for _ in range(data.draw(st.integers(1, 4))):
            at = data.draw(st.integers(0, len(content)))
            chunk = data.draw(
                st.binary(min_size=1, max_size=8)
                | st.sampled_from([b",", b'"', b"\n", b"\r\n", b"\xef\xbb\xbf", b"\x00", b"\xe9", b"=cmd()"])
            )
            if data.draw(st.booleans()):
                content[at : at + len(chunk)] = chunk
            else:
                content[at:at] = chunk
        assume(bytes(content) != original)
        path.write_bytes(bytes(content))
        # Most mutations break something, and the stale hash always does.
        assert _run_cli(root).exit_code == 1


@SETTINGS
@given(
    st.binary(max_size=300)
    | st.sampled_from([b"", b"{}", b"[]", b'{"resources": 1}', b'{"resources": [{}]}'])
)
def test_garbage_descriptor_never_crashes(garbage):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "datapackage.json").write_bytes(garbage)
        assert not validate(root).valid  # the API never raises either
        assert _run_cli(root).exit_code in (1, 2)
