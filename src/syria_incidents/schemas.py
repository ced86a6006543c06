"""The package's semantic rules as pandera schemas you can run on your own data frames.

>>> import syria_incidents as si
>>> from syria_incidents.schemas import Casualties
>>> figures = si.load("casualties")
>>> figures.loc[figures.figure_id == "F-0002", "count_best"] = 10_000   # a part above its total
>>> Casualties.validate(figures, lazy=True)
Traceback (most recent call last):
pandera.errors.SchemaErrors: ... subtotals-within-total ...

Each schema holds every rule that reads that table alone: the row-level rules (bounds in
order, qualifier and bounds agree …) and the rules across its rows (parts within their
total, revisions by the same reporter …), each a pandera check named by its rule id. They
are the checks ``syria-incidents validate`` runs (``syria_incidents.validators``), made
from the same declarations, so a frame you edited is judged as the package would be. The
frame may be pandas (``si.load``) or polars (``si.load(engine="polars")``); a failure
raises pandera's ``SchemaError`` (``SchemaErrors`` with ``lazy=True``), whose failure
cases are the rows that break the rule. Needs the ``validate`` extra.
"""

from __future__ import annotations

import pandera.pandas as pandas_schema
import pandera.polars as polars_schema
import polars as pl

from .validators.catalogue import all_rules
from .validators.checks import Prepared, failing_rows, prepared
from .validators.frames import Frames
from .validators.reading import LINE

__all__ = ["Casualties", "Incidents", "Places", "Statements", "TableSchema"]


def _as_polars(frame) -> pl.DataFrame:
    """A polars copy of a frame from ``si.load`` (either engine), dates as dates (pandas has datetimes)."""
    if isinstance(frame, pl.LazyFrame):
        frame = frame.collect()
    if not isinstance(frame, pl.DataFrame):
        frame = pl.from_pandas(frame.reset_index(drop=True))
    return frame.with_columns(pl.col(pl.Datetime).dt.date())


def _breaking_rows(prep: Prepared, rule_id: str, table: str, frame) -> pl.Series:
    """Whether each row of ``frame`` (in order) keeps rule ``rule_id``, checked with ``prep``'s model."""
    rows = _as_polars(frame)
    made = prep.make(Frames.of({table: rows}))  # LINE is the row's position
    broken = pl.Series(LINE, [], dtype=pl.Int64)
    if made is not None and not made.is_empty():
        index = failing_rows(prep.model, made).get(rule_id)
        if index is not None:
            broken = made[index][LINE]
    return ~pl.int_range(rows.height, eager=True).is_in(broken.implode())


class TableSchema:
    """The rules of one table as pandera schemas: ``validate`` takes a pandas or polars frame.

    ``pandas`` and ``polars`` are the pandera ``DataFrameSchema`` objects themselves."""

    def __init__(self, table: str):
        self.table = table
        all_rules()  # every rule module imported, so every model is declared
        self._models = [p for p in prepared() if p.tables == [table]]
        self.rules = [r.id for p in self._models for r in p.rules]
        self.columns = list(dict.fromkeys(c for p in self._models for r in p.rules for c in r.reads[table]))
        self.pandas = self._schema(pandas_schema, self._pandas_check)
        self.polars = self._schema(polars_schema, self._polars_check)

    def _schema(self, backend, make_check):
        """One ``DataFrameSchema`` of ``backend`` (pandera's pandas or polars API) for the rules."""
        return backend.DataFrameSchema(
            {c: backend.Column(None, nullable=True) for c in self.columns},
            checks=[
                backend.Check(make_check(p, r.id), name=r.id, description=r.description)
                for p in self._models
                for r in p.rules
            ],
            name=self.table,
        )

    def _pandas_check(self, prep: Prepared, rule_id: str):
        def keeps_rule(df):
            import pandas as pd

            return pd.Series(
                _breaking_rows(prep, rule_id, self.table, df).to_list(), index=df.index, dtype=bool
            )

        return keeps_rule

    def _polars_check(self, prep: Prepared, rule_id: str):
        def keeps_rule(data: polars_schema.PolarsData) -> pl.LazyFrame:
            return _breaking_rows(prep, rule_id, self.table, data.lazyframe).alias("ok").to_frame().lazy()

        return keeps_rule

    def validate(self, frame, lazy: bool = False):
        """``frame`` unchanged when it keeps every rule; else pandera's SchemaError(s) naming the rule."""
        if isinstance(frame, (pl.DataFrame, pl.LazyFrame)):
            return self.polars.validate(frame, lazy=lazy)
        return self.pandas.validate(frame, lazy=lazy)

    def __repr__(self) -> str:
        return f"TableSchema({self.table!r}: {', '.join(self.rules)})"


Casualties = TableSchema("casualties")
Incidents = TableSchema("incidents")
Statements = TableSchema("statements")
Places = TableSchema("places")
