"""Rules across rows and tables as pandera checks over prepared frames.

Each model below validates a frame that joins what its rules compare: a total beside the
sums of its parts, a part beside its total, an incident beside the wider one, a figure
beside its incident or its source, a revision beside the figure it revises. The frame is
made by the function declared with ``@prepares`` under the model, from the typed tables
(see checks.py for the path from a failing row to a finding).
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from .checks import check, prepares
from .frames import Frames
from .reading import LINE
from .structural import FINDING_SCHEMA, findings_frame, fmt

_PARTS_SHOWN = 8  # parts named in a subtotals-within-total finding; the rest are shown as "…"


class _Prepared(pa.DataFrameModel):
    class Config:
        strict = False
        coerce = False


# -- a total beside the sums of its parts ---------------------------------------------------------


def _explain_sums(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
    # Name the parts only for the totals they exceed.
    parts = (
        t["casualties"]
        .select("figure_id", "parent_figure_id", "count_best")
        .filter(pl.col("parent_figure_id").is_in(rows["figure_id"].implode()))
    )
    listed = (
        t.ids.readable(parts)
        .group_by("parent_figure_id")
        .agg(
            fmt("{} {}", "figure_id", pl.col("count_best").cast(pl.String).fill_null("?"))
            .head(_PARTS_SHOWN)
            .str.join(", ")
            .alias("parts")
        )
    )
    totals = t.ids.readable(rows).join(listed, left_on="figure_id", right_on="parent_figure_id", how="left")
    shown = pl.when(pl.col("n") > _PARTS_SHOWN).then(pl.col("parts") + ", …").otherwise(pl.col("parts"))
    best = findings_frame(
        totals,
        _best_over,
        "count_best",
        fmt(
            "the parts of {} ({}) sum to {}, more than its count_best {}; lower a part's count_best "
            "or raise {}'s count_best (if the source's own numbers do not add up, record it in the "
            "allowlist)",
            "figure_id",
            shown,
            "best_sum",
            "count_best",
            "figure_id",
        ),
        pl.col("figure_id"),
    )
    low = findings_frame(
        totals,
        _low_over,
        "count_high",
        fmt(
            "the count_low of the parts of {} sum to {}, more than its count_high {}; lower a part's "
            "count_low or raise {}'s count_high",
            "figure_id",
            "low_sum",
            "count_high",
            "figure_id",
        ),
        pl.col("figure_id"),
    )
    return pl.concat([best, low])


_best_over = (pl.col("best_sum") > pl.col("count_best")).fill_null(False)
_low_over = (pl.col("has_low") & (pl.col("low_sum") > pl.col("count_high"))).fill_null(False)


class SubtotalSums(_Prepared):
    """One row per casualty figure that has parts: its count_best and count_high beside the
    sums of its parts' count_best (best_sum) and count_low (low_sum, has_low: any part has one)."""

    @check(
        "subtotals-within-total",
        explain=_explain_sums,
        reads={"casualties": ("figure_id", "parent_figure_id", "count_low", "count_best", "count_high")},
    )
    def subtotals_within_total(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """The parts of a casualty figure never add up to more than the figure: the children's count_best
        sum ≤ the parent's count_best, and their count_low sum ≤ the parent's count_high.

        Reported at the parent (total) figure's row; column count_best, or count_high for the count_low sum.

        To fix: check parent_figure_id: is it really "including"? If the source's own numbers do not add
        up, record it in data/allowlist.toml."""
        return data.lazyframe.select((~_best_over & ~_low_over).alias("ok"))


@prepares(SubtotalSums)
def subtotal_sums(t: Frames) -> pl.DataFrame:
    c = t["casualties"].select(
        LINE, "figure_id", "parent_figure_id", "count_low", "count_best", "count_high"
    )
    # Grouping runs of a sorted key, then merging with the sorted totals, beats hashing both.
    parts = c.filter(pl.col("parent_figure_id").is_not_null()).sort("parent_figure_id")
    # Summed in 128 bits: parts near the 64-bit limit must not wrap around to a small sum.
    sums = (
        parts.group_by("parent_figure_id", maintain_order=True)
        .agg(
            pl.col("count_best").cast(pl.Int128).sum().alias("best_sum"),
            pl.col("count_low").cast(pl.Int128).sum().alias("low_sum"),
            pl.col("count_low").is_not_null().any().alias("has_low"),
            pl.len().alias("n"),
        )
        .with_columns(pl.col("parent_figure_id").set_sorted())
    )
    return t.first("casualties", "figure_id", "count_best", "count_high").join(
        sums, left_on="figure_id", right_on="parent_figure_id", how="inner"
    )


# -- a part beside its total ----------------------------------------------------------------------

# A value that contains others, beyond "any", which contains everything. Its values are
# vocabulary of datapackage.json: `validate` reports a descriptor that lacks one.
ANY = "any"
BROADER = {"victim_group": {"combatants_unspecified": ("security_forces", "armed_group_fighters")}}
GROUP_COLUMNS = ("victim_group", "sex", "age_group")
_GROUP_VOCABULARY = {
    ("casualties", c): (ANY, *BROADER.get(c, {}), *(v for vs in BROADER.get(c, {}).values() for v in vs))
    for c in GROUP_COLUMNS
}


def _narrower(column: str) -> pl.Expr:
    child, parent = pl.col(column), pl.col(column + "_p")
    ok = (child == parent) | (parent == ANY)
    for broad, narrow in BROADER.get(column, {}).items():
        ok = ok | ((parent == broad) & child.is_in(list(narrow)))
    return ok.fill_null(True)


def _explain_outcome(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
    return findings_frame(
        rows,
        pl.lit(True),
        "outcome",
        fmt(
            "figure {} counts {} but is a part of {}, which counts {}; "
            "use the same outcome or unlink parent_figure_id",
            "figure_id",
            "outcome",
            "parent_figure_id",
            "outcome_p",
        ),
        pl.col("figure_id"),
        ids=t.ids,
    )


def _explain_group(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
    field = pl.lit(None, dtype=pl.String)
    for column in reversed(GROUP_COLUMNS):
        field = pl.when(~_narrower(column)).then(pl.lit(column)).otherwise(field)
    detail = pl.concat_str(
        [pl.when(~_narrower(c)).then(fmt(f"{c} {{}} (parent: {{}})", c, c + "_p")) for c in GROUP_COLUMNS],
        separator="; ",
        ignore_nulls=True,
    )
    return (
        t.ids.readable(rows)
        .select(
            LINE,
            field.alias("field"),
            fmt(
                "figure {} is a part of {} but is not within it: {}; a part must have the parent's value "
                "or a narrower one",
                "figure_id",
                "parent_figure_id",
                detail,
            ).alias("message"),
            pl.col("figure_id").alias("record_id"),
        )
        .cast(FINDING_SCHEMA)
    )


class FigureParts(_Prepared):
    """One row per casualty figure that is a part of another: its columns beside its total's
    (suffixed _p)."""

    @check(
        "subtotal-same-outcome",
        explain=_explain_outcome,
        reads={"casualties": ("figure_id", "parent_figure_id", "outcome")},
    )
    def subtotal_same_outcome(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A part of a figure counts the same outcome (killed, injured …) as the figure.

        Reported at the part's row, column outcome.

        To fix: fix the part's outcome or its parent_figure_id."""
        return data.lazyframe.select((pl.col("outcome") == pl.col("outcome_p")).fill_null(True).alias("ok"))

    @check(
        "subtotal-group-narrower",
        explain=_explain_group,
        vocabulary=_GROUP_VOCABULARY,
        reads={"casualties": ("figure_id", "parent_figure_id", *GROUP_COLUMNS)},
    )
    def subtotal_group_narrower(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A part of a figure covers the same victim_group, sex and age_group as the figure or a narrower
        one (any covers everything; combatants_unspecified covers security_forces and
        armed_group_fighters).

        Reported at the part's row, column = the first of victim_group, sex, age_group that is broader
        than the parent's.

        To fix: fix the part's group or its parent_figure_id."""
        return data.lazyframe.select(pl.all_horizontal([_narrower(c) for c in GROUP_COLUMNS]).alias("ok"))


PART_COLUMNS = ("outcome", *GROUP_COLUMNS, "incident_id")


def figure_parts(t: Frames) -> pl.DataFrame:
    """Each part figure beside its total: PART_COLUMNS of both (the total's suffixed _p).

    Made once per validation run, for every rule about parts (subtotal-incident-within too)."""

    def make() -> pl.DataFrame:
        c = t["casualties"]
        kids = c.select(LINE, "figure_id", "parent_figure_id", *PART_COLUMNS).filter(
            pl.col("parent_figure_id").is_not_null()
        )
        parents = t.first("casualties", "figure_id", *PART_COLUMNS).drop(LINE)
        return kids.join(parents, left_on="parent_figure_id", right_on="figure_id", how="inner", suffix="_p")

    return t.shared("figure-parts", make)


prepares(FigureParts)(figure_parts)


# -- an incident beside the wider incident it is part of -----------------------------------------

_child_start = pl.coalesce("start_date", "end_date")
_child_end = pl.coalesce("end_date", "start_date")
_parent_start = pl.coalesce("start_date_p", "end_date_p")
_parent_end = pl.coalesce("end_date_p", "start_date_p")
_starts_outside = ((_child_start < _parent_start) | (_child_start > _parent_end)).fill_null(False)
_ends_outside = ((_child_end > _parent_end) | (_child_end < _parent_start)).fill_null(False)


def _explain_child_dates(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
    def shown(column: str) -> pl.Expr:
        return pl.col(column).cast(pl.String).fill_null("?")

    return (
        t.ids.readable(rows)
        .select(
            LINE,
            pl.when(_starts_outside).then(pl.lit("start_date")).otherwise(pl.lit("end_date")).alias("field"),
            fmt(
                "incident {} ({} to {}) is part of {} ({} to {}) but lies outside its dates; "
                "correct the dates or the parent_incident_id",
                "incident_id",
                shown("start_date"),
                shown("end_date"),
                "parent_incident_id",
                shown("start_date_p"),
                shown("end_date_p"),
            ).alias("message"),
            pl.col("incident_id").alias("record_id"),
        )
        .cast(FINDING_SCHEMA)
    )


class IncidentParts(_Prepared):
    """One row per incident that is part of a wider one: its dates beside the wider one's (_p)."""

    @check(
        "child-incident-within-parent-dates",
        explain=_explain_child_dates,
        reads={"incidents": ("incident_id", "parent_incident_id", "start_date", "end_date")},
    )
    def child_incident_within_parent_dates(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """An incident that is part of a wider one lies within the wider one's dates.

        Reported at the part incident's row; column start_date if it starts outside the parent's dates,
        else end_date.

        To fix: fix the dates or the parent_incident_id."""
        return data.lazyframe.select((~_starts_outside & ~_ends_outside).alias("ok"))


@prepares(IncidentParts)
def incident_parts(t: Frames) -> pl.DataFrame:
    inc = t["incidents"].select(LINE, "incident_id", "parent_incident_id", "start_date", "end_date")
    return inc.filter(pl.col("parent_incident_id").is_not_null()).join(
        t.first("incidents", "incident_id", "start_date", "end_date").drop(LINE),
        left_on="parent_incident_id",
        right_on="incident_id",
        how="inner",
        suffix="_p",
    )


# -- a figure beside its incident ----------------------------------------------------------------


def _explain_before_incident(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
    return findings_frame(
        rows,
        pl.lit(True),
        "reported_on",
        fmt(
            "figure {} is reported on {}, before its incident {} began on {}; "
            "correct reported_on or the incident",
            "figure_id",
            "reported_on",
            "incident_id",
            "start_date",
        ),
        pl.col("figure_id"),
        ids=t.ids,
    )


class FigureIncidents(_Prepared):
    """One row per casualty figure: its reported_on beside its incident's start_date."""

    @check(
        "figure-reported-after-incident-start",
        explain=_explain_before_incident,
        reads={
            "casualties": ("figure_id", "incident_id", "reported_on"),
            "incidents": ("incident_id", "start_date"),
        },
    )
    def figure_reported_after_incident_start(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A figure is reported on or after the day its incident began.

        Reported at the figure's row, column reported_on.

        To fix: check reported_on against the source, and the incident's start_date."""
        return data.lazyframe.select(
            (pl.col("reported_on") >= pl.col("start_date")).fill_null(True).alias("ok")
        )


@prepares(FigureIncidents)
def figure_incidents(t: Frames) -> pl.DataFrame:
    return (
        t["casualties"]
        .select(LINE, "figure_id", "incident_id", "reported_on")
        .join(t.first("incidents", "incident_id", "start_date").drop(LINE), on="incident_id", how="inner")
    )


# -- a figure or a statement beside its source ---------------------------------------------------


def _explain_after_source(id_col: str, date_col: str, what: str):
    def explain(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
        return findings_frame(
            rows,
            pl.lit(True),
            date_col,
            fmt(
                f"{what} {{}} is dated {date_col} {{}}, after its source {{}} was published "
                f"on {{}}; correct {date_col} or the source",
                id_col,
                date_col,
                "source_id",
                "published_on",
            ),
            pl.col(id_col),
            ids=t.ids,
        )

    return explain


def _dated_with_source(t: Frames, table: str, id_col: str, date_col: str) -> pl.DataFrame:
    return (
        t[table]
        .select(LINE, id_col, date_col, "source_id")
        .join(t.first("sources", "source_id", "published_on").drop(LINE), on="source_id", how="inner")
    )


class FigureSources(_Prepared):
    """One row per casualty figure: its reported_on beside its source's published_on."""

    @check(
        "figure-reported-before-source-published",
        explain=_explain_after_source("figure_id", "reported_on", "figure"),
        reads={
            "casualties": ("figure_id", "reported_on", "source_id"),
            "sources": ("source_id", "published_on"),
        },
    )
    def figure_reported_before_source_published(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A figure is reported on or before the day its source was published.

        Reported at the figure's row, column reported_on.

        To fix: check reported_on and the source's published_on."""
        return data.lazyframe.select(
            (pl.col("reported_on") <= pl.col("published_on")).fill_null(True).alias("ok")
        )


@prepares(FigureSources)
def figure_sources(t: Frames) -> pl.DataFrame:
    return _dated_with_source(t, "casualties", "figure_id", "reported_on")


class StatementSources(_Prepared):
    """One row per statement: its made_on beside its source's published_on."""

    @check(
        "statement-before-source-published",
        explain=_explain_after_source("statement_id", "made_on", "statement"),
        reads={
            "statements": ("statement_id", "made_on", "source_id"),
            "sources": ("source_id", "published_on"),
        },
    )
    def statement_before_source_published(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A statement is made on or before the day its source was published.

        Reported at the statement's row, column made_on.

        To fix: check made_on and the source's published_on."""
        return data.lazyframe.select(
            (pl.col("made_on") <= pl.col("published_on")).fill_null(True).alias("ok")
        )


@prepares(StatementSources)
def statement_sources(t: Frames) -> pl.DataFrame:
    return _dated_with_source(t, "statements", "statement_id", "made_on")


# -- a revision beside the figure it revises -----------------------------------------------------

_not_earlier = (pl.col("reported_on_old") >= pl.col("reported_on")).fill_null(False)
_other_reporter = (pl.col("reported_by_actor_id_old") != pl.col("reported_by_actor_id")).fill_null(False)
_other_incident = (pl.col("incident_id_old") != pl.col("incident_id")).fill_null(False)


def _explain_revision(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
    reasons = pl.concat_str(
        [
            pl.when(_not_earlier).then(
                fmt(
                    "{} was reported on {}, not before {} ({})",
                    "supersedes_figure_id",
                    "reported_on_old",
                    "figure_id",
                    "reported_on",
                )
            ),
            pl.when(_other_reporter).then(
                fmt(
                    "{} is reported by {} but {} by {}",
                    "supersedes_figure_id",
                    "reported_by_actor_id_old",
                    "figure_id",
                    "reported_by_actor_id",
                )
            ),
            pl.when(_other_incident).then(
                fmt(
                    "{} is about incident {} but {} about {}",
                    "supersedes_figure_id",
                    "incident_id_old",
                    "figure_id",
                    "incident_id",
                )
            ),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    return findings_frame(
        rows,
        pl.lit(True),
        "supersedes_figure_id",
        fmt(
            "figure {} revises {}, but {}; a revision replaces an earlier figure by the "
            "same reporter about the same incident",
            "figure_id",
            "supersedes_figure_id",
            reasons,
        ),
        pl.col("figure_id"),
        ids=t.ids,
    )


_REVISED = ("reported_on", "reported_by_actor_id", "incident_id")


class Revisions(_Prepared):
    """One row per figure that revises another: its reporter, incident and date beside the
    revised figure's (suffixed _old)."""

    @check(
        "revision-earlier-same-reporter",
        explain=_explain_revision,
        reads={"casualties": ("figure_id", "supersedes_figure_id", *_REVISED)},
    )
    def revision_earlier_same_reporter(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A revised figure (supersedes_figure_id) replaces an earlier-reported figure by the same
        reporter about the same incident.

        Reported at the revising figure's row, column supersedes_figure_id.

        To fix: a revision is the same reporter's newer count about the same incident; point
        supersedes_figure_id at that one."""
        return data.lazyframe.select((~_not_earlier & ~_other_reporter & ~_other_incident).alias("ok"))


@prepares(Revisions)
def revisions(t: Frames) -> pl.DataFrame:
    c = t["casualties"].select(LINE, "figure_id", "supersedes_figure_id", *_REVISED)
    revising = c.filter(pl.col("supersedes_figure_id").is_not_null())
    revised = (
        t.first("casualties", "figure_id", *_REVISED)
        .filter(pl.col("figure_id").is_in(revising["supersedes_figure_id"].implode()))
        .drop(LINE)
    )
    return revising.join(
        revised, left_on="supersedes_figure_id", right_on="figure_id", how="inner", suffix="_old"
    )
