"""Semantic rules as pandera checks over prepared frames, and the one path from pandera's
failure cases to findings (file, line, column, rule).

A rule that compares values of one row, or of rows joined together (a total beside the
sum of its parts, a figure beside its source), is a pandera ``dataframe_check`` declared
with ``@check`` on a ``DataFrameModel`` (schemas.py, relations.py). The model validates a
*prepared frame*: a function declared with ``@prepares(Model)`` builds it from the typed
tables, one row per thing the rule judges, with LINE (the CSV line the finding points at)
and the columns the explanation names. ``run_model`` validates it and turns each failing
row into findings with the rule's ``explain`` function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandera.polars as pa
import polars as pl
from pandera.errors import SchemaErrors

from .frames import Frames
from .reading import LINE, MAX_ROW_FINDINGS, more_findings
from .registry import Rule, get, rule
from .structural import FINDING_SCHEMA

Explain = Callable[[pl.DataFrame, Frames], pl.DataFrame]


def check(
    rule_id: str,
    *,
    reads: dict[str, tuple[str, ...]],
    explain: Explain,
    severity: str = "error",
    vocabulary: dict[tuple[str, str], tuple[str, ...]] | None = None,
):
    """Declare a model's dataframe check as rule ``rule_id`` (registered, and named so in pandera).

    ``explain(rows, frames)`` turns the failing rows of the prepared frame (ids still coded)
    into findings: LINE, field, message, record_id."""

    def decorate(func):
        func.explain = explain
        rule(rule_id, severity, stage="model", reads=reads, vocabulary=vocabulary)(func)
        return pa.dataframe_check(name=rule_id)(func)

    return decorate


@dataclass(frozen=True)
class Prepared:
    """How one model's frame is made from the typed tables."""

    model: type
    make: Callable[[Frames], pl.DataFrame]
    skip_type_errors: bool  # rows with a type error are not judged (their value reads as empty)

    @property
    def rules(self) -> list[Rule]:
        return model_rules(self.model)

    @property
    def tables(self) -> list[str]:
        """The tables the model's rules read; the first holds their findings."""
        return model_tables(self.model)


def model_rules(model: type) -> list[Rule]:
    """The rules a model checks, in its order."""
    return [get(c.name) for c in model.to_schema().checks]


def model_tables(model: type) -> list[str]:
    return list(dict.fromkeys(t for r in model_rules(model) for t in r.reads))


_PREPARED: list[Prepared] = []


def prepares(model: type, *, skip_type_errors: bool = False):
    """Declare the decorated function as the maker of ``model``'s prepared frame."""

    def register(make):
        _PREPARED.append(Prepared(model, make, skip_type_errors))
        return make

    return register


def table_model(model: type) -> type:
    """Declare ``model`` (class decorator) as the row-level model of the one table its rules
    read: its prepared frame is that table's typed frame, narrowed to the columns they read."""
    [table] = model_tables(model)
    columns = list(dict.fromkeys(c for r in model_rules(model) for c in r.reads[table]))

    def make(t: Frames) -> pl.DataFrame | None:
        if table not in t or any(c not in t[table].columns for c in columns):
            return None
        # The typed frames keep enum columns Categorical; the models declare text as str.
        return t[table].select(LINE, *columns).with_columns(pl.col(pl.Categorical).cast(pl.String))

    prepares(model, skip_type_errors=True)(make)
    return model


def prepared() -> list[Prepared]:
    """Every declared prepared frame (``catalogue.all_rules`` imports the modules that declare them)."""
    return list(_PREPARED)


def failing_rows(model: type, frame: pl.DataFrame) -> dict[str, pl.Series]:
    """{rule id: positions in ``frame`` of the rows that fail it}, from pandera's failure cases."""
    try:
        model.validate(frame, lazy=True)
        return {}
    except SchemaErrors as exc:
        cases = exc.failure_cases
    out = {}
    for name in (c.name for c in model.to_schema().checks):
        index = cases.filter(pl.col("check") == name)["index"].drop_nulls().unique().sort()
        if index.len():
            out[name] = index.cast(pl.Int64)
    return out


def run_model(prep: Prepared, frames: Frames, skip_lines: set[int] = frozenset()) -> dict[str, pl.DataFrame]:
    """Make the prepared frame, validate it with its model; {rule id: findings} of each failing rule.

    At most MAX_ROW_FINDINGS rows of a rule are explained one by one; one more finding
    counts the rest."""
    frame = prep.make(frames)
    if frame is None or frame.is_empty():
        return {}
    out = {}
    for rule_id, index in failing_rows(prep.model, frame).items():
        rows = frame[index]
        if prep.skip_type_errors and skip_lines:
            rows = rows.filter(~pl.col(LINE).is_in(sorted(skip_lines)))
        rows = rows.sort(LINE)
        more = rows.height - MAX_ROW_FINDINGS
        found = get(rule_id).func.explain(rows.head(MAX_ROW_FINDINGS + 1), frames).cast(FINDING_SCHEMA)
        if more > 0:
            last = rows[MAX_ROW_FINDINGS, LINE]
            found = pl.concat(
                [
                    found.filter(pl.col(LINE) < last),
                    found.filter(pl.col(LINE) == last)
                    .head(1)
                    .with_columns(message=pl.lit(more_findings(more)), record_id=pl.lit(None)),
                ]
            )
        if found.height:
            out[rule_id] = found
    return out
