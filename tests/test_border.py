"""Syria's border for coordinates-inside-syria: the Golan Heights are Syria; the towns across each land
border are not.
"""

from __future__ import annotations

import json

import pytest
from validate_helpers import copy_package, edit

from syria_incidents.validators import validate
from syria_incidents.validators.geo import BORDER_FILE, in_syria

# Well-known towns (latitude, longitude), at the 0.01° precision of the gazetteers.
INSIDE = {
    "Mas'ade (Golan Heights)": (33.23, 35.75),
    "Majdal Shams (Golan Heights)": (33.27, 35.77),
    "Quneitra": (33.13, 35.82),
    "Damascus": (33.51, 36.29),
    "Latakia": (35.52, 35.79),
    "Aleppo": (36.20, 37.16),
    "Qamishli": (37.05, 41.22),
    "Deir ez-Zor": (35.34, 40.14),
}
OUTSIDE = {
    "Kilis, Turkey": (36.72, 37.12),
    "Mardin, Turkey": (37.31, 40.74),
    "Al-Qa'im, Iraq": (34.37, 41.09),
    "Ramtha, Jordan": (32.56, 36.00),
    "Irbid, Jordan": (32.55, 35.85),
    "Kiryat Shmona, Israel (west of the Golan)": (33.21, 35.57),
    "Tiberias, Israel (west of the Golan)": (32.79, 35.53),
    "Tripoli, Lebanon": (34.44, 35.85),
    "Baalbek, Lebanon": (34.01, 36.21),
}


@pytest.mark.parametrize("town", sorted(INSIDE))
def test_inside_syria(town):
    lat, lon = INSIDE[town]
    assert in_syria([lat], [lon]).tolist() == [True]


@pytest.mark.parametrize("town", sorted(OUTSIDE))
def test_across_a_land_border(town):
    lat, lon = OUTSIDE[town]
    assert in_syria([lat], [lon]).tolist() == [False]


def test_the_border_file_is_small_and_names_its_source():
    assert BORDER_FILE.stat().st_size < 64_000
    names = [
        f["properties"]["name"] for f in json.loads(BORDER_FILE.read_text(encoding="utf-8"))["features"]
    ]
    assert names == ["Syria", "neighbours"]


def test_a_place_in_the_golan_heights_passes_validation(tmp_path):
    root = copy_package(tmp_path)
    line = edit(root, "places", "P-0007", latitude=33.23, longitude=35.75)
    assert not [f for f in validate(root).errors if f.row == line and f.path == "data/places.csv"]


@pytest.mark.parametrize(
    "lat, lon, rule",
    [
        (32.55, 35.85, "coordinates-inside-syria"),  # Irbid, Jordan: inside Syria's bounding box
        (33.21, 35.57, "range"),  # Kiryat Shmona, Israel: west of the box (longitude 35.7 at least)
    ],
)
def test_a_place_across_the_border_is_reported(tmp_path, lat, lon, rule):
    root = copy_package(tmp_path)
    line = edit(root, "places", "P-0007", latitude=lat, longitude=lon)
    found = [(f.row, f.rule) for f in validate(root).errors if f.path == "data/places.csv"]
    assert found == [(line, rule)]
