"""Rules over the typed frames that are no comparison of joined rows: walks up the
hierarchies (a part's incident within its total's, cycles), Syria's border, sources no
row cites. Each rule is a function over the typed frames (``Frames``) returning the
findings of one table, its first ``reads`` table. The rules that compare joined rows are
pandera checks (relations.py).
"""

from __future__ import annotations

import polars as pl

from .frames import Frames
from .reading import LINE
from .registry import rule
from .relations import figure_parts
from .structural import FINDING_SCHEMA, findings_frame, fmt
from .trees import find_cycles


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


@rule(
    "subtotal-incident-within",
    reads={
        "casualties": ("figure_id", "parent_figure_id", "incident_id"),
        "incidents": ("incident_id", "parent_incident_id"),
    },
)
def subtotal_incident_within(t: Frames) -> pl.DataFrame:
    """A part of a figure is about the figure's incident or an incident within it.

    Reported at the part's row, column incident_id.

    To fix: fix the part's incident_id or its parent_figure_id."""
    inc = t["incidents"]
    pairs = figure_parts(t).filter(
        pl.col("incident_id").is_not_null()
        & pl.col("incident_id_p").is_not_null()
        & (pl.col("incident_id") != pl.col("incident_id_p"))
        & pl.col("incident_id").is_in(inc["incident_id"].implode())
    )
    if pairs.is_empty():
        return _empty()
    # Walk up from each part's incident (few rows: most parts share their total's incident).
    up = inc.select(pl.col("incident_id").alias("at"), pl.col("parent_incident_id").alias("up")).filter(
        pl.col("at").is_first_distinct()
    )
    walk = pairs.select(LINE, "incident_id_p", pl.col("incident_id").alias("at"))
    found_lines = []
    for _ in range(64):  # deeper than any real hierarchy; a cycle is reported by its own rule
        walk = (
            walk.join(up, on="at", how="inner")
            .select(LINE, "incident_id_p", pl.col("up").alias("at"))
            .filter(pl.col("at").is_not_null())
        )
        hit = walk.filter(pl.col("at") == pl.col("incident_id_p"))
        found_lines.extend(hit[LINE].to_list())
        walk = walk.filter(pl.col("at") != pl.col("incident_id_p"))
        if walk.is_empty():
            break
    bad = pairs.filter(~pl.col(LINE).is_in(found_lines))
    return findings_frame(
        bad,
        pl.lit(True),
        "incident_id",
        fmt(
            "figure {} is about incident {} but is a part of {}, which is about incident {}; "
            "a part must be about the same incident or one within it",
            "figure_id",
            "incident_id",
            "parent_figure_id",
            "incident_id_p",
        ),
        pl.col("figure_id"),
        ids=t.ids,
    )


_CYCLE_SHOWN = 10  # members of a cycle named in its finding; the rest are counted


def _cycles(t: Frames, table: str, key: str, parent: str, what: str) -> pl.DataFrame:
    """One finding per cycle, at the first line of its members, naming at most _CYCLE_SHOWN of them."""
    frame = t[table]
    cycles = find_cycles(frame[key], frame[parent])
    if not cycles:
        return _empty()
    members = pl.Series(key, [m for cycle in cycles for m in cycle], dtype=frame.schema[key])
    first = t.first(table, key).filter(pl.col(key).is_in(members.implode()))
    line = dict(zip(first[key].to_list(), first[LINE].to_list()))
    starts, shown = [], []
    for cycle in cycles:
        at = min(range(len(cycle)), key=lambda i: line[cycle[i]])
        starts.append(cycle[at])
        shown.append((cycle[at:] + cycle[:at])[:_CYCLE_SHOWN])
    names = pl.Series(key, [m for s in shown for m in s], dtype=frame.schema[key])
    text = dict(zip(names.to_list(), t.ids.readable(names.to_frame())[key].to_list()))
    chains = []
    for cycle, start, listed in zip(cycles, starts, shown):
        more = len(cycle) - len(listed)
        chain = " → ".join(text[m] for m in listed)
        chain += f" → … {more} more → {text[start]}" if more else f" → {text[start]}"
        size = f"a cycle of {len(cycle)} rows: " if len(cycle) > 2 else ""
        chains.append(size + chain)
    found = pl.DataFrame({key: starts, "chain": chains}, schema={key: frame.schema[key], "chain": pl.String})
    rows = first.join(found, on=key, how="inner").sort(LINE)
    return findings_frame(
        rows,
        pl.lit(True),
        parent,
        fmt(f"{{}} is its own ancestor through {parent} ({{}}); {what}", key, "chain"),
        pl.col(key),
        ids=t.ids,
    )


@rule("figure-tree-acyclic", reads={"casualties": ("figure_id", "parent_figure_id")})
def figure_tree_acyclic(t: Frames) -> pl.DataFrame:
    """Figures and their parts form a tree: no figure is, through parent_figure_id, a part of itself.

    Reported once per cycle, at the first line of its figures, column parent_figure_id; the message names
    the first ten figures of the cycle and counts the rest.

    To fix: point parent_figure_id at the larger total, never at one of the figure's own parts."""
    return _cycles(
        t,
        "casualties",
        "figure_id",
        "parent_figure_id",
        "a part's parent must be a larger total, never one of its own parts",
    )


