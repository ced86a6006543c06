"""Rules across rows and tables: subtotal trees, hierarchies, dates against
incidents and sources, revision chains, places. Each rule is a function over
the typed frames ({table: frame}) returning the findings of one table.
"""

from __future__ import annotations

import polars as pl

from .reading import LINE
from .registry import rule
from .structural import FINDING_SCHEMA, fmt, findings_frame
from .trees import find_cycles


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


# Columns the rules of this module and the pandera models (schemas.py) read, per table:
# the engine keeps only these (and foreign-key columns) once the per-cell checks are done.
COLUMNS = {
    "casualties": ("figure_id", "parent_figure_id", "incident_id", "outcome", "victim_group", "sex",
                   "age_group", "count_low", "count_best", "count_high", "qualifier", "supersedes_figure_id",
                   "reported_on", "reported_by_actor_id", "period_start", "period_end", "source_id"),
    "incidents": ("incident_id", "parent_incident_id", "start_date", "end_date", "source_id"),
    "sources": ("source_id", "published_on"),
    "statements": ("statement_id", "made_on", "source_id", "quote", "summary"),
    "places": ("place_id", "parent_place_id", "latitude", "longitude"),
}


def _unique(t, table: str) -> bool:
    """Whether the structural pass found no repeated id in ``table`` (then no row needs dropping)."""
    return table in getattr(t, "unique", ())


def _first(frame: pl.DataFrame, key: str, *columns: str, unique: bool = False) -> pl.DataFrame:
    """``key`` and ``columns`` of the first row of each id (duplicates are a primary-key error already).

    ``unique``: the key is known to repeat nowhere, so every row is its id's first."""
    narrow = frame.select(LINE, key, *columns).filter(pl.col(key).is_not_null())
    return narrow if unique else narrow.filter(pl.col(key).is_first_distinct())


_CHILD_COLUMNS = ("outcome", "victim_group", "sex", "age_group", "incident_id")


def _children(t, *columns: str) -> pl.DataFrame:
    """Each subtotal figure beside its parent figure: ``columns`` of both (the parent's suffixed _p).

    The join is made once per validation run, for all the subtotal rules (which may run
    in parallel: the first to ask makes it, the others wait for it)."""
    with t.lock:
        pairs = t.cache.get("children")
        if pairs is None:
            pairs = t.cache["children"] = _children_join(t["casualties"], *_CHILD_COLUMNS,
                                                         unique=_unique(t, "casualties"))
    return pairs


def _children_join(c: pl.DataFrame, *columns: str, unique: bool = False) -> pl.DataFrame:
    kids = c.select(LINE, "figure_id", "parent_figure_id", *columns).filter(pl.col("parent_figure_id").is_not_null())
    parents = _first(c, "figure_id", *columns, unique=unique).drop(LINE)
    return kids.join(parents, left_on="parent_figure_id", right_on="figure_id", how="inner", suffix="_p")


@rule("subtotals-within-total")
def subtotals_within_total(t) -> pl.DataFrame:
    """The parts of a casualty figure never add up to more than the figure: the children's count_best sum ≤ the parent's count_best, and their count_low sum ≤ the parent's count_high.

    Reported at the parent (total) figure's row; column count_best, or count_high for the count_low sum."""
    c = t["casualties"].select(LINE, "figure_id", "parent_figure_id", "count_low", "count_best", "count_high")
    # Grouping runs of a sorted key, then merging with the sorted totals, beats hashing both.
    parts = c.filter(pl.col("parent_figure_id").is_not_null()).sort("parent_figure_id")
    # Summed in 128 bits: parts near the 64-bit limit must not wrap around to a small sum.
    kids = parts.group_by("parent_figure_id", maintain_order=True).agg(
        pl.col("count_best").cast(pl.Int128).sum().alias("best_sum"),
        pl.col("count_low").cast(pl.Int128).sum().alias("low_sum"),
        pl.col("count_low").is_not_null().any().alias("has_low"),
        pl.len().alias("n"),
    ).with_columns(pl.col("parent_figure_id").set_sorted())
    totals = _first(c, "figure_id", "count_best", "count_high", unique=_unique(t, "casualties")).join(
        kids, left_on="figure_id", right_on="parent_figure_id", how="inner")
    totals = totals.filter(((pl.col("best_sum") > pl.col("count_best"))
                            | (pl.col("has_low") & (pl.col("low_sum") > pl.col("count_high")))).fill_null(False))
    if totals.is_empty():
        return _empty()
    # Name the parts only for the totals they exceed.
    listed = t.ids.readable(parts.filter(pl.col("parent_figure_id").is_in(totals["figure_id"].implode()))).group_by(
        "parent_figure_id").agg(fmt("{} {}", "figure_id", pl.col("count_best").cast(pl.String).fill_null("?"))
                                .head(8).str.join(", ").alias("parts"))
    totals = t.ids.readable(totals).join(listed, left_on="figure_id", right_on="parent_figure_id", how="left")
    parts = pl.when(pl.col("n") > 8).then(pl.col("parts") + ", …").otherwise(pl.col("parts"))
    best = findings_frame(
        totals, (pl.col("best_sum") > pl.col("count_best")).fill_null(False), "count_best",
        fmt("the parts of {} ({}) sum to {}, more than its count_best {}; lower a part's count_best "
                  "or raise {}'s count_best (if the source's own numbers do not add up, record it in the allowlist)",
                  "figure_id", parts, "best_sum", "count_best", "figure_id"), pl.col("figure_id"), ids=t.ids)
    low = findings_frame(
        totals, (pl.col("has_low") & (pl.col("low_sum") > pl.col("count_high"))).fill_null(False), "count_high",
        fmt("the count_low of the parts of {} sum to {}, more than its count_high {}; lower a part's "
                  "count_low or raise {}'s count_high", "figure_id", "low_sum", "count_high", "figure_id"),
        pl.col("figure_id"), ids=t.ids)
    return pl.concat([best, low])


