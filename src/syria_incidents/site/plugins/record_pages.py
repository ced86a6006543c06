"""Datasette plugin: pages that read as records, and ids that are links with their labels.

- ``render_cell``: any cell that names a record (a primary or foreign key column, in a
  table, a view or a query result) becomes a link to that record's page, showing the
  record's label and its id.
- ``extra_template_vars``: a row page gets the record's headline, its quote and source,
  and the records related to it; the home page the tables with their row counts and the
  story; a table page its column notes as HTML; a canned query its example values.

Everything it knows about tables, columns and SQL comes from the metadata
(``plugins: syria-incidents-pages``, written by ``syria_incidents.site.pages``), so it
imports only Datasette: ``datasette publish`` installs plugins, not the package.
Every value from the data is escaped.
"""

from __future__ import annotations

import sqlite3
import weakref
from pathlib import Path
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_encode, urlsafe_components
from markupsafe import Markup, escape

PLUGIN = "syria-incidents-pages"
# Labels looked up per instance: (database, table, id) -> label. The database is
# immutable, so a label never goes stale; the bound keeps memory flat on huge tables.
_LABELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_LABEL_CACHE_SIZE = 50_000
_CONFIG: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
# A read-only connection per instance and database, for the labels.
_CONNECTIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _config(datasette) -> dict | None:
    # plugin_config copies the whole configuration on every call: read it once.
    if datasette not in _CONFIG:
        config = datasette.plugin_config(PLUGIN)
        if config:
            config = {**config, "by_name": {t["name"]: t for t in config["tables"]}}
        _CONFIG[datasette] = config
    return _CONFIG[datasette]


def record_link(datasette, database: str, table: str, record_id: str, label: str | None) -> Markup:
    """A link to a record: its label (when it has one), then its id."""
    href = escape(datasette.urls.row(database, table, tilde_encode(record_id)))
    shown = "" if label in (None, "", record_id) else (f'<span class="record-label">{escape(label)}</span> ')
    return Markup(
        f'<a class="record-link" href="{href}" title="{escape(label or record_id)}">'
        f'{shown}<em class="record-id">{escape(record_id)}</em></a>'
    )


def _label(datasette, database: str, table: dict, record_id: str) -> str | None:
    """The record's label, looked up synchronously on a read-only connection of our own.

    A result page may name thousands of records; Datasette's async ``execute`` costs a
    thread hop per cell, while a primary-key lookup on an immutable file costs
    microseconds, so the lookup runs in line (and is remembered).
    """
    labels = _LABELS.setdefault(datasette, {})
    key = (database, table["name"], record_id)
    if key not in labels:
        if len(labels) >= _LABEL_CACHE_SIZE:
            labels.clear()
        found = (
            _connection(datasette, database)
            .execute(
                f'SELECT "{table["label_column"]}" FROM "{table["name"]}" WHERE "{table["pk"]}" = ?',
                [record_id],
            )
            .fetchone()
        )
        labels[key] = found[0] if found else None
    return labels[key]


