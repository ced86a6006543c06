"""A fast, seeded generator of synthetic *valid* syria-incidents packages.

Writes every table of the real descriptor at any scale, vectorised with numpy and
polars (no per-row Python), so that 1,000,000 incidents (about 3,000,000
figures) take well under a minute. The rows are invented and labelled
"Synthetic": they exist to time and stress the validator, never to be read as data.

What makes the package valid, by construction:

- ids follow the descriptor's patterns and foreign keys point at rows that exist;
- incident trees are at most three deep, parents come first, a child's dates lie
  within its parent's;
- figures come in subtotal trees: a total with 0-2 parts of the same outcome and
  incident, narrower victim groups, and parts whose counts sum to at most the total;
  some totals are revised by a later figure from the same reporter;
- every date that cites a source falls on or before the source's publication date,
  and every source is cited;
- places with coordinates lie well inside Syria.

    python benchmarks/generate.py --incidents 100000 --out /tmp/pkg100k --seed 0
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

# The first day the dataset covers: the fall of the Assad government.
EPOCH = dt.date(2024, 12, 8)
# A box well inside Syria's border (clear of Lebanon, Turkey, Iraq and Jordan), so
# that every synthetic coordinate passes the border test, not only the bounding box.
INTERIOR_LAT = (34.3, 35.9)
INTERIOR_LON = (37.0, 39.4)
GOVERNORATES = 14


def _descriptor() -> dict:
    """The real descriptor: from the checkout this script lives in, else the installed package."""
    checkout = Path(__file__).resolve().parents[1] / "datapackage.json"
    if checkout.is_file():
        return json.loads(checkout.read_text(encoding="utf-8"))
    import syria_incidents

    return syria_incidents.descriptor()


def _width(n: int) -> int:
    return max(4, len(str(n)))


def _id_of(prefix: str, index: np.ndarray, width: int, missing: np.ndarray | None = None) -> pl.Series:
    """Ids for 0-based row indexes; rows where ``missing`` is true are left empty."""
    ids = pl.select(
        pl.concat_str(pl.lit(prefix), pl.Series(index.astype(np.int64) + 1).cast(pl.String).str.zfill(width))
    ).to_series()
    if missing is not None:
        ids = pl.select(pl.when(pl.Series(missing)).then(None).otherwise(ids)).to_series()
    return ids


def _dates(days: np.ndarray) -> pl.Series:
    """Days after EPOCH as a polars Date column."""
    return pl.select(pl.lit(EPOCH) + pl.duration(days=pl.Series(days.astype(np.int64)))).to_series()


def _choice(rng: np.random.Generator, values: list[str], n: int, p=None) -> pl.Series:
    """n values drawn from a vocabulary."""
    return _pick(values, rng.choice(len(values), size=n, p=p))


def _pick(values: list[str], index: np.ndarray) -> pl.Series:
    """values[index] as a string column."""
    return pl.Series(values, dtype=pl.String).gather(pl.Series(index.astype(np.int64)))


def _masked(series: pl.Series, missing: np.ndarray) -> pl.Series:
    """The column with the rows where ``missing`` is true left empty."""
    return pl.select(pl.when(pl.Series(missing)).then(None).otherwise(series)).to_series()


def _constant(value: str, n: int, missing: np.ndarray | None = None) -> pl.Series:
    series = (
        pl.Series([value], dtype=pl.String).extend_constant(value, n - 1)
        if n
        else pl.Series([], dtype=pl.String)
    )
    return series if missing is None else _masked(series, missing)


def _text(prefix: str, index: np.ndarray, suffix: str = "") -> pl.Series:
    """Synthetic text such as ``Synthetic incident 12, a test row`` (commas force CSV quoting)."""
    return pl.select(
        pl.concat_str(pl.lit(prefix), pl.Series(index.astype(np.int64) + 1).cast(pl.String), pl.lit(suffix))
    ).to_series()


def _enum(descriptor: dict, table: str, field: str) -> list[str]:
    for res in descriptor["resources"]:
        if res["name"] == table:
            for f in res["schema"]["fields"]:
                if f["name"] == field:
                    return list(f["constraints"]["enum"])
    raise KeyError(f"{table}.{field} has no enum in the descriptor")


def _earlier_pick(
    rng: np.random.Generator, pool: np.ndarray, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each row, a random member of the sorted ``pool`` that comes before it.

    Returns (pick, ok): ok is false where no pool member precedes the row.
    """
    before = np.searchsorted(pool, rows)
    ok = before > 0
    pick = np.zeros(len(rows), dtype=np.int64)
    if len(pool):
        pick = pool[np.minimum((rng.random(len(rows)) * before).astype(np.int64), np.maximum(before - 1, 0))]
    return pick, ok


