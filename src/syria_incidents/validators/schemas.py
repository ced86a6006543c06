"""Row-level semantic rules: one pandera ``DataFrameModel`` (polars backend) per table.

Each check is a rule declared with ``checks.check``: named by its rule id, documented by
its docstring. The models validate the table's typed frame (values that failed their
type are null, and their rows are not judged, so a rule never piles up on a value already
reported as a ``type`` error). Each failing row is turned into a finding by the rule's
``explain`` function: which column, what is wrong and how to fix it.
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl

from .checks import check, table_model
from .frames import Frames
from .reading import LINE
from .structural import fmt

_ABSENT = pl.lit("empty")


def _show(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).fill_null("empty")


# -- casualties ----------------------------------------------------------------------------------

QUALIFIER_SHAPES = {
    # qualifier: (condition on the bounds, what the bounds must look like). Its keys are the
    # qualifier vocabulary of datapackage.json: `validate` reports a descriptor whose vocabulary
    # lacks one (see vocabulary.py), and tests/test_vocabulary.py holds them equal.
    "exact": (
        lambda lo, be, hi: lo.is_not_null() & be.is_not_null() & hi.is_not_null() & (lo == be) & (be == hi),
        "count_low, count_best and count_high all equal to the stated number",
    ),
    "about": (lambda lo, be, hi: be.is_not_null(), "count_best set to the stated number"),
    "at_least": (
        lambda lo, be, hi: be.is_not_null() & (lo == be).fill_null(False) & hi.is_null(),
        "count_low = count_best = the stated number and count_high empty",
    ),
    "more_than": (
        lambda lo, be, hi: lo.is_not_null() & hi.is_null(),
        "count_low = the stated number + 1 and count_high empty",
    ),
    "at_most": (
        lambda lo, be, hi: hi.is_not_null() & (be.is_null() | (be == hi).fill_null(False)),
        "count_high = the stated number (and count_best, if given, equal to it)",
    ),
    "range": (
        lambda lo, be, hi: lo.is_not_null() & hi.is_not_null(),
        "count_low and count_high = the two ends of the stated range",
    ),
}
_BOUNDS = ("count_low", "count_best", "count_high")


def _explain_bounds(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
    lo, be, hi = pl.col("count_low"), pl.col("count_best"), pl.col("count_high")
    low_too_big = ((lo > be) | (lo > hi)).fill_null(False)
    return t.ids.readable(rows).select(
        LINE,
        pl.when(low_too_big).then(pl.lit("count_low")).otherwise(pl.lit("count_high")).alias("field"),
        fmt(
            "figure {}: count_low {}, count_best {}, count_high {} are not in order; "
            "make count_low ≤ count_best ≤ count_high (leave a bound empty when the source gives none)",
            "figure_id",
            _show("count_low"),
            _show("count_best"),
            _show("count_high"),
        ).alias("message"),
        pl.col("figure_id").alias("record_id"),
    )


def _explain_qualifier(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
    expected = pl.lit("")
    for name, (_, text) in QUALIFIER_SHAPES.items():
        expected = pl.when(pl.col("qualifier") == name).then(pl.lit(text)).otherwise(expected)
    return t.ids.readable(rows).select(
        LINE,
        pl.lit("qualifier").alias("field"),
        fmt(
            "figure {} has qualifier {} but count_low {}, count_best {}, count_high {}; "
            "for {} the bounds must be: {}",
            "figure_id",
            "qualifier",
            _show("count_low"),
            _show("count_best"),
            _show("count_high"),
            "qualifier",
            expected,
        ).alias("message"),
        pl.col("figure_id").alias("record_id"),
    )


def _explain_period(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
    return t.ids.readable(rows).select(
        LINE,
        pl.lit("period_end").alias("field"),
        fmt(
            "figure {}: period_end {} is before period_start {}; swap them or correct the dates",
            "figure_id",
            _show("period_end"),
            _show("period_start"),
        ).alias("message"),
        pl.col("figure_id").alias("record_id"),
    )


@table_model
class Casualties(pa.DataFrameModel):
    """Casualty figures: the bounds of one figure agree with each other and with its qualifier."""

    count_low: int = pa.Field(nullable=True)
    count_best: int = pa.Field(nullable=True)
    count_high: int = pa.Field(nullable=True)
    qualifier: str = pa.Field(nullable=True)
    period_start: dt.date = pa.Field(nullable=True)
    period_end: dt.date = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = False

    @check("count-bounds-ordered", reads={"casualties": ("figure_id", *_BOUNDS)}, explain=_explain_bounds)
    def count_bounds_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """count_low ≤ count_best ≤ count_high wherever they are given.

        Reported at the figure's row; column count_low when count_low exceeds count_best or
        count_high, otherwise count_high.

        To fix: re-read the source's wording; leave a bound empty when the source gives none."""
        lo, be, hi = pl.col("count_low"), pl.col("count_best"), pl.col("count_high")
        return data.lazyframe.select(
            ((lo <= be).fill_null(True) & (be <= hi).fill_null(True) & (lo <= hi).fill_null(True)).alias(
                "ok"
            )
        )

    @check(
        "qualifier-matches-bounds",
        reads={"casualties": ("figure_id", "qualifier", *_BOUNDS)},
        explain=_explain_qualifier,
        vocabulary={("casualties", "qualifier"): tuple(QUALIFIER_SHAPES)},
    )
    def qualifier_matches_bounds(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """The qualifier agrees with the bounds: exact → low = best = high; about → best given; at_least
        → low = best, high empty; more_than → low given, high empty; at_most → high given (= best if best
        given); range → low and high given.

        Reported at the figure's row, column qualifier.

        To fix: set the bounds as the qualifier's description in datapackage.json says (e.g. at_least has
        no count_high)."""
        lo, be, hi, q = pl.col("count_low"), pl.col("count_best"), pl.col("count_high"), pl.col("qualifier")
        ok = pl.lit(True)
        for name, (shape, _) in QUALIFIER_SHAPES.items():
            ok = pl.when(q == name).then(shape(lo, be, hi)).otherwise(ok)
        return data.lazyframe.select(ok.fill_null(True).alias("ok"))

    @check(
        "figure-period-ordered",
        reads={"casualties": ("figure_id", "period_start", "period_end")},
        explain=_explain_period,
    )
    def figure_period_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A figure's period_start is on or before its period_end.

        Reported at the figure's row, column period_end.

        To fix: swap the dates or correct them from the source."""
        return data.lazyframe.select(
            (pl.col("period_start") <= pl.col("period_end")).fill_null(True).alias("ok")
        )


# -- incidents -----------------------------------------------------------------------------------


def _explain_incident_dates(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
    return t.ids.readable(rows).select(
        LINE,
        pl.lit("end_date").alias("field"),
        fmt(
            "incident {}: end_date {} is before start_date {}; swap them or correct the dates",
            "incident_id",
            _show("end_date"),
            _show("start_date"),
        ).alias("message"),
        pl.col("incident_id").alias("record_id"),
    )


@table_model
class Incidents(pa.DataFrameModel):
    """Incidents: an incident's own dates are consistent."""

    start_date: dt.date = pa.Field(nullable=True)
    end_date: dt.date = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = False

    @check(
        "incident-dates-ordered",
        reads={"incidents": ("incident_id", "start_date", "end_date")},
        explain=_explain_incident_dates,
    )
    def incident_dates_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """An incident's end_date is on or after its start_date.

        Reported at the incident's row, column end_date.

        To fix: swap the dates or correct them from the source."""
        return data.lazyframe.select(
            (pl.col("start_date") <= pl.col("end_date")).fill_null(True).alias("ok")
        )


# -- statements ----------------------------------------------------------------------------------


def _explain_quote(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
    return t.ids.readable(rows).select(
        LINE,
        pl.lit("quote").alias("field"),
        fmt(
            "statement {} has neither a quote nor a summary; add the verbatim words as quote, "
            "or a paraphrase as summary",
            "statement_id",
        ).alias("message"),
        pl.col("statement_id").alias("record_id"),
    )


@table_model
class Statements(pa.DataFrameModel):
    """Statements: each one carries its words."""

    quote: str = pa.Field(nullable=True)
    summary: str = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = False

    @check(
        "statement-quote-or-summary",
        reads={"statements": ("statement_id", "quote", "summary")},
        explain=_explain_quote,
    )
    def statement_quote_or_summary(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A statement has a verbatim quote, a summary, or both.

        Reported at the statement's row, column quote.

        To fix: add the verbatim words as quote, or a paraphrase as summary."""
        return data.lazyframe.select(
            (pl.col("quote").is_not_null() | pl.col("summary").is_not_null()).alias("ok")
        )


# -- places --------------------------------------------------------------------------------------


def _explain_pair(rows: pl.DataFrame, t: Frames) -> pl.DataFrame:
    missing = pl.when(pl.col("latitude").is_null()).then(pl.lit("latitude")).otherwise(pl.lit("longitude"))
    return t.ids.readable(rows).select(
        LINE,
        missing.alias("field"),
        fmt(
            "place {} has only one coordinate; give both latitude and longitude, or leave both empty",
            "place_id",
        ).alias("message"),
        pl.col("place_id").alias("record_id"),
    )


@table_model
class Places(pa.DataFrameModel):
    """Places: coordinates come as a pair."""

    latitude: float = pa.Field(nullable=True)
    longitude: float = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = False

    @check(
        "coordinates-paired", reads={"places": ("place_id", "latitude", "longitude")}, explain=_explain_pair
    )
    def coordinates_paired(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A place has both latitude and longitude, or neither.

        Reported at the place's row, column = the empty one of the two.

        To fix: use a gazetteer value for the missing one, or leave both empty."""
        return data.lazyframe.select(
            (pl.col("latitude").is_null() == pl.col("longitude").is_null()).alias("ok")
        )
