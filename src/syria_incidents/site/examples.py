"""Worked examples for the canned queries and the home page, chosen once at build time.

Choosing an example (the incident with the most figures, the longest revision chain)
means grouping every casualty figure: seconds at a million incidents, too slow for a
page. The database is immutable, so the build ranks the candidates once into
``query_examples``; pages and queries read the first rows of it.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

EXAMPLES_TABLE = "query_examples"
DESCRIPTION = (
    "Values the canned queries offer to pick from, best example first, chosen when the database was built."
)
COLUMNS = {
    "parameter": "What the values are for (a query parameter, or the home page's incident).",
    "rank": "1 for the worked example, then 2, 3 … in the order they are offered.",
    "value": "The value: an id or a vocabulary value.",
    "label": "What the value is, as the pick list shows it.",
}


class Example(NamedTuple):
    key: str
    # Build-time SQL giving (value, label) rows, best example first.
    candidates_sql: str


def value_sql(key: str) -> str:
    """SQL for the worked example of ``key`` (NULL when the data has none)."""
    return f"SELECT value FROM {EXAMPLES_TABLE} WHERE parameter = '{key}' AND rank = 1"


def choices_sql(key: str) -> str:
    """SQL for the (value, label) pairs offered for ``key``, best first."""
    return f"SELECT value, label FROM {EXAMPLES_TABLE} WHERE parameter = '{key}' ORDER BY rank"


def write_examples(conn: sqlite3.Connection, examples: list[Example]) -> None:
    """Rank every example's candidates into ``query_examples``."""
    conn.execute(
        f"CREATE TABLE {EXAMPLES_TABLE} (parameter TEXT NOT NULL, rank INTEGER NOT NULL, "
        "value TEXT NOT NULL, label TEXT, PRIMARY KEY (parameter, rank))"
    )
    for example in examples:
        try:
            rows = conn.execute(example.candidates_sql).fetchall()
        except sqlite3.OperationalError as error:
            # A package without the tables an example reads (the build's tests use
            # one-table packages) has no example for it: its query could not run either.
            if "no such table" not in str(error):
                raise
            continue
        conn.executemany(
            f"INSERT INTO {EXAMPLES_TABLE} VALUES (?, ?, ?, ?)",
            [
                (example.key, rank, value, label)
                for rank, (value, label) in enumerate(rows, start=1)
                if value is not None
            ],
        )