# --- tables -----------------------------------------------------------------------


def _actors(rng, descriptor, n):
    idx = np.arange(n)
    w = _width(n)
    types = _enum(descriptor, "actors", "actor_type")
    kind = rng.integers(0, len(types), n)
    # The first five actors are monitors, used as reporters of figures.
    kind[: min(5, n)] = types.index("monitor")
    has_parent = (rng.random(n) < 0.3) & (idx > 0)
    parent = (rng.random(n) * np.maximum(idx, 1)).astype(np.int64)
    return pl.DataFrame(
        {
            "actor_id": _id_of("A-", idx, w),
            "name": _text("Synthetic actor ", idx),
            "actor_type": _pick(types, kind),
            "parent_actor_id": _id_of("A-", parent, w, ~has_parent),
            "description": _text("Synthetic actor ", idx, ", invented for a benchmark"),
        }
    )


def _places(rng, descriptor, n):
    """Syria, its governorates, then settlements (with coordinates) under them."""
    idx = np.arange(n)
    w = _width(n)
    governorate = (idx >= 1) & (idx <= GOVERNORATES)
    settlement = idx > GOVERNORATES
    kinds = ["country", "governorate", "city", "town", "village", "site"]
    kind = np.where(idx == 0, 0, np.where(governorate, 1, rng.integers(2, 6, n)))
    parent = np.where(governorate, 0, 1 + rng.integers(0, GOVERNORATES, n))
    lat = np.round(rng.uniform(*INTERIOR_LAT, n), 4)
    lon = np.round(rng.uniform(*INTERIOR_LON, n), 4)
    located = settlement & (rng.random(n) < 0.9)
    return pl.DataFrame(
        {
            "place_id": _id_of("P-", idx, w),
            "name": _text("Synthetic place ", idx),
            "name_ar": _constant("مكان", n, ~settlement),
            "place_type": _pick(kinds, kind),
            "parent_place_id": _id_of("P-", parent, w, idx == 0),
            "latitude": pl.Series(np.where(located, lat, np.nan)).fill_nan(None),
            "longitude": pl.Series(np.where(located, lon, np.nan)).fill_nan(None),
            "coordinate_precision": _constant("approximate", n, ~located),
        }
    )


def _incident_tree(rng, n):
    """Parent index (-1 for roots) and level of each incident: roots, children, grandchildren."""
    idx = np.arange(n)
    level = rng.choice(3, size=n, p=[0.75, 0.2, 0.05])
    level[0] = 0
    parent = np.full(n, -1, dtype=np.int64)
    roots = idx[level == 0]
    rows = idx[level == 1]
    pick, ok = _earlier_pick(rng, roots, rows)
    parent[rows[ok]] = pick[ok]
    level[rows[~ok]] = 0
    mids = idx[level == 1]
    rows = idx[level == 2]
    pick, ok = _earlier_pick(rng, mids, rows)
    parent[rows[ok]] = pick[ok]
    # A grandchild with no earlier child to hang from becomes a child of a root.
    rows = rows[~ok]
    pick, _ = _earlier_pick(rng, idx[(level == 0)], rows)
    parent[rows] = pick
    level[rows] = 1
    return parent, level


