"""How to cite the dataset, built from the descriptor."""

from __future__ import annotations

from pathlib import Path

from .loader import package_root
from .package import read_descriptor


def citation(path: str | Path | None = None) -> str:
    """A plain-text citation naming the version, so that a figure can be traced to a release."""
    d = read_descriptor(package_root(path))
    authors = "; ".join(c.get("title", "") for c in d.get("contributors", [])) or d["name"]
    year = d.get("created", "")[:4]
    licence = ", ".join(lic.get("name", "") for lic in d.get("licenses", []))
    return f"{authors} ({year}). {d['title']}. Data package {d['name']}, version {d['version']}. Licence: {licence}."
