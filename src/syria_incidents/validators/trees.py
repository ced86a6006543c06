"""Parent pointers: the cycles among them, found in time linear in the rows.

Used by every hierarchy: incidents, figures (subtotals), revisions, places.
"""

from __future__ import annotations

import polars as pl

_PEEL_ROUNDS = 32


def find_cycles(ids: pl.Series, parents: pl.Series) -> list[list]:
    """Every cycle of the parent pointers, once each, as its members in parent order.

    Nodes are whatever the series hold (id strings or their integer codes); a repeated
    id counts with its first parent (the later rows are primary-key errors), and an
    unknown parent counts as a root.

    A few vectorised rounds first peel off every node whose parent is a root or has been
    peeled: real hierarchies are shallow, so that leaves nothing or a few nodes. Whatever
    is left (cycles, the chains leading into them, or a very deep chain) is walked in
    Python, each node once: linear in the rows, with no recursion.
    """
    # Rows without a parent are roots: drop them first (most rows), so the rest is small.
    edges = (
        pl.DataFrame({"id": ids, "parent": parents})
        .filter(pl.col("id").is_not_null() & pl.col("id").is_first_distinct())
        .drop_nulls()
    )
    # A row that is its own parent is a cycle by itself: no walk needed.
    loops = pl.col("id") == pl.col("parent")
    found: list[list] = [[node] for node in edges.filter(loops)["id"].to_list()]
    edges = edges.filter(~loops)
    for _ in range(_PEEL_ROUNDS):
        kept = edges.filter(pl.col("parent").is_in(edges["id"].implode()))
        if kept.height == edges.height:
            break
        edges = kept
    parent = dict(zip(edges["id"].to_list(), edges["parent"].to_list()))
    done: set = set()
    for start in parent:
        if start in done:
            continue
        path: list = []
        seen: dict = {}
        node = start
        while node in parent and node not in done and node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = parent[node]
        if node in seen:  # the walk came back to a node of its own path: a new cycle
            found.append(path[seen[node] :])
        done.update(path)
    return found
