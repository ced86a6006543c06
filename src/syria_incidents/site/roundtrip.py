"""Read a table back out of the database as CSV cells, exactly as they were written.

Used by the round-trip tests (CSV -> SQLite -> CSV) and by anyone who wants the
cells of the database as the CSV had them: NULL becomes the empty cell, integers
their digits, numbers their original text.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from .build import NUMBER_TEXT_TABLE, number_text
from .schema import quote


def export_rows(conn: sqlite3.Connection, resource: dict) -> Iterator[list[str]]:
    """The rows of ``resource``'s table, in CSV order, as lists of cell text."""
    table = resource["name"]
    names = [f["name"] for f in resource["schema"]["fields"]]
    original = {}
    for row_number, column, text in conn.execute(
        f"SELECT row_number, column_name, text FROM {NUMBER_TEXT_TABLE} WHERE table_name = ?",
        (table,),
    ):
        original[(row_number, column)] = text
    columns = ", ".join(quote(n) for n in names)
    for row in conn.execute(f"SELECT rowid, {columns} FROM {quote(table)} ORDER BY rowid"):
        rowid, values = row[0], row[1:]
        yield [original.get((rowid, name), _cell(value)) for name, value in zip(names, values)]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return number_text(value)
    return str(value)