@rule("subtotal-same-outcome")
def subtotal_same_outcome(t) -> pl.DataFrame:
    """A part of a figure counts the same outcome (killed, injured …) as the figure.

    Reported at the part's row, column outcome."""
    pairs = _children(t, "outcome")
    bad = (pl.col("outcome") != pl.col("outcome_p")).fill_null(False)
    return findings_frame(pairs, bad, "outcome",
                          fmt("figure {} counts {} but is a part of {}, which counts {}; "
                                    "use the same outcome or unlink parent_figure_id",
                                    "figure_id", "outcome", "parent_figure_id", "outcome_p"), pl.col("figure_id"), ids=t.ids)


# Values that contain others beyond "any", which contains everything.
BROADER = {"victim_group": {"combatants_unspecified": {"security_forces", "armed_group_fighters"}}}
GROUP_COLUMNS = ("victim_group", "sex", "age_group")


def _narrower(column: str) -> pl.Expr:
    child, parent = pl.col(column), pl.col(column + "_p")
    ok = (child == parent) | (parent == "any")
    for broad, narrow in BROADER.get(column, {}).items():
        ok = ok | ((parent == broad) & child.is_in(sorted(narrow)))
    return ok.fill_null(True)


@rule("subtotal-group-narrower")
def subtotal_group_narrower(t) -> pl.DataFrame:
    """A part of a figure covers the same victim_group, sex and age_group as the figure or a narrower one (any covers everything; combatants_unspecified covers security_forces and armed_group_fighters).

    Reported at the part's row, column = the first of victim_group, sex, age_group that is broader than the parent's."""
    pairs = _children(t, *GROUP_COLUMNS)
    bad = ~pl.all_horizontal([_narrower(c) for c in GROUP_COLUMNS])
    pairs = t.ids.readable(pairs.filter(bad))
    if pairs.is_empty():
        return _empty()
    field = pl.lit(None, dtype=pl.String)
    for column in reversed(GROUP_COLUMNS):
        field = pl.when(~_narrower(column)).then(pl.lit(column)).otherwise(field)
    detail = pl.concat_str([pl.when(~_narrower(c)).then(fmt(f"{c} {{}} (parent: {{}})", c, c + "_p"))
                            for c in GROUP_COLUMNS], separator="; ", ignore_nulls=True)
    return pairs.select(
        LINE, field.alias("field"),
        fmt("figure {} is a part of {} but is not within it: {}; a part must have the parent's value "
                  "or a narrower one", "figure_id", "parent_figure_id", detail).alias("message"),
        pl.col("figure_id").alias("record_id")).cast(FINDING_SCHEMA)


