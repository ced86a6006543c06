"""SQLite schema derived from ``datapackage.json``: types, keys, NOT NULL, indexes, search.

Nothing about columns is written here by hand: the descriptor says which fields
exist, their types, which are required and which are keys. This module only
decides how those facts look in SQL, and which columns readers search and facet.
"""

from __future__ import annotations

from ..package import foreign_keys as package_foreign_keys
from ..package import primary_key
from .reader import EXTRA_INDEXES, FACETS, SEARCHABLE, SORT_COLUMNS, reading_order

# Table Schema type -> SQLite column type. Dates stay ISO 8601 text, which sorts
# and compares correctly and round-trips byte for byte.
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}


def quote(name: str) -> str:
    """An SQL identifier in double quotes (names come from the descriptor, not from users)."""
    return '"' + name.replace('"', '""') + '"'


def sql_type(field: dict) -> str:
    """The declared SQLite type of a field: INTEGER, REAL or TEXT."""
    return SQL_TYPES.get(field.get("type", "string"), "TEXT")


def foreign_keys(resource: dict) -> dict[str, tuple[str, str]]:
    """Column -> (referenced table, referenced column); a missing ``resource`` means this table."""
    out = {}
    for fk in package_foreign_keys(resource):
        for column, target in zip(fk.fields, fk.reference, strict=True):
            out[column] = (fk.resource, target)
    return out


def create_table_sql(resource: dict) -> str:
    """``CREATE TABLE`` with declared types, the primary key, NOT NULL and foreign keys.

    Columns come in reading order (``reader.LEADING_COLUMNS``): what a table page shows
    first. Loading and exporting name their columns, so this order is the page's only.
    """
    schema = resource["schema"]
    primary = list(primary_key(resource))
    refs = foreign_keys(resource)
    lines = []
    by_name = {f["name"]: f for f in schema["fields"]}
    for field in (by_name[n] for n in reading_order(resource["name"], list(by_name))):
        name = field["name"]
        parts = [quote(name), sql_type(field)]
        if field.get("constraints", {}).get("required") or name in primary:
            parts.append("NOT NULL")
        if primary == [name]:
            parts.append("PRIMARY KEY")
        if name in refs:
            table, column = refs[name]
            parts.append(f"REFERENCES {quote(table)}({quote(column)})")
        lines.append("  " + " ".join(parts))
    if len(primary) > 1:
        lines.append("  PRIMARY KEY (" + ", ".join(quote(c) for c in primary) + ")")
    return f"CREATE TABLE {quote(resource['name'])} (\n" + ",\n".join(lines) + "\n)"


def index_columns(resource: dict) -> list[str]:
    """Columns worth an index: foreign keys (for links and joins), facets and sort columns."""
    name = resource["name"]
    fields = [f["name"] for f in resource["schema"]["fields"]]
    wanted = (
        list(foreign_keys(resource))
        + FACETS.get(name, [])
        + EXTRA_INDEXES.get(name, [])
        + SORT_COLUMNS.get(name, [])
    )
    primary = list(primary_key(resource))
    return [c for c in dict.fromkeys(wanted) if c in fields and [c] != primary]


def create_index_sql(table: str, column: str) -> str:
    return f"CREATE INDEX {quote(f'idx_{table}_{column}')} ON {quote(table)}({quote(column)})"


def fts_sql(table: str, columns: list[str]) -> list[str]:
    """An FTS5 index over ``columns`` whose text stays in ``table`` (external content).

    The ``<table>_fts`` name and ``content=`` form are what Datasette looks for
    to show a search box on the table.
    """
    fts = quote(f"{table}_fts")
    cols = ", ".join(quote(c) for c in columns)
    return [
        f"CREATE VIRTUAL TABLE {fts} USING FTS5({cols}, content={quote(table)}, "
        "tokenize='unicode61 remove_diacritics 2')",
        f"INSERT INTO {fts}({fts}) VALUES('rebuild')",
    ]


def searchable_columns(resource: dict) -> list[str]:
    fields = {f["name"] for f in resource["schema"]["fields"]}
    return [c for c in SEARCHABLE.get(resource["name"], []) if c in fields]
