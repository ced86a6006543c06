"""What the instance's own pages show: record headlines, related records, column notes.

The templates (``templates/``) and the ``record_pages`` plugin are generic: they read
this configuration from the metadata (``plugins: syria-incidents-pages``), so that the
plugin stays self-contained (``datasette publish`` installs plugins, not this package)
and every table, column and vocabulary name comes from ``datapackage.json``.

A *headline* is how a record reads in a sentence ("at least 240 killed, Syrian
Network for Human Rights, 7 March 2025"); a *byline* says who and when; a *quote* is
the source's own words, verbatim; a *detail* is the dataset's own description. They are
SQL expressions over the record (alias ``r``), so a page gets a list of related records
in one query.
"""

from __future__ import annotations

import html
import re

from ..package import resource
from .examples import Example, value_sql
from .reader import LABEL_COLUMNS, OUTGOING_TITLES, RELATED_TITLES, TABLE_ORDER
from .schema import foreign_keys

PLUGIN = "syria-incidents-pages"
# Derived columns of the history views that name a casualty figure.
DERIVED_RECORD_COLUMNS = {"chain_start": "casualties", "superseded_by": "casualties"}
# How many related records a row page lists under each heading before "all N".
RELATED_LIMIT = 50
# Related records are counted up to this many; beyond, a page says "more than".
COUNT_CAP = 10_000

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def sql_date(expr: str) -> str:
    """SQL that writes an ISO date as "7 March 2025" (a month or year alone as given)."""
    months = " ".join(f"WHEN '{i:02d}' THEN '{name}'" for i, name in enumerate(_MONTHS, 1))
    month = f"CASE substr({expr}, 6, 2) {months} END"
    return (
        f"CASE WHEN {expr} IS NULL THEN NULL "
        f"WHEN length({expr}) = 4 THEN {expr} "
        f"WHEN length({expr}) = 7 THEN {month} || ' ' || substr({expr}, 1, 4) "
        f"ELSE ltrim(substr({expr}, 9, 2), '0') || ' ' || {month} || ' ' || substr({expr}, 1, 4) END"
    )


def _words(expr: str) -> str:
    """A vocabulary value as words: ``security_forces`` -> ``security forces``."""
    return f"replace({expr}, '_', ' ')"


def _number(expr: str) -> str:
    return f"printf('%,d', {expr})"


def figure_count_sql(r: str = "r") -> str:
    """A figure's number as the source put it: "at least 240", "about 125", "10–20".

    Every qualifier of the descriptor has a branch (a test checks it); the bounds say
    which number each qualifier keeps (see the qualifier vocabulary).
    """
    return (
        f"CASE {r}.qualifier "
        f"WHEN 'at_least' THEN 'at least ' || {_number(f'{r}.count_best')} "
        f"WHEN 'about' THEN 'about ' || {_number(f'{r}.count_best')} "
        f"WHEN 'more_than' THEN 'more than ' || "
        f"{_number(f'coalesce({r}.count_best, {r}.count_low - 1)')} "
        f"WHEN 'at_most' THEN 'up to ' || {_number(f'{r}.count_high')} "
        f"WHEN 'range' THEN {_number(f'{r}.count_low')} || '–' || {_number(f'{r}.count_high')} "
        f"ELSE {_number(f'coalesce({r}.count_best, {r}.count_low, {r}.count_high)')} END"
    )


# Qualifiers figure_count_sql reads in words (the others print the number alone).
COUNT_QUALIFIERS = ("exact", "about", "at_least", "more_than", "at_most", "range")


def _group(r: str = "r") -> str:
    # "any" and "unknown" say nothing about who was counted: leave them out of the sentence.
    return (
        f"CASE WHEN {r}.victim_group IN ('any', 'unknown') THEN '' "
        f"ELSE ' ' || {_words(f'{r}.victim_group')} END"
    )


