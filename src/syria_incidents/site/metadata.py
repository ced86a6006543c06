"""Datasette ``metadata.yaml``, generated from ``datapackage.json``.

Titles, licence, sources and every table and column description come from the
descriptor (the one source of truth); facets, sorts, labels, canned queries and
plugin settings come from this subpackage. ``syria-incidents metadata`` writes the
committed ``metadata.yaml``, and a test fails when it is out of date.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import yaml

from ..package import read_descriptor, resolve_root
from . import examples, pages, schema
from .build import DATABASE_NAME, NUMBER_TEXT_TABLE
from .dashboards import dashboards
from .facet_counts import COLUMNS as FACET_COUNT_COLUMNS
from .facet_counts import DESCRIPTION as FACET_COUNTS_DESCRIPTION
from .facet_counts import FACET_COUNTS_TABLE
from .fingerprint import FINGERPRINT_TABLE
from .queries import QUERIES
from .reader import FACETS, LABEL_COLUMNS, SORT, reading_order
from .views import VIEWS, create_view_sql

METADATA_NAME = "metadata.yaml"
# The facet type of plugins/precounted_facets.py.
PRECOUNTED_FACET = "column_precounted"
HEADER = (
    "# Datasette metadata, generated from datapackage.json by `syria-incidents metadata`.\n"
    "# Do not edit by hand: change datapackage.json or src/syria_incidents/site/, then\n"
    "# run `syria-incidents metadata`. A test checks this file is current.\n"
)


def build_metadata(descriptor: dict, database: str = DATABASE_NAME) -> dict:
    """The Datasette 0.65 metadata for the package described by ``descriptor``."""
    licence = descriptor["licenses"][0]
    meta = {
        "title": descriptor["title"],
        "description": descriptor["description"],
        "license": licence["name"],
        "license_url": licence["path"],
        # Every record cites its own document: the footer points at all of them, not at
        # the first source the descriptor happens to list.
        "source": "the documents each record cites (the sources table)",
        "source_url": f"/{database}/sources",
        "about": f"syria-incidents {descriptor['version']}: the data package, its validation "
        "toolkit and this read-only instance",
    }
    if descriptor.get("homepage"):
        meta["about_url"] = descriptor["homepage"]
    meta["databases"] = {
        database: {
            "description": descriptor["description"],
            "tables": {**_tables(descriptor), **_views(descriptor), **_history(descriptor), **_hidden()},
            "queries": {
                q.name: {"title": q.title, "description": q.description, "sql": q.sql.strip()}
                for q in QUERIES
            },
        }
    }
    meta["plugins"] = {
        "datasette-dashboards": dashboards(descriptor, database),
        pages.PLUGIN: {**pages.plugin_config(descriptor, home_links(database)), "queries": query_examples()},
    }
    return meta


def home_links(database: str) -> list[dict]:
    """The ways into the data that the home page offers beside the tables."""
    return [
        {
            "path": f"/{database}/claims_side_by_side",
            "title": "Claims side by side",
            "line": "Every casualty figure beside the others about the same incident, with the "
            "source's words and who claims it.",
        },
        {
            "path": "/-/dashboards/overview",
            "title": "Dashboard",
            "line": "Each reporter's toll over time and its latest claims, never summed.",
        },
        {
            "path": f"/{database}/incidents_map",
            "title": "Map",
            "line": "Incidents at places with coordinates.",
        },
        {
            "path": f"/{database}",
            "title": "Every view and query",
            "line": "The views, the canned queries and SQL of your own.",
        },
    ]


def query_examples() -> dict:
    """Each canned query's parameters: the hint, the example and the values to pick from."""
    return {
        q.name: {
            p.name: {"hint": p.hint, "choices_sql": p.choices_sql, "default_sql": p.default_sql}
            for p in q.parameters
        }
        for q in QUERIES
        if q.parameters
    }


def _tables(descriptor: dict) -> dict:
    out = {}
    for res in descriptor["resources"]:
        name = res["name"]
        table = {
            "description": res["description"],
            "label_column": LABEL_COLUMNS[name],
            # Counted at build time for the unfiltered page (plugins/precounted_facets.py).
            "facets": [{PRECOUNTED_FACET: column} for column in FACETS[name]],
        }
        column, descending = SORT[name]
        table["sort_desc" if descending else "sort"] = column
        # Plain text: Datasette shows these as tooltips and in the column menu; the table
        # page renders them as HTML from the plugin's column_notes.
        # In the page's order (reader.LEADING_COLUMNS first).
        described = {f["name"]: pages.plain_text(f["description"]) for f in res["schema"]["fields"]}
        table["columns"] = {c: described[c] for c in reading_order(name, list(described))}
        out[name] = table
    return out


def _views(descriptor: dict) -> dict:
    columns = view_columns(descriptor)
    by_table = {
        r["name"]: {f["name"]: pages.plain_text(f["description"]) for f in r["schema"]["fields"]}
        for r in descriptor["resources"]
    }
    out = {}
    for view in VIEWS:
        described = {}
        for column in columns[view.name]:
            described[column] = view.derived.get(column) or _describe(column, view.main_table, by_table)
        out[view.name] = {"description": view.description, "columns": described}
    return out


