"""Datasette plugin: column facets that read build-time counts when the page is unfiltered.

An unfiltered column facet scans the column's whole index on every view (~300 ms at
3M figures). The build counts each configured facet column into ``facet_counts``
(``syria_incidents.site.facet_counts``), and metadata selects this facet type with
``facets: [{column_precounted: victim_group}]``. When the table page's query is the
whole table (no filter, search, ``_where`` or page cursor) the counts come from that
table; otherwise ``ColumnFacet`` counts the filtered rows as usual. Results have
ColumnFacet's shape and order, and report ``type: column`` so pages look the same.

Self-contained (imports only Datasette): ``datasette publish`` installs plugins, not
the ``syria_incidents`` package.
"""

from __future__ import annotations

import weakref

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import ColumnFacet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

# Must match syria_incidents.site.facet_counts.FACET_COUNTS_TABLE (a test checks it).
FACET_COUNTS_TABLE = "facet_counts"
TYPE = "column_precounted"

# Datasette instance -> {(database, table, column): counted at build time?}. The
# database is immutable, so an answer never goes stale; one process may run several
# instances (tests), whose databases of the same name differ.
_PRECOUNTED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@hookimpl
def register_facet_classes():
    return [PrecountedColumnFacet]


class PrecountedColumnFacet(ColumnFacet):
    """A ColumnFacet that reads ``facet_counts`` for the whole table."""

    type = TYPE

    async def suggest(self):
        return []  # ColumnFacet already suggests columns; twice would list each twice

    def whole_table(self) -> bool:
        """True when the page's query is every row of the table.

        Datasette builds it as ``select <columns> from [table] <where>``; any filter,
        search, ``_where`` or ``_next`` cursor adds a where clause and parameters.
        """
        if not self.table or self.params:
            return False
        return self.sql.rstrip().endswith(f" from {escape_sqlite(self.table)}")

    async def facet_results(self):
        if not self.whole_table():
            results, timed_out = await super().facet_results()
        else:
            results, timed_out = [], []
            for source_and_config in self.get_configs():
                config = source_and_config["config"]
                column = config.get("column") or config["simple"]
                try:
                    if await self._is_precounted(column):
                        results.append(await self._from_counts(column, source_and_config["source"]))
                    else:
                        more, late = await self._counted_now(source_and_config)
                        results.extend(more)
                        timed_out.extend(late)
                except QueryInterrupted:
                    timed_out.append(column)
        for result in results:
            result["type"] = ColumnFacet.type  # same heading and keys as a plain column facet
        return results, timed_out

    async def _counted_now(self, source_and_config: dict):
        # ColumnFacet for one config: it reads get_configs(), so narrow that for the call.
        self.get_configs = lambda: [source_and_config]
        try:
            return await super().facet_results()
        finally:
            del self.get_configs

    async def _is_precounted(self, column: str) -> bool:
        """Counted at build time: the table exists and holds this column, a TEXT one.

        ``facet_counts.value`` is TEXT, so only TEXT columns come back with the same
        values and order as counting them live.
        """
        known = _PRECOUNTED.setdefault(self.ds, {})
        key = (self.database, self.table, column)
        if key not in known:
            db = self.ds.get_database(self.database)
            found = False
            if await db.table_exists(FACET_COUNTS_TABLE):
                types = {
                    r["name"]: r["type"].upper()
                    for r in (
                        await db.execute("select name, type from pragma_table_info(?)", [self.table])
                    ).rows
                }
                listed = (
                    await db.execute(
                        f"select 1 from {FACET_COUNTS_TABLE} where table_name = ? and column_name = ? "
                        "limit 1",
                        [self.table, column],
                    )
                ).first()
                # A column with no value at all has no rows, yet is counted: zero values.
                found = types.get(column) == "TEXT" and (listed is not None or await self._empty(column))
            known[key] = found
        return known[key]

    async def _empty(self, column: str) -> bool:
        db = self.ds.get_database(self.database)
        row = (
            await db.execute(
                f"select 1 from {escape_sqlite(self.table)} where {escape_sqlite(column)} is not "
                "null limit 1"
            )
        ).first()
        return row is None

    async def _from_counts(self, column: str, source: str) -> dict:
        """One facet as ColumnFacet.facet_results builds it, from the stored counts."""
        facet_size = self.get_facet_size()
        rows = (
            await self.ds.execute(
                self.database,
                f"select value, count from {FACET_COUNTS_TABLE} where table_name = ? and "
                "column_name = ? order by count desc, value limit ?",
                [self.table, column, facet_size + 1],
            )
        ).rows
        expanded = await self.ds.expand_foreign_keys(
            self.database, self.table, column, [row["value"] for row in rows[:facet_size]]
        )
        qs_pairs = self.get_querystring_pairs()
        column_qs = f"{column}__exact" if column.startswith("_") else column
        values = []
        for row in rows[:facet_size]:
            selected = (column_qs, str(row["value"])) in qs_pairs
            if selected:
                toggle_path = path_with_removed_args(self.request, {column_qs: str(row["value"])})
            else:
                toggle_path = path_with_added_args(self.request, {column_qs: row["value"]})
            values.append(
                {
                    "value": row["value"],
                    "label": expanded.get((column, row["value"]), row["value"]),
                    "count": row["count"],
                    "toggle_url": self.ds.absolute_url(self.request, self.ds.urls.path(toggle_path)),
                    "selected": selected,
                }
            )
        return {
            "name": column,
            "type": self.type,
            "hideable": source != "metadata",
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet": column})),
            "results": values,
            "truncated": len(rows) > facet_size,
        }
