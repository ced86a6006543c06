"""Choices made for readers of the web instance: what to facet, sort, search and label by.

These are editorial choices, not facts about the data, so they live here rather
than in ``datapackage.json``. Every column named here must exist in the
descriptor; a test checks it.
"""

from __future__ import annotations

# Facets shown on each table page: the vocabularies a reader narrows by first. The build
# counts them into facet_counts for the unfiltered page (facet_counts.py); a filtered page
# counts its rows live (~0.1 us a row), so the tables that grow largest keep two; readers
# add others from any column's menu.
FACETS: dict[str, list[str]] = {
    "sources": ["source_type", "publisher", "language"],
    "actors": ["actor_type"],
    "places": ["place_type"],
    "incidents": ["event_type", "verification"],
    "casualties": ["victim_group", "reported_by_actor_id"],
    "statements": ["statement_type", "speaker_actor_id"],
}

# Indexed for filtering and for facets readers add themselves.
EXTRA_INDEXES: dict[str, list[str]] = {
    "incidents": ["place_precision"],
    "casualties": ["outcome", "qualifier"],
    "statements": ["channel"],
}

# Default order of each table page: (column, descending?). Newest first where a date
# says when; the primary key otherwise.
SORT: dict[str, tuple[str, bool]] = {
    "sources": ("published_on", True),
    "actors": ("actor_id", False),
    "places": ("place_id", False),
    "incidents": ("start_date", True),
    "casualties": ("figure_id", False),
    "statements": ("made_on", True),
}

# Columns with an index so that sorting by them stays fast on large tables.
SORT_COLUMNS: dict[str, list[str]] = {
    table: [column] for table, (column, _) in SORT.items()
}

# The column that names a row wherever another table links to it (Datasette labels).
LABEL_COLUMNS: dict[str, str] = {
    "sources": "title",
    "actors": "name",
    "places": "name",
    "incidents": "title",
    "casualties": "source_quote",
    "statements": "statement_id",
}

# Full-text search (FTS5): the words readers look for.
SEARCHABLE: dict[str, list[str]] = {
    "incidents": ["title", "description"],
    "statements": ["quote", "summary"],
    "sources": ["title"],
}
