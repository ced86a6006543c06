"""Datasette plugin: memory-map the database, so large scans skip a copy per page.

Facet counts on a table of millions of rows scan a whole index; with ``mmap_size``
SQLite reads those pages straight from the operating system's cache instead of
copying each one in with a ``read()`` call. Safe here: the database is immutable.
"""

from __future__ import annotations

from datasette import hookimpl

MMAP_BYTES = 4 * 1024**3  # address space, not memory: pages load on demand


@hookimpl
def prepare_connection(conn):
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
