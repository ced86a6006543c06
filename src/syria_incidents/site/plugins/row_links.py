"""Datasette plugin: on a row page, link each foreign key to its row and show its label.

Datasette 0.65 links foreign keys with labels on table pages but shows bare ids on a
row page (``/syria_incidents/casualties/F-0002``). This plugin renders those cells as
the table page does: the label, linked, then the id. ``syria-incidents serve`` loads
it with ``--plugins-dir``. Every value is escaped.
"""

from __future__ import annotations

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup, escape

# (database, table) -> {column: foreign key}; the database is immutable, so never stale.
_FOREIGN_KEYS: dict[tuple[str, str], dict[str, dict]] = {}


@hookimpl
def render_cell(value, column, table, database, datasette):
    if table is None or not isinstance(value, str) or not value:
        return None  # query results, labels Datasette already expanded, empty cells
    known = _FOREIGN_KEYS.get((database, table))
    if known is not None and column not in known:
        return None  # the common case stays synchronous: no query per cell

    async def link():
        db = datasette.get_database(database)
        if (database, table) not in _FOREIGN_KEYS:
            fks = await db.foreign_keys_for_table(table)
            _FOREIGN_KEYS[(database, table)] = {fk["column"]: fk for fk in fks}
        fk = _FOREIGN_KEYS[(database, table)].get(column)
        if fk is None:
            return None
        other = fk["other_table"]
        label = None
        label_column = await db.label_column_for_table(other)
        if label_column:
            found = (await db.execute(
                f'SELECT "{label_column}" FROM "{other}" WHERE "{fk["other_column"]}" = ?',
                [value])).first()
            label = found[0] if found else None
        href = escape(datasette.urls.row(database, other, tilde_encode(value)))
        if label is None or label == value:
            return Markup(f'<a href="{href}">{escape(value)}</a>')
        return Markup(f'<a href="{href}">{escape(label)}</a>&nbsp;<em>{escape(value)}</em>')

    return link
