"""Hypothesis strategies that build small *valid* syria-incidents packages.

Schema-driven synthesis cannot satisfy the cross-column rules (subtotals within
totals, child dates within parent dates, revisions later than what they revise,
sources published after what cites them), so the strategies build them
explicitly. A package is ``{table: [row dict, ...]}`` with CSV-ready strings
(``None`` = empty cell); ``write_package`` turns it into a directory with the
descriptor of the frozen 0.1.0 fixture, stamped.

Every vocabulary, field name and path comes from that ``datapackage.json``
(tests/fixtures/package-0.1.0), read by path: not from the bundled data, which a
contribution may change, nor from whatever package the current directory holds.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import json
from pathlib import Path

from hypothesis import strategies as st
from validate_helpers import FIXTURE_ROOT

import syria_incidents
from syria_incidents.stamp import file_integrity

DESCRIPTOR = syria_incidents.descriptor(FIXTURE_ROOT)
RESOURCES = {res["name"]: res for res in DESCRIPTOR["resources"]}
FIELDS = {name: [f["name"] for f in res["schema"]["fields"]] for name, res in RESOURCES.items()}
PATHS = {name: res["path"] for name, res in RESOURCES.items()}
ID_PREFIX = {
    "sources": "S",
    "actors": "A",
    "places": "P",
    "incidents": "I",
    "casualties": "F",
    "statements": "ST",
}

EPOCH = dt.date(2024, 12, 8)
# Well inside Syria's border (clear of Lebanon, Turkey, Iraq and Jordan), in hundredths of a degree.
INTERIOR_LAT = (3430, 3590)
INTERIOR_LON = (3700, 3940)
QUALIFIERS = ("exact", "about", "at_least", "more_than", "at_most", "range")


def enum(table: str, field: str) -> list[str]:
    """The vocabulary of a field, from the descriptor."""
    for f in RESOURCES[table]["schema"]["fields"]:
        if f["name"] == field:
            return list(f["constraints"]["enum"])
    raise KeyError(f"{table}.{field}")


def make_id(table: str, index: int) -> str:
    return f"{ID_PREFIX[table]}-{index + 1:04d}"


def iso(day: int) -> str:
    """Days after 8 December 2024 as an ISO date."""
    return (EPOCH + dt.timedelta(days=day)).isoformat()


def day_of(value: str) -> int:
    return (dt.date.fromisoformat(value) - EPOCH).days


# Text that passes every hygiene rule (NFC, no outer whitespace, no control
# characters, no leading = + - @) and still exercises CSV quoting and Arabic.
_FIRST = "ABCDEFGHabcdefgh0123456789سوريادمشق"
_INNER = _FIRST + " ,;:'\"()."
texts = st.builds(
    lambda first, inner, last: first + inner + last,
    st.sampled_from(_FIRST),
    st.text(alphabet=_INNER, max_size=12),
    st.sampled_from(_FIRST),
)
languages = st.sampled_from(["en", "ar", "fr", "en-GB"])


def optional(strategy):
    return st.none() | strategy


def bounds(best: int, qualifier: str, below: int = 0, above: int = 0) -> dict:
    """count_low/best/high for a qualifier, as the source's wording implies.

    exact: low = best = high; about: best only; at_least and more_than: low = best,
    no high; at_most: high = best, no low; range: low ≤ best ≤ high (``below`` and
    ``above`` set the spread). Always low ≤ best ≤ high, so parts' low sums stay
    within their total's high.
    """
    low = {"exact": best, "at_least": best, "more_than": best, "range": max(best - below, 0)}.get(qualifier)
    high = {"exact": best, "at_most": best, "range": best + above}.get(qualifier)
    return {
        "count_low": None if low is None else str(low),
        "count_best": str(best),
        "count_high": None if high is None else str(high),
        "qualifier": qualifier,
    }


def spread(draw) -> dict:
    return {"below": draw(st.integers(0, 20)), "above": draw(st.integers(0, 20))}


@st.composite
def packages(draw, max_incidents: int = 5) -> dict:
    """A small valid package: incident trees, subtotal trees, revisions, statements, sources.

    Sources are drawn last: each is published on or after the last date citing it,
    and only sources something cites are kept, so none is left uncited.
    """
    n_actors = draw(st.integers(1, 4))
    actors = []
    for i in range(n_actors):
        parent = draw(optional(st.integers(0, i - 1))) if i else None
        actors.append(
            {
                "actor_id": make_id("actors", i),
                "name": draw(texts),
                "actor_type": draw(st.sampled_from(enum("actors", "actor_type"))),
                "parent_actor_id": None if parent is None else make_id("actors", parent),
                "description": draw(optional(texts)),
            }
        )

    n_places = draw(st.integers(1, 4))
    places = []
    for i in range(n_places):
        parent = draw(optional(st.integers(0, i - 1))) if i else None
        located = draw(st.booleans())
        places.append(
            {
                "place_id": make_id("places", i),
                "name": draw(texts),
                "name_ar": draw(optional(texts)),
                "place_type": draw(st.sampled_from(enum("places", "place_type"))),
                "parent_place_id": None if parent is None else make_id("places", parent),
                "latitude": f"{draw(st.integers(*INTERIOR_LAT)) / 100:.2f}" if located else None,
                "longitude": f"{draw(st.integers(*INTERIOR_LON)) / 100:.2f}" if located else None,
                "coordinate_precision": draw(st.sampled_from(enum("places", "coordinate_precision")))
                if located
                else None,
                "notes": draw(optional(texts)),
            }
        )

    # Incidents: parents come first; a child's dates lie within its parent's.
    n_incidents = draw(st.integers(1, max_incidents))
    incidents, parent_of, start, end = [], [], [], []
    for i in range(n_incidents):
        parent = draw(optional(st.integers(0, i - 1))) if i else None
        if parent is None:
            s = draw(st.integers(0, 400))
            e = s + draw(st.integers(0, 10))
        else:
            s = draw(st.integers(start[parent], end[parent]))
            e = draw(st.integers(s, end[parent]))
        parent_of.append(parent)
        start.append(s)
        end.append(e)
        incidents.append(
            {
                "incident_id": make_id("incidents", i),
                "parent_incident_id": None if parent is None else make_id("incidents", parent),
                "title": draw(texts),
                "event_type": draw(st.sampled_from(enum("incidents", "event_type"))),
                "sub_event_type": draw(st.sampled_from(enum("incidents", "sub_event_type"))),
                "start_date": iso(s),
                "end_date": iso(e),
                "date_precision": draw(optional(st.sampled_from(enum("incidents", "date_precision")))),
                "place_id": make_id("places", draw(st.integers(0, n_places - 1))),
                "place_precision": draw(st.sampled_from(enum("incidents", "place_precision"))),
                "initiator_actor_id": _maybe_actor(draw, n_actors),
                "target_actor_id": _maybe_actor(draw, n_actors),
                "reported_by_actor_id": _maybe_actor(draw, n_actors),
                "description": draw(texts),
                "verification": draw(st.sampled_from(enum("incidents", "verification"))),
                "source_id": None,  # filled once sources are known
                "_source": draw(st.integers(0, 2)),
                "notes": draw(optional(texts)),
            }
        )

    def descendants(i: int) -> list[int]:
        """An incident and every incident below it."""
        found = [i]
        for j in range(i + 1, n_incidents):
            if parent_of[j] is not None and parent_of[j] in found:
                found.append(j)
        return found

    figures: list[dict] = []
    for _ in range(draw(st.integers(0, 3))):
        _figure_tree(
            draw,
            figures,
            n_actors,
            start,
            descendants,
            incident=draw(st.integers(0, n_incidents - 1)),
            parent=None,
            depth=0,
        )
    _revisions(draw, figures)

    statements = []
    for i in range(draw(st.integers(0, 3))):
        quote = draw(optional(texts))
        summary = draw(texts) if quote is None else draw(optional(texts))
        incident = draw(optional(st.integers(0, n_incidents - 1)))
        made = draw(optional(st.integers(0, 420)))
        statements.append(
            {
                "statement_id": make_id("statements", i),
                "speaker_actor_id": _actor(draw, n_actors),
                "speaker_role": draw(optional(texts)),
                "made_on": None if made is None else iso(made),
                "date_precision": draw(optional(st.sampled_from(enum("statements", "date_precision")))),
                "channel": draw(st.sampled_from(enum("statements", "channel"))),
                "statement_type": draw(st.sampled_from(enum("statements", "statement_type"))),
                "quote": quote,
                "summary": summary,
                "language": draw(languages),
                "incident_id": None if incident is None else make_id("incidents", incident),
                "source_id": None,
                "_source": draw(st.integers(0, 2)),
                "notes": draw(optional(texts)),
            }
        )

    sources = _sources(draw, incidents, figures, statements)
    package = {
        "sources": sources,
        "actors": actors,
        "places": places,
        "incidents": incidents,
        "casualties": figures,
        "statements": statements,
    }
    return {name: [{f: row.get(f) for f in FIELDS[name]} for row in rows] for name, rows in package.items()}


def _actor(draw, n_actors: int) -> str:
    return make_id("actors", draw(st.integers(0, n_actors - 1)))


def _maybe_actor(draw, n_actors: int) -> str | None:
    return _actor(draw, n_actors) if draw(st.booleans()) else None


def _figure_tree(draw, figures, n_actors, start, descendants, incident, parent, depth, budget=None):
    """Append a figure and (up to depth 2) its parts.

    A part has its parent's outcome, the same or a narrower group ("any" contains
    everything), an incident at or below its parent's, and the parts' counts share
    the parent's best count (so low sums stay within the parent's high too).
    """
    index = len(figures)
    parent_row = figures[parent] if parent is not None else None
    best = draw(st.integers(0, 1000 if budget is None else budget))
    qualifier = draw(st.sampled_from(QUALIFIERS))

    def narrower(field: str) -> str:
        if parent_row is None or parent_row[field] == "any":
            return draw(st.sampled_from(enum("casualties", field)))
        return parent_row[field]

    reported = start[incident] + draw(st.integers(0, 15))
    period = draw(optional(st.tuples(st.integers(0, 30), st.integers(0, 10))))
    figures.append(
        {
            "figure_id": make_id("casualties", index),
            "incident_id": make_id("incidents", incident),
            "parent_figure_id": None if parent is None else parent_row["figure_id"],
            "outcome": parent_row["outcome"]
            if parent_row
            else draw(st.sampled_from(enum("casualties", "outcome"))),
            "victim_group": narrower("victim_group"),
            "sex": narrower("sex"),
            "age_group": narrower("age_group"),
            "manner": draw(st.sampled_from(enum("casualties", "manner"))),
            "perpetrator_actor_id": _maybe_actor(draw, n_actors),
            **bounds(best, qualifier, **spread(draw)),
            "reported_by_actor_id": _actor(draw, n_actors),
            "reported_on": iso(reported),
            "period_start": None if period is None else iso(reported - period[0] - period[1]),
            "period_end": None if period is None else iso(reported - period[1]),
            "source_id": None,
            "_source": draw(st.integers(0, 2)),
            "source_quote": draw(texts),
            "supersedes_figure_id": None,
            "notes": draw(optional(texts)),
            "_incident": incident,
            "_day": reported,
        }
    )
    if depth >= 2:
        return
    remaining = best
    for _ in range(draw(st.integers(0, 2))):
        child_incident = draw(st.sampled_from(descendants(incident)))
        before = len(figures)
        _figure_tree(
            draw, figures, n_actors, start, descendants, child_incident, index, depth + 1, remaining
        )
        remaining -= int(figures[before]["count_best"])


def _revisions(draw, figures: list[dict]) -> None:
    """Some top-level figures are revised (same reporter and incident); a revision may be revised."""
    for index in range(len(figures)):
        old = figures[index]
        if old["parent_figure_id"] is not None or not draw(st.booleans()):
            continue
        chain = old
        for _ in range(draw(st.integers(1, 2))):
            new = dict(chain)
            new.update(
                figure_id=make_id("casualties", len(figures)),
                supersedes_figure_id=chain["figure_id"],
                _day=chain["_day"] + draw(st.integers(1, 20)),
                source_quote=draw(texts),
                _source=draw(st.integers(0, 2)),
                **bounds(draw(st.integers(0, 1000)), draw(st.sampled_from(QUALIFIERS)), **spread(draw)),
            )
            new["reported_on"] = iso(new["_day"])
            figures.append(new)
            chain = new


def _sources(draw, incidents, figures, statements) -> list[dict]:
    """The sources the rows cite, renumbered densely, each published after every date that cites it."""
    cited = sorted({row["_source"] for rows in (incidents, figures, statements) for row in rows})
    number = {old: new for new, old in enumerate(cited)}
    last = {old: 0 for old in cited}
    for row in incidents:
        last[row["_source"]] = max(last[row["_source"]], day_of(row["start_date"]))
    for row in figures:
        last[row["_source"]] = max(last[row["_source"]], row["_day"])
    for row in statements:
        if row["made_on"]:
            last[row["_source"]] = max(last[row["_source"]], day_of(row["made_on"]))
    for rows in (incidents, figures, statements):
        for row in rows:
            row["source_id"] = make_id("sources", number[row["_source"]])
    sources = []
    for old in cited:
        published = last[old] + draw(st.integers(0, 5))
        accessed = draw(optional(st.integers(0, 30)))
        sources.append(
            {
                "source_id": make_id("sources", number[old]),
                "source_type": draw(st.sampled_from(enum("sources", "source_type"))),
                "publisher": draw(texts),
                "title": draw(texts),
                "url": f"https://example.org/report/{number[old] + 1}",
                "published_on": iso(published),
                "language": draw(languages),
                "accessed_on": None if accessed is None else iso(published + accessed),
                "archive_url": draw(
                    optional(st.just(f"https://web.archive.org/web/2025/{number[old] + 1}"))
                ),
                "notes": draw(optional(texts)),
            }
        )
    return sources


def write_package(root: Path, package: dict, descriptor: dict | None = None) -> Path:
    """Write the tables as UTF-8 CSV (LF line ends) beside a copy of the descriptor with current bytes/hash.

    The descriptor is written once, compactly (the stamp module's pretty rewrite
    costs more than the validation it precedes); its bytes and hash come from
    ``syria_incidents.stamp.file_integrity``, as ``stamp`` would write them.
    """
    root = Path(root)
    (root / "data").mkdir(parents=True, exist_ok=True)
    descriptor = copy.deepcopy(descriptor or DESCRIPTOR)
    for name, rows in package.items():
        write_table(root / PATHS[name], FIELDS[name], rows)
    for res in descriptor["resources"]:
        integrity = file_integrity(root / res["path"])
        res["bytes"], res["hash"] = integrity.bytes, integrity.hash
    (root / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    return root


def write_table(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row.get(f) is None else row[f] for f in header])
