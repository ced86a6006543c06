"""Find the data package and read its descriptor.

The descriptor (``datapackage.json``) is the one source of truth for tables,
fields, types, vocabularies and the version. Everything else reads it from here.
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path, PurePosixPath

DESCRIPTOR_NAME = "datapackage.json"


class PackageNotFound(FileNotFoundError):
    """No ``datapackage.json`` where one was expected."""


class UnsafePath(ValueError):
    """A resource path that leads outside the package directory."""


def resource_file(root: Path, res: dict) -> Path:
    """The file a resource's ``path`` names, which must lie inside the package directory.

    A descriptor comes with every pull request: a path such as ``../../etc/passwd``, an
    absolute path, or a data file that is a symlink to one would otherwise have the
    tools read (and print) any file of the machine they run on. Frictionless refuses
    the same paths ("not safe")."""
    path = res.get("path")
    if not isinstance(path, str) or not is_safe_path(path):
        raise UnsafePath(f"resource {res.get('name')!r}: path {path!r} is not safe; give a relative path "
                         "inside the package directory, such as data/incidents.csv")
    target = root / path
    if os.path.lexists(target) and not target.resolve().is_relative_to(root.resolve()):
        raise UnsafePath(f"resource {res.get('name')!r}: {path} is a link to a file outside the package directory; "
                         "commit the file itself")
    return target


def is_safe_path(path: str) -> bool:
    """Relative, forward slashes, no ``..``, no home or environment variables (frictionless' rule, stricter)."""
    return bool(path) and not (
        PurePosixPath(path).is_absolute() or re.match(r"^[A-Za-z]:", path) or "\\" in path
        or ".." in PurePosixPath(path).parts or path.startswith("~") or "$" in path
        or re.search(r"%.+%", path) or "://" in path or "\x00" in path)


def bundled_root() -> Path:
    """The package directory: the copy inside an installed wheel, else the checkout.

    A wheel carries ``datapackage.json`` and ``data/`` under ``syria_incidents/_package``;
    an editable install has no such copy and reads the repository it was installed from.
    """
    here = Path(str(files("syria_incidents")))
    for candidate in (here / "_package", here.parents[1]):
        if (candidate / DESCRIPTOR_NAME).is_file():
            return candidate
    raise PackageNotFound(f"no {DESCRIPTOR_NAME} in the installed package or its checkout ({here})")


def resolve_root(path: str | Path | None = None) -> Path:
    """A package directory from a directory, a descriptor path, or None (the bundled one)."""
    if path is None:
        return bundled_root()
    path = Path(path)
    if path.name == DESCRIPTOR_NAME:
        path = path.parent
    if not (path / DESCRIPTOR_NAME).is_file():
        raise PackageNotFound(f"{path}: no {DESCRIPTOR_NAME} here")
    return path


def read_descriptor(path: str | Path | None = None) -> dict:
    """The parsed descriptor of the package at ``path`` (default: the bundled one)."""
    root = resolve_root(path)
    return _read_cached(str(root / DESCRIPTOR_NAME), (root / DESCRIPTOR_NAME).stat().st_mtime_ns)


@lru_cache(maxsize=16)
def _read_cached(descriptor_path: str, _mtime_ns: int) -> dict:
    # Keyed on mtime so that `stamp` and edits are seen within one process.
    with open(descriptor_path, encoding="utf-8") as fh:
        return json.load(fh)


def resource(descriptor: dict, table: str) -> dict:
    """The resource named ``table``, or a KeyError listing the tables there are."""
    for res in descriptor["resources"]:
        if res["name"] == table:
            return res
    names = ", ".join(r["name"] for r in descriptor["resources"])
    raise KeyError(f"no table {table!r}; the tables are: {names}")
