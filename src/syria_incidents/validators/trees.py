"""Parent pointers: which nodes lie on cycles, peeled with vectorised polars filters.

Used by every hierarchy: incidents, figures (subtotals), revisions, places.
"""

from __future__ import annotations

import polars as pl

_PEEL_ROUNDS = 32


def nodes_on_cycles(ids: pl.Series, parents: pl.Series) -> dict:
    """{node: the cycle through it, starting at it} for every node that is its own ancestor.

    Nodes are whatever the series hold (id strings or their integer codes).

    Peels off, round by round, every node whose parent is a root or has been peeled,
    so only cycles and the chains leading into them remain; a Python walk then runs on
    that (normally empty) remainder. Unknown parents count as roots.
    """
    # Rows without a parent are roots: drop them first (most rows), so the rest is small.
    edges = pl.DataFrame({"id": ids, "parent": parents}).drop_nulls()
    edges = edges.filter(pl.col("parent").is_in(edges["id"].implode()))
    for _ in range(_PEEL_ROUNDS):
        kept = edges.filter(pl.col("parent").is_in(edges["id"].implode()))
        if kept.height == edges.height:
            break
        edges = kept
    else:
        # A very deep chain: keep peeling until nothing changes.
        while True:
            kept = edges.filter(pl.col("parent").is_in(edges["id"].implode()))
            if kept.height == edges.height:
                break
            edges = kept
    parent = dict(zip(edges["id"].to_list(), edges["parent"].to_list()))
    on_cycle: dict = {}
    done: set = set()
    for start in parent:
        path, seen = [], {}
        node = start
        while node in parent and node not in done and node not in seen:
            seen[node] = len(path)
            path.append(node)
            node = parent[node]
        if node in seen:
            cycle = path[seen[node]:]
            for i, member in enumerate(cycle):
                on_cycle[member] = cycle[i:] + cycle[:i]
        done.update(path)
    return on_cycle
