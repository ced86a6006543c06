"""Find the data package and read its descriptor.

The descriptor (``datapackage.json``) is the one source of truth for tables,
fields, types, vocabularies, keys and the version. Everything else reads it from here;
primary and foreign keys are parsed here only (``primary_key``, ``foreign_keys``).
"""

from __future__ import annotations

import json
import os
import re
import sysconfig
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path, PurePosixPath

DESCRIPTOR_NAME = "datapackage.json"


class InvalidPackage(Exception):
    """The package did not validate, so nothing was built or written; ``report`` says why."""

    def __init__(self, report):
        self.report = report
        super().__init__(f"the package is not valid: {report.stats.get('errors', '?')} errors")


class PackageNotFound(FileNotFoundError):
    """No ``datapackage.json`` where one was expected."""


class InstalledCopy(PermissionError):
    """A command that writes was pointed at the copy inside an installed package."""


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
        raise UnsafePath(
            f"resource {res.get('name')!r}: path {path!r} is not safe; give a relative path "
            "inside the package directory, such as data/incidents.csv"
        )
    target = root / path
    if os.path.lexists(target) and not target.resolve().is_relative_to(root.resolve()):
        raise UnsafePath(
            f"resource {res.get('name')!r}: {path} is a link to a file outside the package directory; "
            "commit the file itself"
        )
    return target


def is_safe_path(path: str) -> bool:
    """Relative, forward slashes, no ``..``, no home or environment variables (frictionless' rule,
    stricter)."""
    return bool(path) and not (
        PurePosixPath(path).is_absolute()
        or re.match(r"^[A-Za-z]:", path)
        or "\\" in path
        or ".." in PurePosixPath(path).parts
        or path.startswith("~")
        or "$" in path
        or re.search(r"%.+%", path)
        or "://" in path
        or "\x00" in path
    )


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


def find_package(start: str | Path | None = None) -> Path | None:
    """The nearest directory at or above ``start`` (default: the current directory) that
    holds a ``datapackage.json``, as git finds its repository; None where there is none."""
    here = Path(start if start is not None else Path.cwd()).absolute()
    for directory in (here, *here.parents):
        if (directory / DESCRIPTOR_NAME).is_file():
            return directory
    return None


def is_installed_copy(root: Path) -> bool:
    """True for the copy inside an installed wheel: commands that write must never touch it."""
    resolved = root.resolve()
    installed = {
        Path(p).resolve() for key in ("purelib", "platlib") if (p := sysconfig.get_paths().get(key))
    }
    return resolved.name == "_package" or any(resolved.is_relative_to(p) for p in installed)


def resolve_root(path: str | Path | None = None, *, for_writing: bool = False) -> Path:
    """The package a command acts on.

    An explicit ``path`` (a directory or its ``datapackage.json``) wins. Without one, the
    package in the current directory or its nearest parent, as git does; only where there
    is none, and only for reading, the bundled copy. Commands that write (``for_writing``)
    never fall back and never act on an installed copy: they raise ``PackageNotFound`` or
    ``InstalledCopy`` instead."""
    if path is None:
        root = find_package()
        if root is None:
            if for_writing:
                raise PackageNotFound(
                    f"no {DESCRIPTOR_NAME} in {Path.cwd()} or any directory above it: run the command "
                    "inside your clone of the repository, or give the package directory as PATH"
                )
            root = bundled_root()
    else:
        root = Path(path)
        if root.name == DESCRIPTOR_NAME:
            root = root.parent
        if not (root / DESCRIPTOR_NAME).is_file():
            raise PackageNotFound(f"{root}: no {DESCRIPTOR_NAME} here")
    if for_writing and is_installed_copy(root):
        raise InstalledCopy(
            f"{root} is the copy installed with the syria-incidents package; commands that write never "
            "change it. Clone the repository (git clone …) and run the command inside the clone"
        )
    return root


def describe(root: Path) -> str:
    """``<path> (version X.Y.Z)``: how every command names the package it acted on."""
    try:
        version = read_descriptor(root).get("version", "unknown")
    except (OSError, ValueError, AttributeError, RecursionError):
        version = "unreadable"
    label = "installed copy at " if is_installed_copy(root) else ""
    return f"{label}{root} (version {version})"


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


@dataclass(frozen=True)
class ForeignKey:
    """One foreign key of a resource: its columns point at ``reference`` columns of ``resource``."""

    fields: tuple[str, ...]
    resource: str  # the referenced table: the resource itself for a self-reference
    reference: tuple[str, ...]


def _names(value) -> tuple[str, ...] | None:
    """A Table Schema column list (one name, or a list of names) as a tuple; None if it is neither."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def primary_key(res: dict) -> tuple[str, ...]:
    """The primary-key columns a resource declares (``primaryKey`` is one name or a list); () if none."""
    schema = res.get("schema") if isinstance(res.get("schema"), dict) else {}
    return _names(schema.get("primaryKey")) or ()


def foreign_keys(res: dict) -> list[ForeignKey]:
    """The resource's foreign keys; a reference without ``resource`` (or with "") points at the
    resource itself. Entries that are not well formed are left out (``validate`` reports them)."""
    schema = res.get("schema") if isinstance(res.get("schema"), dict) else {}
    keys = schema.get("foreignKeys")
    out = []
    for fk in keys if isinstance(keys, list) else []:
        ref = fk.get("reference") if isinstance(fk, dict) else None
        if not isinstance(ref, dict):
            continue
        fields, target = _names(fk.get("fields")), _names(ref.get("fields"))
        table = ref.get("resource") or res.get("name")
        if fields and target and isinstance(table, str):
            out.append(ForeignKey(fields, table, target))
    return out
