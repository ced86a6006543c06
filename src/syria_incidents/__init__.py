"""syria-incidents: conflict incidents, casualty figures and statements about
violence in Syria since 8 December 2024, as a typed, validated data package.

>>> import syria_incidents as si
>>> figures = si.load("casualties")
"""

from __future__ import annotations

import copy

from .citation import citation
from .loader import load, load_all, package_root, tables
from .package import bundled_root, read_descriptor

__all__ = ["__version__", "citation", "descriptor", "load", "load_all", "tables"]


def descriptor(path=None) -> dict:
    """The package descriptor (``datapackage.json``) as a dict: fields, vocabularies, version."""
    return copy.deepcopy(read_descriptor(package_root(path)))


def __getattr__(name: str):
    # The version lives in datapackage.json; read it on first use, not at import.
    if name == "__version__":
        return read_descriptor(bundled_root())["version"]
    if name == "validate":
        # The toolkit needs polars and pandera: import them only when asked for.
        from .validators import validate

        return validate
    raise AttributeError(f"module 'syria_incidents' has no attribute {name!r}")
