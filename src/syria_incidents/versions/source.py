"""Read one version of the package from a git ref, a directory, a wheel or an sdist.

Every side becomes a :class:`PackageVersion`: its descriptor and, per table, the
raw CSV text values keyed by the primary key that side declares. Nothing is typed:
a diff compares what a contributor actually wrote.
"""

from __future__ import annotations

import csv
import io
import json
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..package import DESCRIPTOR_NAME, primary_key
from .git import read_blob, repo_of, resolve_commit

# Where the wheel carries the package (pyproject.toml, force-include).
WHEEL_PACKAGE_DIR = "syria_incidents/_package/"


class VersionNotFound(ValueError):
    """A side of a comparison is neither a package directory, a wheel, an sdist nor a git ref."""


@dataclass
class Table:
    """One table of one version: its schema and its rows as raw text."""

    name: str
    path: str
    fields: list[str]
    schema: dict
    primary_key: list[str]
    rows: dict[str, dict[str, str]]  # key -> {column: raw text}
    lines: dict[str, int]  # key -> CSV line number (header = 1)
    duplicates: list[str] = field(default_factory=list)  # keys seen more than once

    def field_schema(self, name: str) -> dict:
        return next((f for f in self.schema.get("fields", []) if f.get("name") == name), {})


@dataclass
class PackageVersion:
    """A whole package at one point: ``label`` says where it was read from."""

    label: str
    descriptor: dict
    tables: dict[str, Table]
    commit: str | None = None  # the commit when read from a git ref

    @property
    def version(self) -> str | None:
        return self.descriptor.get("version")


def parse_table(name: str, path: str, schema: dict, text: str) -> Table:
    """Rows of one CSV as raw strings, keyed by the primary key (joined with '|' if composite).

    A row without a key, or with a key already seen, is kept out of ``rows`` and noted, so a
    broken file still diffs; the validator is what reports it.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    pk = list(primary_key({"schema": schema})) or header[:1]
    rows: dict[str, dict[str, str]] = {}
    lines: dict[str, int] = {}
    duplicates: list[str] = []
    line = 1
    for cells in reader:
        line = reader.line_num
        if not any(cells):
            continue
        row = {col: (cells[i] if i < len(cells) else "") for i, col in enumerate(header)}
        key = "|".join(row.get(k, "") for k in pk)
        if key in rows or not key.strip("|"):
            duplicates.append(key)
            continue
        rows[key] = row
        lines[key] = line
    return Table(name, path, header, schema, pk, rows, lines, duplicates)


def _from_reader(label: str, read_text, commit: str | None = None) -> PackageVersion:
    """Build a version from ``read_text(relative_path) -> str | None``."""
    raw = read_text(DESCRIPTOR_NAME)
    if raw is None:
        raise VersionNotFound(f"{label}: no {DESCRIPTOR_NAME}")
    try:
        descriptor = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise VersionNotFound(f"{label}: {DESCRIPTOR_NAME} is not valid JSON ({exc})") from exc
    tables = {}
    for res in descriptor.get("resources", []):
        path = res.get("path")
        if not isinstance(path, str):
            continue
        text = read_text(path)
        if text is None:
            # A declared file that is missing reads as empty: all its records are "removed".
            text = ""
        tables[res["name"]] = parse_table(res["name"], path, res.get("schema", {}), text)
    return PackageVersion(label, descriptor, tables, commit)


def _decode(data: bytes) -> str:
    # utf-8-sig: a stray BOM must not turn the first column name into a different one.
    return data.decode("utf-8-sig", errors="replace")


def from_directory(root: str | Path, label: str | None = None) -> PackageVersion:
    """The package in a directory (a checkout, or an unpacked copy)."""
    root = Path(root)
    if root.name == DESCRIPTOR_NAME:
        root = root.parent

    def read(rel: str) -> str | None:
        p = root / rel
        return _decode(p.read_bytes()) if p.is_file() else None

    return _from_reader(label or str(root), read)


def from_wheel(wheel: str | Path) -> PackageVersion:
    """The package inside a built wheel, under ``syria_incidents/_package/``."""
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())

        def read(rel: str) -> str | None:
            name = WHEEL_PACKAGE_DIR + str(PurePosixPath(rel))
            return _decode(zf.read(name)) if name in names else None

        return _from_reader(Path(wheel).name, read)


def from_sdist(sdist: str | Path) -> PackageVersion:
    """The package inside a source distribution (``name-version/`` at the top)."""
    with tarfile.open(sdist) as tf:
        members = {m.name: m for m in tf.getmembers() if m.isfile()}
        top = next((n.split("/", 1)[0] for n in members if n.endswith("/" + DESCRIPTOR_NAME)), "")

        def read(rel: str) -> str | None:
            member = members.get(f"{top}/{PurePosixPath(rel)}")
            return _decode(tf.extractfile(member).read()) if member else None

        return _from_reader(Path(sdist).name, read)


def from_git(repo: str | Path, ref: str, prefix: str = "") -> PackageVersion:
    """The package as committed at ``ref`` in the repository ``repo``."""
    commit = resolve_commit(repo, ref)
    if commit is None:
        raise VersionNotFound(
            f"{ref!r} is not a package directory, a wheel, an sdist or a git ref in {repo}"
        )

    def read(rel: str) -> str | None:
        data = read_blob(repo, commit, f"{prefix}{PurePosixPath(rel)}")
        return None if data is None else _decode(data)

    return _from_reader(f"{ref} ({commit[:7]})", read, commit)


def load_version(spec: str | Path, repo: str | Path | None = None) -> PackageVersion:
    """One side of a comparison: a package directory, a ``.whl``, an sdist ``.tar.gz`` or a git ref.

    A git ref is looked up in the repository containing ``repo`` (default: the current
    directory), at the same sub-directory as the package there.
    """
    path = Path(spec)
    if path.is_dir() or path.name == DESCRIPTOR_NAME and path.is_file():
        return from_directory(path, label=str(spec))
    if path.is_file() and path.suffix == ".whl":
        return from_wheel(path)
    if path.is_file() and path.name.endswith((".tar.gz", ".tgz")):
        return from_sdist(path)
    where = repo_of(repo or Path.cwd())
    if where is None:
        raise VersionNotFound(
            f"{spec!r} is not a package directory, a wheel or an sdist, and {repo or Path.cwd()} "
            "is not in a git repository to look it up as a ref"
        )
    top, prefix = where
    return from_git(top, str(spec), prefix)