def _incident_dates(rng, parent, level):
    """Start and end (days after EPOCH); each child's range lies within its parent's."""
    n = len(parent)
    start = rng.integers(0, 365, n)
    end = start + rng.choice([0, 0, 1, 2, 6, 30], size=n)
    for depth in (1, 2):
        rows = np.nonzero(level == depth)[0]
        p = parent[rows]
        span = end[p] - start[p]
        start[rows] = start[p] + (rng.random(len(rows)) * (span + 1)).astype(np.int64)
        end[rows] = start[rows] + (rng.random(len(rows)) * (end[p] - start[rows] + 1)).astype(np.int64)
    return start, end


def _incidents(rng, descriptor, n, n_places, n_actors, n_sources):
    idx = np.arange(n)
    w = _width(n)
    parent, level = _incident_tree(rng, n)
    start, end = _incident_dates(rng, parent, level)
    span = end - start
    precision = np.where(span == 0, 0, np.where(span <= 6, 1, 2))
    place = rng.integers(0, n_places, n)
    place_precision = np.where(
        place == 0, 0, np.where(place <= GOVERNORATES, 1, np.where(rng.random(n) < 0.7, 2, 3))
    )
    # Every source is cited: the first incidents cite each source once, the rest at random.
    source = rng.integers(0, n_sources, n)
    source[: min(n, n_sources)] = np.arange(min(n, n_sources))
    initiator = rng.integers(0, n_actors, n)
    target = rng.integers(0, n_actors, n)
    frame = pl.DataFrame(
        {
            "incident_id": _id_of("I-", idx, w),
            "parent_incident_id": _id_of("I-", np.maximum(parent, 0), w, parent < 0),
            "title": _text("Synthetic incident ", idx),
            "event_type": _choice(rng, _enum(descriptor, "incidents", "event_type"), n),
            "sub_event_type": _choice(rng, _enum(descriptor, "incidents", "sub_event_type"), n),
            "start_date": _dates(start),
            "end_date": _dates(end),
            "date_precision": _pick(["day", "days", "month"], precision),
            "place_id": _id_of("P-", place, _width(n_places)),
            "place_precision": _pick(["country", "governorate", "exact", "near"], place_precision),
            "initiator_actor_id": _id_of("A-", initiator, _width(n_actors), rng.random(n) < 0.2),
            "target_actor_id": _id_of("A-", target, _width(n_actors), rng.random(n) < 0.4),
            "reported_by_actor_id": _id_of(
                "A-", rng.integers(0, min(5, n_actors), n), _width(n_actors), rng.random(n) < 0.5
            ),
            "description": _text("Synthetic incident ", idx, ", invented for a benchmark; not a real event"),
            "verification": _choice(rng, _enum(descriptor, "incidents", "verification"), n),
            "source_id": _id_of("S-", source, _width(n_sources)),
        }
    )
    return frame, start, source


# Groups a part may have under a total whose groups are all "any" (index 0).
PART_GROUPS = ["any", "civilians", "security_forces", "armed_group_fighters"]
PART_SEX = ["any", "male", "female"]
PART_AGE = ["any", "adult", "child"]
# Qualifiers as the real data uses them: exact (low = best = high), at_least (low = best), about (best only).
QUALIFIERS = ["exact", "at_least", "about"]