def _describe(column: str, main_table: str, by_table: dict[str, dict[str, str]]) -> str:
    # A column a view takes unchanged is described as in its table (the main one first).
    for table in [main_table, *by_table]:
        if column in by_table[table]:
            return by_table[table][column]
    raise KeyError(f"no description for view column {column!r}: add it to the view's `derived`")


# Tables and views that history.py adds (record history only in a git checkout).
HISTORY = {
    "revision_chains": (
        "casualties",
        "Each figure that was later revised, followed by its revisions "
        "in order (supersedes_figure_id), one chain per original figure.",
        {
            "chain_start": "The first figure of the chain: the one that was revised.",
            "revision": "0 for the first figure, then 1, 2 … for each revision.",
            "superseded_by": "The figure that revises this one; empty for the latest.",
        },
    ),
    "commits": (
        None,
        "Commits of the repository that changed the data, with the data version at each.",
        {
            "commit": "Git commit id.",
            "committed_at": "When the commit was made (ISO 8601 with offset).",
            "version": "The data version in datapackage.json at that commit.",
            "subject": "The commit message's first line.",
            "record_changes": "How many records the commit added, changed or removed.",
        },
    ),
    "record_versions": (
        None,
        "Every version of every record across the git history: one row per "
        "record added, changed or removed in a commit.",
        {
            "table_name": "The table the record belongs to.",
            "record_id": "The record's primary key.",
            "commit": "The commit that made the change.",
            "committed_at": "When the commit was made.",
            "version": "The data version at that commit.",
            "change": "added, changed or removed.",
            "changed_fields": "JSON list of the fields that changed.",
            "record": "The record as it was after the commit, as JSON.",
        },
    ),
    "casualty_figure_versions": (
        "casualties",
        "How each casualty figure changed from release to release, from record_versions.",
        {
            "version": "The data version at that commit.",
            "committed_at": "When the commit was made.",
            "commit": "The commit that made the change.",
            "change": "added, changed or removed.",
            "changed_fields": "JSON list of the fields that changed.",
        },
    ),
}


def _history(descriptor: dict) -> dict:
    columns = history_columns(descriptor)
    by_table = {
        r["name"]: {f["name"]: pages.plain_text(f["description"]) for f in r["schema"]["fields"]}
        for r in descriptor["resources"]
    }
    out = {}
    for name, (main_table, description, derived) in HISTORY.items():
        described = {}
        for column in columns.get(name, []):
            described[column] = derived.get(column) or _describe(
                column, main_table or "casualties", by_table
            )
        # Internal: reached from a figure's page and the database page, not the home page.
        out[name] = {"description": description, "columns": described, "hidden": True}
    return out


def history_columns(descriptor: dict) -> dict[str, list[str]]:
    """Columns of the history tables and views, read from SQLite on an empty schema."""
    from ..versions.history import write_history_schema

    conn = sqlite3.connect(":memory:")
    try:
        for res in descriptor["resources"]:
            conn.execute(schema.create_table_sql(res))
        write_history_schema(conn)
        return {name: [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')] for name in HISTORY}
    finally:
        conn.close()


def _hidden() -> dict:
    return {
        FINGERPRINT_TABLE: {"hidden": True, "description": "What the database was built from."},
        NUMBER_TEXT_TABLE: {
            "hidden": True,
            "description": "Original text of number cells, for exact export.",
        },
        FACET_COUNTS_TABLE: {
            "hidden": True,
            "description": FACET_COUNTS_DESCRIPTION,
            "columns": FACET_COUNT_COLUMNS,
        },
        examples.EXAMPLES_TABLE: {
            "hidden": True,
            "description": examples.DESCRIPTION,
            "columns": examples.COLUMNS,
        },
    }


def view_columns(descriptor: dict) -> dict[str, list[str]]:
    """Each view's column names, read from SQLite itself on an empty copy of the schema."""
    conn = sqlite3.connect(":memory:")
    try:
        for res in descriptor["resources"]:
            conn.execute(schema.create_table_sql(res))
        out = {}
        for view in VIEWS:
            conn.execute(create_view_sql(view))
            out[view.name] = [row[1] for row in conn.execute(f'PRAGMA table_info("{view.name}")')]
        return out
    finally:
        conn.close()


def metadata_yaml(descriptor: dict, database: str = DATABASE_NAME) -> str:
    """The metadata as YAML text, with a header saying it is generated."""
    body = yaml.dump(
        build_metadata(descriptor, database), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )
    return HEADER + body


class _Dumper(yaml.SafeDumper):
    """Writes multi-line strings (the SQL) as readable ``|`` blocks."""


def _str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def write_metadata(
    path: str | Path | None = None, out: str | Path | None = None, database: str = DATABASE_NAME
) -> Path:
    """Write the metadata of the package at ``path`` to ``out`` (default: beside the descriptor)."""
    root = resolve_root(path, for_writing=out is None)
    target = Path(out) if out else root / METADATA_NAME
    text = metadata_yaml(read_descriptor(root), database)
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8", newline="\n")
    return target


def metadata_is_current(path: str | Path | None = None) -> bool:
    """True when the committed ``metadata.yaml`` is what the descriptor generates."""
    root = resolve_root(path)
    target = root / METADATA_NAME
    return target.is_file() and target.read_text(encoding="utf-8") == metadata_yaml(read_descriptor(root))
