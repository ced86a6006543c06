"""The typed frames the semantic rules read, and the lookups several rules share."""

from __future__ import annotations

import threading

import polars as pl

from .ids import IdCodec
from .reading import LINE


class Frames(dict):
    """{table: typed frame} for the semantic rules, with what the structural pass learnt.

    A frame holds the columns some rule reads (see ``registry.Rule.reads``) and LINE, the
    CSV line of each row; id columns hold the codes of ``ids`` (see ids.py)."""

    def __init__(self, frames: dict[str, pl.DataFrame] | None = None):
        super().__init__(frames or {})
        self.unique: set[str] = set()  # tables whose primary key has no repeated id
        self.heights: dict[str, int] = {}
        self.fields: dict[str, list[dict]] = {}  # each table's fields in datapackage.json
        self.ids = IdCodec()  # the id columns of the frames hold its codes
        self.cache: dict[str, pl.DataFrame] = {}  # intermediate frames several rules share
        self.lock = threading.Lock()  # the rules run in parallel

    @classmethod
    def of(cls, frames: dict[str, pl.DataFrame]) -> Frames:
        """Frames of plain tables (ids as text), numbered by row from 0 where they have no LINE."""
        return cls(
            {
                name: frame
                if LINE in frame.columns
                else frame.with_row_index(LINE).with_columns(pl.col(LINE).cast(pl.Int64))
                for name, frame in frames.items()
            }
        )

    def first(self, table: str, key: str, *columns: str) -> pl.DataFrame:
        """LINE, ``key`` and ``columns`` of the first row of each id of ``table`` (a repeated id
        is a primary-key error already); every row, when no id repeats."""
        narrow = self[table].select(LINE, key, *columns).filter(pl.col(key).is_not_null())
        return narrow if table in self.unique else narrow.filter(pl.col(key).is_first_distinct())

    def shared(self, name: str, make) -> pl.DataFrame:
        """The intermediate frame ``name``, made once by ``make()`` for every rule that asks
        (rules run in parallel: the first to ask makes it, the others wait for it)."""
        with self.lock:
            frame = self.cache.get(name)
            if frame is None:
                frame = self.cache[name] = make()
        return frame
