"""HXL-tagged CSVs: each table as it is, with a row of HXL hashtags under the header.

The rows below the tag row are the CSV's rows, cell for cell; the tags come from
``hxl_tags``. HDX and libhxl read the first row of hashtags as the tag row.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..package import resource_file
from .hxl_tags import table_tags


def write(root: Path, descriptor: dict, target: Path) -> list[Path]:
    """Write ``<table>.csv`` with its tag row for every table into ``target``."""
    written = []
    for res in descriptor["resources"]:
        tags = table_tags(res)
        path = target / f"{res['name']}.csv"
        with (
            open(resource_file(root, res), encoding="utf-8", newline="") as src,
            open(path, "w", encoding="utf-8", newline="") as dst,
        ):
            reader = csv.reader(src)
            writer = csv.writer(dst, lineterminator="\n")
            writer.writerow(next(reader))
            writer.writerow(tags)
            writer.writerows(reader)
        written.append(path)
    return written