def _connection(datasette, database: str) -> sqlite3.Connection:
    connections = _CONNECTIONS.setdefault(datasette, {})
    if database not in connections:
        path = Path(datasette.get_database(database).path).resolve()
        # immutable=1: the file never changes under a Datasette started with -i.
        connections[database] = sqlite3.connect(
            f"{path.as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
    return connections[database]


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    config = _config(datasette)
    if not config:
        return None
    target = config["record_columns"].get(column)
    if target is None:
        return None
    if isinstance(value, dict) and "value" in value:  # a label Datasette already expanded
        if value["value"] in (None, ""):
            return None
        return record_link(datasette, database, target, str(value["value"]), value.get("label"))
    if not isinstance(value, str) or not value:
        return None
    target_table = config["by_name"][target]
    if table == target and column == target_table["pk"]:
        return None  # a record's own id on its own page or table: Datasette links it already

    return record_link(datasette, database, target, value, _label(datasette, database, target_table, value))


async def _rows(db, sql: str, params: dict) -> list[dict]:
    return [dict(r) for r in (await db.execute(sql, params)).rows]


async def _summaries(datasette, database: str, table: str, sql: str, params: dict) -> list[dict]:
    """Records as summaries (id, headline, byline, quote, …), each with its page's address."""
    rows = await _rows(datasette.get_database(database), sql, params)
    for row in rows:
        row["href"] = datasette.urls.row(database, table, tilde_encode(str(row["id"])))
    return rows


async def _record_page(datasette, database: str, table: str, request, config: dict) -> dict:
    spec = config["by_name"].get(table)
    if spec is None:
        return {}
    components = urlsafe_components(request.url_vars["pks"])
    if len(components) != 1:
        return {}
    record_id = components[0]
    db = datasette.get_database(database)
    found = await _summaries(
        datasette, database, table, spec["summary_sql"] + f' WHERE r."{spec["pk"]}" = :id', {"id": record_id}
    )
    if not found:
        return {}
    record = found[0]
    source = None
    if record.get("source_id"):
        sources = config["by_name"]["sources"]
        hits = await _summaries(
            datasette,
            database,
            "sources",
            sources["summary_sql"] + ' WHERE r."source_id" = :id',
            {"id": record["source_id"]},
        )
        source = hits[0] if hits else None
    outgoing = []
    for part in spec["outgoing"]:
        value = (
            await db.execute(
                f'SELECT "{part["column"]}" FROM "{table}" WHERE "{spec["pk"]}" = ?', [record_id]
            )
        ).first()[0]
        if value:
            records = await _summaries(datasette, database, part["table"], part["sql"], {"id": value})
            outgoing.append({**part, "records": records})
    related = []
    for part in spec["related"]:
        count = (await db.execute(part["count_sql"], {"id": record_id})).first()[0]
        if count:  # a heading with nothing under it says nothing: leave it out
            link = (
                datasette.urls.table(database, part["table"]) + "?" + urlencode({part["column"]: record_id})
            )
            records = await _summaries(datasette, database, part["table"], part["sql"], {"id": record_id})
            related.append(
                {**part, "count": count, "cap": config["count_cap"], "all": link, "records": records}
            )
    return {
        "record": record,
        "record_source": source,
        "record_outgoing": outgoing,
        "record_related": related,
        "record_spec": spec,
    }


async def _home(datasette, config: dict) -> dict:
    database = next(name for name in datasette.databases if name != "_internal")
    db = datasette.get_database(database)
    counts = await db.table_counts(limit=100)
    tables = [
        {**t, "count": counts.get(t["name"]), "href": datasette.urls.table(database, t["name"])}
        for t in config["tables"]
    ]
    incident = await _summaries(datasette, database, "incidents", config["story"]["incident"], {})
    claims = await _summaries(datasette, database, "casualties", config["story"]["claims"], {})
    links = [{**link, "href": datasette.urls.path(link["path"])} for link in config["links"]]
    return {
        "home_database": database,
        "home_tables": tables,
        "home_links": links,
        "story_incident": incident[0] if incident else None,
        "story_claims": claims,
    }


async def _examples(datasette, database: str, query: str, config: dict) -> dict:
    spec = config.get("queries", {}).get(query)
    if not spec:
        return {}
    db = datasette.get_database(database)
    out = {}
    for name, parameter in spec.items():
        default = None
        if parameter.get("default_sql"):
            hit = (await db.execute(parameter["default_sql"])).first()
            default = hit[0] if hit else None
        choices = [tuple(r) for r in (await db.execute(parameter["choices_sql"])).rows]
        out[name] = {"default": default, "choices": choices, "hint": parameter.get("hint", "")}
    return {"query_examples": out}


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    config = _config(datasette)
    if not config or request is None:
        return {}

    async def variables():
        if view_name == "row" and table:
            return await _record_page(datasette, database, table, request, config)
        if view_name == "index":
            return await _home(datasette, config)
        if view_name == "table" and table:
            spec = config["by_name"].get(table)
            return {
                "column_notes": spec["column_notes"] if spec else {},
                "column_titles": spec["column_titles"] if spec else {},
            }
        if template == "query.html" and database and request.url_vars.get("table"):
            return await _examples(datasette, database, request.url_vars["table"], config)
        return {}

    return variables
