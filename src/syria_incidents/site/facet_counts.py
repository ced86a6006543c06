"""Facet counts computed once at build time, so unfiltered table pages need no full scan.

An unfiltered facet in Datasette is ``select col, count(*) ... group by col`` over the
whole table: a scan of the column's index on every page view (~300 ms at 3M figures).
The database is immutable, so the build counts each configured facet column once into
``facet_counts`` and the ``precounted_facets`` plugin reads those rows instead.
"""

from __future__ import annotations

import sqlite3

from . import schema
from .reader import FACETS

# The plugin (plugins/precounted_facets.py) names this table too: it runs inside
# Datasette, where this package may not be installed (``datasette publish``).
FACET_COUNTS_TABLE = "facet_counts"
DESCRIPTION = (
    "Number of rows with each value of each facet column, counted when the "
    "database was built; unfiltered table pages read their facets from here."
)
COLUMNS = {
    "table_name": "The table the column belongs to.",
    "column_name": "The facet column.",
    "value": "One non-empty value of the column.",
    "count": "How many rows of the table have that value.",
}


def create_sql() -> str:
    return (
        f"CREATE TABLE {FACET_COUNTS_TABLE} (table_name TEXT NOT NULL, "
        "column_name TEXT NOT NULL, value TEXT NOT NULL, count INTEGER NOT NULL, "
        "PRIMARY KEY (table_name, column_name, value))"
    )


def write_facet_counts(conn: sqlite3.Connection, descriptor: dict) -> None:
    """Count every non-null value of every configured facet column of every table.

    One ``GROUP BY`` per column, run after the indexes exist, so each is a scan of
    the column's covering index rather than of the table.
    """
    conn.execute(create_sql())
    for resource in descriptor["resources"]:
        table = resource["name"]
        fields = {f["name"] for f in resource["schema"]["fields"]}
        for column in FACETS.get(table, []):
            if column not in fields:
                raise KeyError(f"facet column {table}.{column} is not in the descriptor")
            col = schema.quote(column)
            conn.execute(
                f"INSERT INTO {FACET_COUNTS_TABLE} SELECT ?, ?, {col}, count(*) "
                f"FROM {schema.quote(table)} WHERE {col} IS NOT NULL GROUP BY {col}",
                (table, column),
            )
