"""Property: the diff finds exactly the records added, removed and changed, whatever the values."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from syria_incidents.versions.classify import classify, level_max
from syria_incidents.versions.diff import diff_table
from syria_incidents.versions.source import parse_table

FIELDS = ["item_id", "name", "count", "notes"]
SCHEMA = {"fields": [{"name": f} for f in FIELDS], "primaryKey": ["item_id"]}
# Any text a CSV cell can hold: commas, quotes, newlines, non-Latin scripts, empty.
cells = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"), max_size=12
)


def to_csv(rows: dict[str, dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(FIELDS)
    for key, row in rows.items():
        writer.writerow([key] + [row[f] for f in FIELDS[1:]])
    return out.getvalue()


@st.composite
def edits(draw):
    keys = [f"R-{i:04d}" for i in range(draw(st.integers(1, 12)))]
    old = {k: {f: draw(cells) for f in FIELDS[1:]} for k in keys}
    removed = [k for k in keys if draw(st.booleans())]
    new = {k: dict(v) for k, v in old.items() if k not in removed}
    changed = {}
    for k in new:
        field = draw(st.sampled_from([None] + FIELDS[1:]))
        value = draw(cells)
        if field and value != new[k][field]:
            new[k][field] = value
            changed[k] = [(field, old[k][field], value)]
    added = [f"R-{i:04d}" for i in range(100, 100 + draw(st.integers(0, 3)))]
    for k in added:
        new[k] = {f: draw(cells) for f in FIELDS[1:]}
    return old, new, added, removed, changed


@settings(max_examples=60, deadline=None)
@given(edits())
def test_diff_recovers_every_edit(case):
    old, new, added, removed, changed = case
    diff = diff_table(
        parse_table("items", "items.csv", SCHEMA, to_csv(old)),
        parse_table("items", "items.csv", SCHEMA, to_csv(new)),
        "items",
    )
    assert diff.added == added
    assert diff.removed == removed
    assert {rc.key: [(c.field, c.old, c.new) for c in rc.changes] for rc in diff.changed} == changed
    assert diff.schema == []


@settings(max_examples=30, deadline=None)
@given(edits())
def test_needed_bump_is_the_strongest_kind_of_change(case):
    old, new, added, removed, changed = case
    diff = diff_table(
        parse_table("items", "items.csv", SCHEMA, to_csv(old)),
        parse_table("items", "items.csv", SCHEMA, to_csv(new)),
        "items",
    )

    class Package:  # classify() reads only .tables and .metadata
        tables, metadata = [diff], []

    expected = "major" if removed else "minor" if added else "patch" if changed else "none"
    assert level_max(r.level for r in classify(Package)) == expected
