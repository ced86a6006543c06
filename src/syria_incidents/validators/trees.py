"""Parent pointers as vectorised polars joins: cycles and ancestor pairs.

Used by every hierarchy: incidents, figures (subtotals), revisions, places.
"""

from __future__ import annotations

import polars as pl

_PEEL_ROUNDS = 32


def nodes_on_cycles(ids: pl.Series, parents: pl.Series) -> dict[str, list[str]]:
    """{node: the cycle through it, starting at it} for every node that is its own ancestor.

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
    on_cycle: dict[str, list[str]] = {}
    done: set[str] = set()
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


def ancestor_pairs(ids: pl.Series, parents: pl.Series, exclude: set[str] = frozenset()) -> pl.DataFrame:
    """All (id, ancestor) pairs, each node its own ancestor too; nodes in ``exclude`` (cycles) are left out."""
    edges = pl.DataFrame({"id": ids, "parent": parents}).filter(pl.col("id").is_not_null()) \
        .unique(subset="id", keep="first")
    pairs = edges.select("id", pl.col("id").alias("ancestor"))
    if exclude:
        edges = edges.filter(~pl.col("id").is_in(list(exclude)) & ~pl.col("parent").is_in(list(exclude)))
    frontier = edges.drop_nulls().select("id", pl.col("parent").alias("ancestor"))
    lookup = edges.drop_nulls()
    while frontier.height:
        pairs = pl.concat([pairs, frontier])
        frontier = frontier.join(lookup, left_on="ancestor", right_on="id", how="inner") \
            .select("id", pl.col("parent").alias("ancestor"))
    return pairs