@rule("subtotal-incident-within")
def subtotal_incident_within(t) -> pl.DataFrame:
    """A part of a figure is about the figure's incident or an incident within it.

    Reported at the part's row, column incident_id."""
    inc = t["incidents"]
    pairs = _children(t).filter(pl.col("incident_id").is_not_null() & pl.col("incident_id_p").is_not_null()
                                & (pl.col("incident_id") != pl.col("incident_id_p"))
                                & pl.col("incident_id").is_in(inc["incident_id"].implode()))
    if pairs.is_empty():
        return _empty()
    # Walk up from each part's incident (few rows: most parts share their total's incident).
    up = inc.select(pl.col("incident_id").alias("at"), pl.col("parent_incident_id").alias("up")) \
        .filter(pl.col("at").is_first_distinct())
    walk = pairs.select(LINE, "incident_id_p", pl.col("incident_id").alias("at"))
    found_lines = []
    for _ in range(64):  # deeper than any real hierarchy; a cycle is reported by its own rule
        walk = walk.join(up, on="at", how="inner").select(LINE, "incident_id_p", pl.col("up").alias("at")) \
            .filter(pl.col("at").is_not_null())
        hit = walk.filter(pl.col("at") == pl.col("incident_id_p"))
        found_lines.extend(hit[LINE].to_list())
        walk = walk.filter(pl.col("at") != pl.col("incident_id_p"))
        if walk.is_empty():
            break
    bad = pairs.filter(~pl.col(LINE).is_in(found_lines))
    return findings_frame(bad, pl.lit(True), "incident_id",
                          fmt("figure {} is about incident {} but is a part of {}, which is about incident {}; "
                                    "a part must be about the same incident or one within it",
                                    "figure_id", "incident_id", "parent_figure_id", "incident_id_p"),
                          pl.col("figure_id"), ids=t.ids)


_CYCLE_SHOWN = 10  # members of a cycle named in its finding; the rest are counted


def _cycles(t, table: str, key: str, parent: str, what: str) -> pl.DataFrame:
    """One finding per cycle, at the first line of its members, naming at most _CYCLE_SHOWN of them."""
    frame = t[table]
    cycles = find_cycles(frame[key], frame[parent])
    if not cycles:
        return _empty()
    members = pl.Series(key, [m for cycle in cycles for m in cycle], dtype=frame.schema[key])
    first = _first(frame, key, unique=_unique(t, table)).filter(pl.col(key).is_in(members.implode()))
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
    return findings_frame(rows, pl.lit(True), parent,
                          fmt(f"{{}} is its own ancestor through {parent} ({{}}); {what}", key, "chain"),
                          pl.col(key), ids=t.ids)


@rule("figure-tree-acyclic")
def figure_tree_acyclic(t) -> pl.DataFrame:
    """Figures and their parts form a tree: no figure is, through parent_figure_id, a part of itself.

    Reported once per cycle, at the first line of its figures, column parent_figure_id; the message names the first ten figures of the cycle and counts the rest."""
    return _cycles(t, "casualties", "figure_id", "parent_figure_id",
                   "a part's parent must be a larger total, never one of its own parts")


@rule("incident-tree-acyclic")
def incident_tree_acyclic(t) -> pl.DataFrame:
    """Incidents form a tree: no incident is, through parent_incident_id, part of itself.

    Reported once per cycle, at the first line of its incidents, column parent_incident_id; the message names the first ten incidents of the cycle and counts the rest."""
    return _cycles(t, "incidents", "incident_id", "parent_incident_id",
                   "point parent_incident_id at the wider incident, never at a part of this one")


@rule("revision-chain-acyclic")
def revision_chain_acyclic(t) -> pl.DataFrame:
    """Revisions form chains, not loops: no figure supersedes itself, directly or through others.

    Reported once per loop, at the first line of its figures, column supersedes_figure_id; the message names the first ten figures of the loop and counts the rest."""
    return _cycles(t, "casualties", "figure_id", "supersedes_figure_id",
                   "supersedes_figure_id must point at an older figure")


@rule("place-tree-acyclic")
def place_tree_acyclic(t) -> pl.DataFrame:
    """Places form a tree: no place lies, through parent_place_id, inside itself.

    Reported once per cycle, at the first line of its places, column parent_place_id; the message names the first ten places of the cycle and counts the rest."""
    return _cycles(t, "places", "place_id", "parent_place_id",
                   "point parent_place_id at the larger place this one lies in")


