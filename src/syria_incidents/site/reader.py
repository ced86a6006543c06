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
SORT_COLUMNS: dict[str, list[str]] = {table: [column] for table, (column, _) in SORT.items()}

# The column that names a row wherever another table links to it (Datasette labels).
LABEL_COLUMNS: dict[str, str] = {
    "sources": "title",
    "actors": "name",
    "places": "name",
    "incidents": "title",
    "casualties": "source_quote",
    "statements": "summary",
}

# Full-text search (FTS5): the words readers look for. Every table has some, so that a
# search never silently returns every row of a table that cannot search.
SEARCHABLE: dict[str, list[str]] = {
    "sources": ["publisher", "title", "notes"],
    "actors": ["name", "description"],
    "places": ["name", "name_ar", "notes"],
    "incidents": ["title", "description", "notes"],
    "casualties": ["source_quote", "notes"],
    "statements": ["quote", "summary", "speaker_role"],
}

# The columns a reader needs first, at the left of each table page; the others follow in
# the descriptor's order. Only the database's column order changes: CSVs, exports and
# the JSON API's field names stay as the descriptor has them.
LEADING_COLUMNS: dict[str, list[str]] = {
    "sources": ["source_id", "publisher", "title", "published_on", "source_type", "url"],
    "actors": ["actor_id", "name", "actor_type"],
    "places": ["place_id", "name", "place_type", "parent_place_id"],
    "incidents": ["incident_id", "title", "start_date", "end_date", "place_id", "event_type"],
    "casualties": [
        "figure_id",
        "source_quote",
        "count_best",
        "outcome",
        "victim_group",
        "reported_by_actor_id",
        "reported_on",
        "source_id",
        "incident_id",
    ],
    "statements": ["statement_id", "quote", "speaker_actor_id", "made_on", "statement_type", "source_id"],
}


def reading_order(table: str, columns: list[str]) -> list[str]:
    """``columns`` with the table's leading columns first, the rest in their given order."""
    leading = [c for c in LEADING_COLUMNS.get(table, []) if c in columns]
    return leading + [c for c in columns if c not in leading]


# The six tables as the home page lists them: what happened, the tolls, what was said,
# then the documents, the actors and the places they refer to.
TABLE_ORDER: list[str] = ["incidents", "casualties", "statements", "sources", "actors", "places"]

# A record's page lists the records that point at it, under these headings
# ((table that points, its column) -> heading). A test checks every foreign key has one.
RELATED_TITLES: dict[tuple[str, str], str] = {
    ("casualties", "parent_figure_id"): "Its parts (the source's “including …”)",
    ("casualties", "supersedes_figure_id"): "Later figures that revise it",
    ("casualties", "incident_id"): "Casualty figures about this incident",
    ("casualties", "source_id"): "Casualty figures citing this source",
    ("casualties", "reported_by_actor_id"): "Casualty figures it reports",
    ("casualties", "perpetrator_actor_id"): "Casualty figures that attribute the harm to it",
    ("incidents", "parent_incident_id"): "Incidents within it",
    ("incidents", "place_id"): "Incidents here",
    ("incidents", "source_id"): "Incidents citing this source",
    ("incidents", "initiator_actor_id"): "Incidents it initiated",
    ("incidents", "target_actor_id"): "Incidents targeting it",
    ("incidents", "reported_by_actor_id"): "Incidents it reports",
    ("statements", "incident_id"): "Statements about this incident",
    ("statements", "source_id"): "Statements citing this source",
    ("statements", "speaker_actor_id"): "Its statements",
    ("actors", "parent_actor_id"): "Actors within it",
    ("places", "parent_place_id"): "Places within it",
}

# The records a record points at that its page shows in full, with their headline
# ((table, column) -> heading); other references are links among the record's fields.
OUTGOING_TITLES: dict[tuple[str, str], str] = {
    ("casualties", "parent_figure_id"): "Part of",
    ("casualties", "supersedes_figure_id"): "Revises this earlier figure",
    ("casualties", "incident_id"): "About",
    ("incidents", "parent_incident_id"): "Part of",
    ("statements", "incident_id"): "About",
}