# table -> (FROM clause with the record aliased r, headline, byline, quote, detail); all SQL.
RECORDS: dict[str, tuple[str, str, str, str, str]] = {
    "casualties": (
        "casualties AS r LEFT JOIN actors AS who ON who.actor_id = r.reported_by_actor_id",
        f"{figure_count_sql()} || {_group()} || ' ' || r.outcome || ', ' || "
        f"coalesce(who.name, 'unattributed') || ', ' || {sql_date('r.reported_on')}",
        "'figure ' || r.figure_id",
        "r.source_quote",
        "NULL",
    ),
    "incidents": (
        "incidents AS r LEFT JOIN places AS place ON place.place_id = r.place_id",
        "r.title",
        f"{sql_date('r.start_date')} || CASE WHEN r.end_date IS NOT NULL AND r.end_date != "
        f"r.start_date THEN ' – ' || {sql_date('r.end_date')} ELSE '' END || "
        f"coalesce(', ' || place.name, '') || ', ' || {_words('r.event_type')}",
        "NULL",
        "r.description",
    ),
    "sources": (
        "sources AS r",
        "r.title",
        f"r.publisher || coalesce(', ' || {sql_date('r.published_on')}, '') || ', ' || "
        f"{_words('r.source_type')}",
        "NULL",
        "NULL",
    ),
    "statements": (
        "statements AS r LEFT JOIN actors AS who ON who.actor_id = r.speaker_actor_id",
        f"coalesce(who.name, 'unnamed speaker') || ', ' || "
        f"coalesce({sql_date('r.made_on')}, 'undated') || ': ' || {_words('r.statement_type')}",
        "coalesce(r.speaker_role, '')",
        "r.quote",
        "r.summary",
    ),
    "actors": (
        "actors AS r",
        "r.name",
        _words("r.actor_type"),
        "NULL",
        "r.description",
    ),
    "places": (
        "places AS r LEFT JOIN places AS parent ON parent.place_id = r.parent_place_id",
        "r.name",
        f"{_words('r.place_type')} || coalesce(' in ' || parent.name, '')",
        "NULL",
        "r.notes",
    ),
}


def summary_sql(descriptor: dict, table: str) -> str:
    """SELECT id, headline, byline, quote, detail, source_id, url of ``table``'s records.

    Append a WHERE (on ``r``) to choose which.
    """
    joins, headline, byline, quote, detail = RECORDS[table]
    pk = primary_key(descriptor, table)
    fields = {f["name"] for f in resource(descriptor, table)["schema"]["fields"]}
    source = "r.source_id" if "source_id" in fields else "NULL"
    url = "r.url" if "url" in fields else "NULL"
    return (
        f'SELECT r."{pk}" AS id, {headline} AS headline, {byline} AS byline, '
        f"{quote} AS quote, {detail} AS detail, {source} AS source_id, {url} AS url "
        f"FROM {joins}"
    )


def primary_key(descriptor: dict, table: str) -> str:
    key = resource(descriptor, table)["schema"]["primaryKey"]
    return key if isinstance(key, str) else key[0]


def record_columns(descriptor: dict) -> dict[str, str]:
    """Column name -> the table whose record it names, wherever the column appears.

    Primary keys and foreign keys of the descriptor, plus the history views' derived
    columns: what makes an id in any view or query result a link to its record.
    """
    out = dict(DERIVED_RECORD_COLUMNS)
    for res in descriptor["resources"]:
        for column, (table, _) in [
            (primary_key(descriptor, res["name"]), (res["name"], None)),
            *foreign_keys(res).items(),
        ]:
            if out.setdefault(column, table) != table:
                raise ValueError(f"column {column} names records of two tables: {out[column]} and {table}")
    return out


def related(descriptor: dict, table: str) -> list[dict]:
    """The records that point at a record of ``table`` (incoming foreign keys), titled.

    Lists come in the column index's order (the rows' order in the CSV) and counts stop
    at COUNT_CAP: a reporter of a million figures costs a page no more than one of ten.
    """
    out = []
    for res in descriptor["resources"]:
        for column, (target, _) in foreign_keys(res).items():
            if target == table:
                where = f'WHERE r."{column}" = :id'
                out.append(
                    {
                        "table": res["name"],
                        "column": column,
                        "title": RELATED_TITLES[(res["name"], column)],
                        "sql": f"{summary_sql(descriptor, res['name'])} {where} LIMIT {RELATED_LIMIT}",
                        "count_sql": f'SELECT count(*) FROM (SELECT 1 FROM "{res["name"]}" AS r '
                        f"{where} LIMIT {COUNT_CAP + 1})",
                    }
                )
    return out