@rule("child-incident-within-parent-dates")
def child_incident_within_parent_dates(t) -> pl.DataFrame:
    """An incident that is part of a wider one lies within the wider one's dates.

    Reported at the part incident's row; column start_date if it starts outside the parent's dates, else end_date."""
    inc = t["incidents"].select(LINE, "incident_id", "parent_incident_id", "start_date", "end_date")
    pairs = inc.filter(pl.col("parent_incident_id").is_not_null()).join(
        _first(inc, "incident_id", "start_date", "end_date", unique=_unique(t, "incidents")).drop(LINE), left_on="parent_incident_id", right_on="incident_id", how="inner", suffix="_p")
    cs = pl.coalesce("start_date", "end_date")
    ce = pl.coalesce("end_date", "start_date")
    ps = pl.coalesce("start_date_p", "end_date_p")
    pe = pl.coalesce("end_date_p", "start_date_p")
    start_out = ((cs < ps) | (cs > pe)).fill_null(False)
    end_out = ((ce > pe) | (ce < ps)).fill_null(False)
    pairs = t.ids.readable(pairs.filter(start_out | end_out))
    return pairs.select(
        LINE, pl.when(start_out).then(pl.lit("start_date")).otherwise(pl.lit("end_date")).alias("field"),
        fmt("incident {} ({} to {}) is part of {} ({} to {}) but lies outside its dates; "
                  "correct the dates or the parent_incident_id", "incident_id",
                  *(pl.col(c).cast(pl.String).fill_null("?") for c in ("start_date", "end_date")),
                  "parent_incident_id",
                  *(pl.col(c).cast(pl.String).fill_null("?") for c in ("start_date_p", "end_date_p"))
                  ).alias("message"),
        pl.col("incident_id").alias("record_id")).cast(FINDING_SCHEMA)


@rule("figure-reported-after-incident-start")
def figure_reported_after_incident_start(t) -> pl.DataFrame:
    """A figure is reported on or after the day its incident began.

    Reported at the figure's row, column reported_on."""
    rows = t["casualties"].select(LINE, "figure_id", "incident_id", "reported_on").join(
        _first(t["incidents"], "incident_id", "start_date", unique=_unique(t, "incidents")).drop(LINE),
        on="incident_id", how="inner")
    return findings_frame(rows, (pl.col("reported_on") < pl.col("start_date")).fill_null(False), "reported_on",
                          fmt("figure {} is reported on {}, before its incident {} began on {}; "
                                    "correct reported_on or the incident", "figure_id", "reported_on",
                                    "incident_id", "start_date"), pl.col("figure_id"), ids=t.ids)


def _before_source(rows: pl.DataFrame, t, id_col: str, date_col: str, what: str) -> pl.DataFrame:
    src = _first(t["sources"], "source_id", "published_on", unique=_unique(t, "sources")).drop(LINE)
    rows = rows.join(src, on="source_id", how="inner")
    return findings_frame(rows, (pl.col(date_col) > pl.col("published_on")).fill_null(False), date_col,
                          fmt(f"{what} {{}} is dated {date_col} {{}}, after its source {{}} was published "
                                    f"on {{}}; correct {date_col} or the source", id_col, date_col,
                                    "source_id", "published_on"), pl.col(id_col), ids=t.ids)


@rule("figure-reported-before-source-published")
def figure_reported_before_source_published(t) -> pl.DataFrame:
    """A figure is reported on or before the day its source was published.

    Reported at the figure's row, column reported_on."""
    rows = t["casualties"].select(LINE, "figure_id", "reported_on", "source_id")
    return _before_source(rows, t, "figure_id", "reported_on", "figure")


@rule("statement-before-source-published")
def statement_before_source_published(t) -> pl.DataFrame:
    """A statement is made on or before the day its source was published.

    Reported at the statement's row, column made_on."""
    rows = t["statements"].select(LINE, "statement_id", "made_on", "source_id")
    return _before_source(rows, t, "statement_id", "made_on", "statement")


@rule("revision-earlier-same-reporter")
def revision_earlier_same_reporter(t) -> pl.DataFrame:
    """A revised figure (supersedes_figure_id) replaces an earlier-reported figure by the same reporter about the same incident.

    Reported at the revising figure's row, column supersedes_figure_id."""
    c = t["casualties"].select(LINE, "figure_id", "supersedes_figure_id", "reported_on", "reported_by_actor_id",
                               "incident_id")
    revising = c.filter(pl.col("supersedes_figure_id").is_not_null())
    old = _first(c.filter(pl.col("figure_id").is_in(revising["supersedes_figure_id"].implode())),
                 "figure_id", "reported_on", "reported_by_actor_id", "incident_id",
                 unique=_unique(t, "casualties")).drop(LINE)
    rows = revising.join(
        old, left_on="supersedes_figure_id", right_on="figure_id", how="inner", suffix="_old")
    not_earlier = (pl.col("reported_on_old") >= pl.col("reported_on")).fill_null(False)
    other_reporter = (pl.col("reported_by_actor_id_old") != pl.col("reported_by_actor_id")).fill_null(False)
    other_incident = (pl.col("incident_id_old") != pl.col("incident_id")).fill_null(False)
    rows = rows.filter(not_earlier | other_reporter | other_incident)
    reasons = pl.concat_str([
        pl.when(not_earlier).then(fmt("{} was reported on {}, not before {} ({})", "supersedes_figure_id",
                                      "reported_on_old", "figure_id", "reported_on")),
        pl.when(other_reporter).then(fmt("{} is reported by {} but {} by {}", "supersedes_figure_id",
                                         "reported_by_actor_id_old", "figure_id", "reported_by_actor_id")),
        pl.when(other_incident).then(fmt("{} is about incident {} but {} about {}", "supersedes_figure_id",
                                         "incident_id_old", "figure_id", "incident_id")),
    ], separator="; ", ignore_nulls=True)
    return findings_frame(rows, pl.lit(True), "supersedes_figure_id",
                          fmt("figure {} revises {}, but {}; a revision replaces an earlier figure by the "
                                    "same reporter about the same incident", "figure_id", "supersedes_figure_id",
                                    reasons), pl.col("figure_id"), ids=t.ids)


