"""A Datasette test client configured exactly as `syria-incidents serve` runs it."""

from __future__ import annotations

from pathlib import Path

from datasette.app import Datasette
from datasette.utils.testing import TestClient as DatasetteClient

from syria_incidents.site import build_metadata
from syria_incidents.site.serve import plugins_dir, templates_dir, typed_settings

DB = "syria_incidents"


def datasette_client(db: Path, descriptor: dict) -> DatasetteClient:
    ds = Datasette(
        [],
        immutables=[str(db)],
        metadata=build_metadata(descriptor, db.stem),
        settings=typed_settings(),
        plugins_dir=str(plugins_dir()),
        template_dir=str(templates_dir()),
    )
    return DatasetteClient(ds)
