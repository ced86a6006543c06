"""Typed Parquet, one file per table, with types and vocabularies from the descriptor.

Integers are Int64 with nulls for empty cells, dates are Date, vocabularies are Enum
columns with the descriptor's values in its order (stored as dictionary-encoded
strings, which every Parquet reader opens), text is String. The resource's
descriptor (titles and field descriptions) goes into the file's key-value metadata.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..package import resource_file
from ..polars_loader import load_polars

# Key-value metadata keys written into every file.
RESOURCE_KEY = "syria_incidents:resource"
VERSION_KEY = "syria_incidents:version"


def file_metadata(descriptor: dict, res: dict) -> dict[str, str]:
    """The table's descriptor (minus bytes and hash, which describe the CSV) and the version."""
    described = {k: v for k, v in res.items() if k not in ("bytes", "hash", "path", "dialect")}
    return {RESOURCE_KEY: json.dumps(described, ensure_ascii=False), VERSION_KEY: descriptor["version"]}


def write(root: Path, descriptor: dict, target: Path) -> list[Path]:
    """Write ``<table>.parquet`` for every table into ``target``; returns the files."""
    written = []
    for res in descriptor["resources"]:
        frame = load_polars(resource_file(root, res), res["schema"]["fields"])
        path = target / f"{res['name']}.parquet"
        frame.write_parquet(path, metadata=file_metadata(descriptor, res))
        written.append(path)
    return written