@rule("coordinates-inside-syria")
def coordinates_inside_syria(t, bbox=None) -> pl.DataFrame:
    """A place's coordinates lie in Syria (points outside Syria's bounding box are range errors instead).

    Reported at the place's row, column latitude."""
    from .geo import in_syria

    p = t["places"].select(LINE, "place_id", "latitude", "longitude").filter(
        pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
    if bbox is not None:
        (lat_min, lat_max), (lon_min, lon_max) = bbox
        p = p.filter(pl.col("latitude").is_between(lat_min, lat_max) & pl.col("longitude").is_between(lon_min, lon_max))
    if p.is_empty():
        return _empty()
    points = p.select("latitude", "longitude").unique()
    points = points.with_columns(pl.Series("inside", in_syria(points["latitude"], points["longitude"])))
    p = p.join(points, on=["latitude", "longitude"], how="inner")
    return findings_frame(p, ~pl.col("inside"), "latitude",
                          fmt("place {} ({}, {}) lies outside Syria; check the coordinates "
                                    "(latitude first, then longitude, in decimal degrees)",
                                    "place_id", "latitude", "longitude"), pl.col("place_id"), ids=t.ids)


@rule("source-uncited", "warning")
def source_uncited(t) -> pl.DataFrame:
    """A source that no incident, figure or statement cites.

    Reported at the source's row, column source_id."""
    # Each table's distinct sources first: a few thousand ids to hash instead of millions.
    cited = pl.concat([t[name].select(pl.col("source_id").unique()) for name in ("incidents", "casualties", "statements")
                       if name in t and "source_id" in t[name].columns])
    rows = t["sources"].select(LINE, "source_id").filter(pl.col("source_id").is_not_null()
                                                         & ~pl.col("source_id").is_in(cited["source_id"].implode()))
    return findings_frame(rows, pl.lit(True), "source_id",
                          fmt("source {} is not cited by any incident, figure or statement; cite it or remove it",
                                    "source_id"), pl.col("source_id"), ids=t.ids)


# rule id -> (table the findings belong to, tables the rule reads, function)
CROSS_RULES = {
    "subtotals-within-total": ("casualties", ("casualties",), subtotals_within_total),
    "subtotal-same-outcome": ("casualties", ("casualties",), subtotal_same_outcome),
    "subtotal-group-narrower": ("casualties", ("casualties",), subtotal_group_narrower),
    "subtotal-incident-within": ("casualties", ("casualties", "incidents"), subtotal_incident_within),
    "figure-tree-acyclic": ("casualties", ("casualties",), figure_tree_acyclic),
    "incident-tree-acyclic": ("incidents", ("incidents",), incident_tree_acyclic),
    "revision-chain-acyclic": ("casualties", ("casualties",), revision_chain_acyclic),
    "place-tree-acyclic": ("places", ("places",), place_tree_acyclic),
    "child-incident-within-parent-dates": ("incidents", ("incidents",), child_incident_within_parent_dates),
    "figure-reported-after-incident-start": ("casualties", ("casualties", "incidents"),
                                             figure_reported_after_incident_start),
    "figure-reported-before-source-published": ("casualties", ("casualties", "sources"),
                                                figure_reported_before_source_published),
    "statement-before-source-published": ("statements", ("statements", "sources"),
                                          statement_before_source_published),
    "revision-earlier-same-reporter": ("casualties", ("casualties",), revision_earlier_same_reporter),
    "coordinates-inside-syria": ("places", ("places",), coordinates_inside_syria),
    "source-uncited": ("sources", ("sources",), source_uncited),
}