def outgoing(descriptor: dict, table: str) -> list[dict]:
    """The records a record of ``table`` points at that its page shows with their headline."""
    out = []
    for column, (target, _) in foreign_keys(resource(descriptor, table)).items():
        if (table, column) in OUTGOING_TITLES:
            out.append(
                {
                    "column": column,
                    "table": target,
                    "title": OUTGOING_TITLES[(table, column)],
                    "sql": summary_sql(descriptor, target)
                    + f' WHERE r."{primary_key(descriptor, target)}" = :id',
                }
            )
    return out


def markdown_to_html(text: str) -> str:
    """The descriptor's descriptions use Markdown code spans only: make them HTML."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text, quote=False))


def plain_text(text: str) -> str:
    """A description without Markdown, for tooltips (``title`` attributes)."""
    return text.replace("`", "")


def column_notes(field: dict) -> str:
    """HTML for one column: its description, then its vocabulary as a definition list."""
    vocabulary = field.get("x-vocabulary")
    description = field["description"]
    if vocabulary:
        # The description repeats the vocabulary inline ("One of: `a` — …"); show it once.
        description = description.split(" One of:")[0]
    out = f"<p>{markdown_to_html(description)}</p>"
    if vocabulary:
        items = "".join(
            f"<dt><code>{html.escape(value)}</code></dt><dd>{html.escape(meaning)}</dd>"
            for value, meaning in vocabulary.items()
        )
        out += f'<dl class="vocabulary">{items}</dl>'
    return out


def tables(descriptor: dict) -> list[dict]:
    """The six tables in reading order, each with a one-line description and its pages."""
    out = []
    for name in TABLE_ORDER:
        res = resource(descriptor, name)
        fields = res["schema"]["fields"]
        out.append(
            {
                "name": name,
                "title": res.get("title", name),
                "line": res["description"].split(". ")[0].rstrip(".") + ".",
                "pk": primary_key(descriptor, name),
                "label_column": LABEL_COLUMNS[name],
                "summary_sql": summary_sql(descriptor, name),
                "related": related(descriptor, name),
                "outgoing": outgoing(descriptor, name),
                "column_titles": {f["name"]: f.get("title", f["name"]) for f in fields},
                "column_notes": {f["name"]: column_notes(f) for f in fields},
            }
        )
    return out


# The incident the home page, the dashboard and the claims query open on: the top-level
# incident with the most casualty figures (the March 2025 coastal violence today),
# chosen at build time (examples.py).
MAIN_INCIDENT = Example(
    "main_incident",
    "SELECT i.incident_id, i.title FROM incidents AS i JOIN casualties AS f "
    "ON f.incident_id = i.incident_id WHERE i.parent_incident_id IS NULL "
    "GROUP BY i.incident_id ORDER BY count(*) DESC, i.incident_id LIMIT 1",
)
MAIN_INCIDENT_SQL = value_sql(MAIN_INCIDENT.key)
# A figure no later figure revises: its reporter's latest word.
LATEST = "NOT EXISTS (SELECT 1 FROM casualties AS later WHERE later.supersedes_figure_id = r.figure_id)"
# How many claims the home page shows.
STORY_CLAIMS = 8


def story_sql(descriptor: dict) -> dict[str, str]:
    """The home page's opening: the main incident, and the largest latest claims about it.

    Each claim is a reporter's latest figure for a total (not a part of another figure),
    so two claims side by side are different reporters' or different groups' counts,
    never meant to be added up.
    """
    return {
        "incident": summary_sql(descriptor, "incidents") + f" WHERE r.incident_id = ({MAIN_INCIDENT_SQL})",
        "claims": summary_sql(descriptor, "casualties")
        # The unary + keeps SQLite on the incident's index: the outcome's index would have it
        # read every killed figure (a third of a second at a million incidents).
        + f" WHERE r.incident_id = ({MAIN_INCIDENT_SQL}) AND +r.parent_figure_id IS NULL "
        f"AND +r.outcome = 'killed' AND {LATEST} ORDER BY r.count_best DESC, r.figure_id "
        f"LIMIT {STORY_CLAIMS}",
    }


def plugin_config(descriptor: dict, links: list[dict]) -> dict:
    """The ``syria-incidents-pages`` plugin configuration written into the metadata."""
    return {
        "tables": tables(descriptor),
        "record_columns": record_columns(descriptor),
        "story": story_sql(descriptor),
        "count_cap": COUNT_CAP,
        "links": links,
    }