def _casualties(rng, descriptor, n_incidents, incident_start, incident_source, n_actors):
    """About three figures per incident: a total, 0-2 parts, sometimes a revision or an injured count.

    Rows are laid out incident by incident: total, parts, revision, extra.
    """
    n = n_incidents
    children = rng.choice(3, size=n, p=[0.2, 0.3, 0.5])
    revised = rng.random(n) < 0.3
    extra = rng.random(n) < 0.4
    per_incident = 1 + children + revised + extra
    total_rows = int(per_incident.sum())
    first = np.concatenate([[0], np.cumsum(per_incident)[:-1]])  # row of each incident's total
    incident = np.repeat(np.arange(n), per_incident)
    slot = np.arange(total_rows) - first[incident]  # 0 total, 1..c parts, then revision, then extra
    c = children[incident]
    is_total = slot == 0
    is_part = (slot >= 1) & (slot <= c)
    is_revision = revised[incident] & (slot == c + 1)
    is_extra = ~is_total & ~is_part & ~is_revision

    # Counts: the total's best B; the parts share at most B between them (each ≤ B/2).
    total_best = rng.integers(1, 500, n)
    best = np.where(
        is_part,
        (rng.random(total_rows) * (total_best[incident] // 2 + 1)).astype(np.int64),
        total_best[incident],
    )
    best = np.where(is_revision, best + rng.integers(0, 50, total_rows), best)
    best = np.where(is_extra, rng.integers(0, 300, total_rows), best)
    qualifier = rng.integers(0, 3, total_rows)  # QUALIFIERS
    low = np.where(qualifier == 2, -1, best)
    high = np.where(qualifier == 0, best, -1)

    # Reporter, dates and source are shared within an incident; a revision comes later.
    reporter = rng.integers(0, min(5, n_actors), n)[incident]
    start = incident_start[incident]
    reported = start + rng.integers(0, 10, n)[incident]
    reported = np.where(is_revision, reported + 1 + rng.integers(0, 20, total_rows), reported)
    source = incident_source[incident]

    rows = np.arange(total_rows)
    w = _width(total_rows)
    part = rng.integers(1, 4, total_rows) * is_part  # 0 = "any" for totals, revisions and extras
    frame = pl.DataFrame(
        {
            "figure_id": _id_of("F-", rows, w),
            "incident_id": _id_of("I-", incident, _width(n)),
            "parent_figure_id": _id_of("F-", first[incident], w, ~is_part),
            "outcome": _pick(["killed", "injured"], is_extra.astype(np.int64)),
            "victim_group": _pick(PART_GROUPS, part),
            "sex": _pick(PART_SEX, rng.integers(0, 3, total_rows) * is_part),
            "age_group": _pick(PART_AGE, rng.integers(0, 3, total_rows) * is_part),
            "manner": _choice(rng, _enum(descriptor, "casualties", "manner"), total_rows),
            "perpetrator_actor_id": _id_of(
                "A-", rng.integers(0, n_actors, total_rows), _width(n_actors), rng.random(total_rows) < 0.5
            ),
            "count_low": pl.Series(low).replace(-1, None),
            "count_best": pl.Series(best),
            "count_high": pl.Series(high).replace(-1, None),
            "qualifier": _pick(QUALIFIERS, qualifier),
            "reported_by_actor_id": _id_of("A-", reporter, _width(n_actors)),
            "reported_on": _dates(reported),
            "period_start": _dates(start),
            "period_end": _dates(reported),
            "source_id": _id_of("S-", source, _width(int(source.max()) + 1 if len(source) else 1)),
            "source_quote": _text("Synthetic quote for figure ", rows),
            "supersedes_figure_id": _id_of("F-", first[incident], w, ~is_revision),
        }
    )
    return frame, reported, source


def _statements(rng, descriptor, n_incidents, incident_start, incident_source, n_actors):
    """One statement per incident, made within ten days of its start, citing the incident's source."""
    n = n_incidents
    idx = np.arange(n)
    made = incident_start + rng.integers(0, 10, n)
    has_quote = rng.random(n) < 0.6
    has_summary = ~has_quote | (rng.random(n) < 0.5)
    frame = pl.DataFrame(
        {
            "statement_id": _id_of("ST-", idx, _width(n)),
            "speaker_actor_id": _id_of("A-", rng.integers(0, n_actors, n), _width(n_actors)),
            "speaker_role": _constant("spokesperson", n, rng.random(n) < 0.5),
            "made_on": _dates(made),
            "date_precision": _constant("day", n),
            "channel": _choice(rng, _enum(descriptor, "statements", "channel"), n),
            "statement_type": _choice(rng, _enum(descriptor, "statements", "statement_type"), n),
            "quote": _masked(_text("Synthetic quote ", idx, ', "in quotes"'), ~has_quote),
            "summary": _masked(_text("Synthetic summary ", idx), ~has_summary),
            "language": _choice(rng, ["en", "ar"], n),
            "incident_id": _id_of("I-", idx, _width(n), rng.random(n) < 0.1),
            "source_id": _id_of("S-", incident_source, _width(int(incident_source.max()) + 1 if n else 1)),
        }
    )
    return frame, made


def _sources(rng, descriptor, n, citing_source: np.ndarray, citing_day: np.ndarray):
    """Sources published on or after the last date that cites them."""
    idx = np.arange(n)
    last = np.full(n, 0, dtype=np.int64)
    np.maximum.at(last, citing_source, citing_day)
    published = last + rng.integers(0, 4, n)
    return pl.DataFrame(
        {
            "source_id": _id_of("S-", idx, _width(n)),
            "source_type": _choice(rng, _enum(descriptor, "sources", "source_type"), n),
            "publisher": _text("Synthetic publisher ", idx % 50),
            "title": _text("Synthetic report ", idx, ", for benchmarks"),
            "url": _text("https://example.org/synthetic/", idx),
            "published_on": _dates(published),
            "language": _choice(rng, ["en", "ar"], n),
            "accessed_on": _dates(published + 1),
        }
    )


def _conform(frame: pl.DataFrame, resource: dict) -> pl.DataFrame:
    """Columns in descriptor order; a field this generator does not know is left empty.

    A required field it does not know cannot be filled validly, so say so.
    """
    columns = []
    for field in resource["schema"]["fields"]:
        name = field["name"]
        if name in frame.columns:
            columns.append(frame[name])
        elif field.get("constraints", {}).get("required"):
            raise SystemExit(
                f"generate.py does not know how to fill the required field {resource['name']}.{name}"
            )
        else:
            columns.append(pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias(name))
    return pl.DataFrame(columns)


def generate_package(out_dir: Path, incidents: int, seed: int = 0) -> dict:
    """Write a synthetic valid package with ``incidents`` incidents to ``out_dir``; returns row counts."""
    if incidents < 1:
        raise ValueError("incidents must be at least 1")
    from syria_incidents.stamp import stamp

    out_dir = Path(out_dir)
    (out_dir / "data").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    descriptor = _descriptor()
    n_actors = max(10, incidents // 200)
    n_places = GOVERNORATES + 1 + max(20, incidents // 50)
    n_sources = max(1, min(incidents, max(5, incidents // 20)))

    actors = _actors(rng, descriptor, n_actors)
    places = _places(rng, descriptor, n_places)
    incidents_frame, start, inc_source = _incidents(
        rng, descriptor, incidents, n_places, n_actors, n_sources
    )
    casualties, reported, fig_source = _casualties(rng, descriptor, incidents, start, inc_source, n_actors)
    statements, made = _statements(rng, descriptor, incidents, start, inc_source, n_actors)
    sources = _sources(
        rng,
        descriptor,
        n_sources,
        np.concatenate([inc_source, fig_source, inc_source]),
        np.concatenate([start, reported, made]),
    )

    frames = {
        "sources": sources,
        "actors": actors,
        "places": places,
        "incidents": incidents_frame,
        "casualties": casualties,
        "statements": statements,
    }
    counts = {}
    for res in descriptor["resources"]:
        frame = _conform(frames[res["name"]], res)
        frame.write_csv(out_dir / res["path"], line_terminator="\n", date_format="%Y-%m-%d")
        counts[res["name"]] = frame.height
        res.pop("bytes", None)
        res.pop("hash", None)
    (out_dir / "datapackage.json").write_text(
        json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    stamp(out_dir)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Example: python benchmarks/generate.py --incidents 100000 --out /tmp/pkg",
    )
    parser.add_argument("--incidents", type=int, required=True, help="number of incidents (figures ≈ 3×)")
    parser.add_argument("--out", type=Path, required=True, help="directory to write the package to")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same bytes)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    counts = generate_package(args.out, args.incidents, args.seed)
    rows = ", ".join(f"{name} {count:,}" for name, count in counts.items())
    print(f"wrote {args.out} in {time.perf_counter() - began:.1f} s: {rows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
