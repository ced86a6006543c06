"""GeoJSON (RFC 7946) of the incidents at places with coordinates.

One Point feature per incident whose place has a latitude and a longitude, with
coordinates in RFC 7946's order (longitude, latitude; WGS84, no ``crs`` member). The
properties are the incident's fields as in the CSV (empty cells as null), with the
place's name and how precise its coordinates are (``coordinate_precision``) beside
how precisely the incident is placed there (``place_precision``).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from ..package import resource, resource_file

FILE_NAME = "incidents.geojson"
# The place columns each feature carries, under these property names.
PLACE_PROPERTIES = {"name": "place_name", "coordinate_precision": "coordinate_precision"}


def _rows(root: Path, descriptor: dict, table: str) -> list[dict]:
    with open(resource_file(root, resource(descriptor, table)), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def features(root: Path, descriptor: dict) -> list[dict]:
    """The features, in the incidents table's order."""
    places = {p["place_id"]: p for p in _rows(root, descriptor, "places")}
    found = []
    for incident in _rows(root, descriptor, "incidents"):
        place = places.get(incident["place_id"])
        if place is None or not place["latitude"] or not place["longitude"]:
            continue
        properties = {name: value or None for name, value in incident.items()}
        properties.update({prop: place[column] or None for column, prop in PLACE_PROPERTIES.items()})
        found.append(
            {
                "type": "Feature",
                "id": incident["incident_id"],
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(place["longitude"]), float(place["latitude"])],
                },
                "properties": properties,
            }
        )
    return found


def write(root: Path, descriptor: dict, target: Path) -> list[Path]:
    collection = {"type": "FeatureCollection", "features": features(root, descriptor)}
    path = target / FILE_NAME
    path.write_text(json.dumps(collection, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [path]