@rule("incident-tree-acyclic", reads={"incidents": ("incident_id", "parent_incident_id")})
def incident_tree_acyclic(t: Frames) -> pl.DataFrame:
    """Incidents form a tree: no incident is, through parent_incident_id, part of itself.

    Reported once per cycle, at the first line of its incidents, column parent_incident_id; the message
    names the first ten incidents of the cycle and counts the rest.

    To fix: point parent_incident_id at the wider incident, never at a part of this one."""
    return _cycles(
        t,
        "incidents",
        "incident_id",
        "parent_incident_id",
        "point parent_incident_id at the wider incident, never at a part of this one",
    )


@rule("revision-chain-acyclic", reads={"casualties": ("figure_id", "supersedes_figure_id")})
def revision_chain_acyclic(t: Frames) -> pl.DataFrame:
    """Revisions form chains, not loops: no figure supersedes itself, directly or through others.

    Reported once per loop, at the first line of its figures, column supersedes_figure_id; the message
    names the first ten figures of the loop and counts the rest.

    To fix: supersedes_figure_id must point at an older figure."""
    return _cycles(
        t,
        "casualties",
        "figure_id",
        "supersedes_figure_id",
        "supersedes_figure_id must point at an older figure",
    )


@rule("place-tree-acyclic", reads={"places": ("place_id", "parent_place_id")})
def place_tree_acyclic(t: Frames) -> pl.DataFrame:
    """Places form a tree: no place lies, through parent_place_id, inside itself.

    Reported once per cycle, at the first line of its places, column parent_place_id; the message names
    the first ten places of the cycle and counts the rest.

    To fix: point parent_place_id at the larger place this one lies in."""
    return _cycles(
        t,
        "places",
        "place_id",
        "parent_place_id",
        "point parent_place_id at the larger place this one lies in",
    )


def _bbox(fields: list[dict]):
    """((lat min, lat max), (lon min, lon max)) from the coordinates' declared ranges, if any."""
    try:
        by_name = {f["name"]: f.get("constraints", {}) for f in fields}
        return (
            (by_name["latitude"]["minimum"], by_name["latitude"]["maximum"]),
            (by_name["longitude"]["minimum"], by_name["longitude"]["maximum"]),
        )
    except (KeyError, TypeError):
        return None


@rule("coordinates-inside-syria", reads={"places": ("place_id", "latitude", "longitude")})
def coordinates_inside_syria(t: Frames) -> pl.DataFrame:
    """A place's coordinates lie in Syria (points outside Syria's bounding box are range errors instead).

    Reported at the place's row, column latitude.

    To fix: check for swapped latitude and longitude; use a gazetteer value, or leave both empty."""
    from .geo import in_syria

    p = (
        t["places"]
        .select(LINE, "place_id", "latitude", "longitude")
        .filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
    )
    bbox = _bbox(t.fields.get("places", []))
    if bbox is not None:
        (lat_min, lat_max), (lon_min, lon_max) = bbox
        p = p.filter(
            pl.col("latitude").is_between(lat_min, lat_max)
            & pl.col("longitude").is_between(lon_min, lon_max)
        )
    if p.is_empty():
        return _empty()
    points = p.select("latitude", "longitude").unique()
    points = points.with_columns(pl.Series("inside", in_syria(points["latitude"], points["longitude"])))
    p = p.join(points, on=["latitude", "longitude"], how="inner")
    return findings_frame(
        p,
        ~pl.col("inside"),
        "latitude",
        fmt(
            "place {} ({}, {}) lies outside Syria; check the coordinates "
            "(latitude first, then longitude, in decimal degrees)",
            "place_id",
            "latitude",
            "longitude",
        ),
        pl.col("place_id"),
        ids=t.ids,
    )


_CITING = ("incidents", "casualties", "statements")


@rule(
    "source-uncited",
    "warning",
    reads={"sources": ("source_id",), **{name: ("source_id",) for name in _CITING}},
)
def source_uncited(t: Frames) -> pl.DataFrame:
    """A source that no incident, figure or statement cites.

    Reported at the source's row, column source_id.

    To fix: cite it or remove it."""
    # Each table's distinct sources first: a few thousand ids to hash instead of millions.
    cited = pl.concat(
        [
            t[name].select(pl.col("source_id").unique())
            for name in _CITING
            if name in t and "source_id" in t[name].columns
        ]
    )
    rows = (
        t["sources"]
        .select(LINE, "source_id")
        .filter(pl.col("source_id").is_not_null() & ~pl.col("source_id").is_in(cited["source_id"].implode()))
    )
    return findings_frame(
        rows,
        pl.lit(True),
        "source_id",
        fmt(
            "source {} is not cited by any incident, figure or statement; cite it or remove it", "source_id"
        ),
        pl.col("source_id"),
        ids=t.ids,
    )
