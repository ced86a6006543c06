"""Exports of a valid package in the formats other tools read: Parquet, GeoJSON and HXL.

``export(path, formats, out)`` validates the package, then writes each format into its
own folder of ``out`` (``parquet/``, ``geojson/``, ``hxl/``). Every folder is written in
full beside the old ones and only then swapped in, so a failed export leaves the
previous one intact and never a half-written file.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..package import InvalidPackage, is_installed_copy, read_descriptor, resolve_root
from . import geojson, hxl, parquet

# Each format: the folder it is written to, and the function that writes it there.
WRITERS: dict[str, Callable[[Path, dict, Path], list[Path]]] = {
    "parquet": parquet.write,
    "geojson": geojson.write,
    "hxl": hxl.write,
}
FORMATS = tuple(WRITERS)


@dataclass
class ExportResult:
    out: Path
    files: dict[str, list[Path]] = field(default_factory=dict)


def default_out(root: Path) -> Path:
    """``dist/`` in a checkout; ``./dist`` for the installed copy, which may not be writable."""
    return Path.cwd() / "dist" if is_installed_copy(root) else root / "dist"


def refuse_invalid(root: Path) -> None:
    """Raise ``InvalidPackage`` unless the package passes ``syria-incidents validate``."""
    from ..validators import validate

    report = validate(root)
    if not report.valid:
        raise InvalidPackage(report)


def export(
    path: str | Path | None = None,
    formats: Iterable[str] = FORMATS,
    out: str | Path | None = None,
    check: bool = True,
) -> ExportResult:
    """Write each of ``formats`` for the package at ``path`` into ``out`` (default ``dist/``).

    ``check=False`` skips validation (for a caller, such as ``release``, that has just
    validated the package)."""
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        raise ValueError(f"unknown export format {unknown[0]!r}; the formats are: {', '.join(FORMATS)}")
    root = resolve_root(path)
    if check:
        refuse_invalid(root)
    descriptor = read_descriptor(root)
    out = Path(out) if out is not None else default_out(root)
    out.mkdir(parents=True, exist_ok=True)
    result = ExportResult(out)
    # Every format is written before any replaces its old folder: one that fails leaves all as they were.
    with tempfile.TemporaryDirectory(prefix=".export-", dir=out) as scratch:
        written = {}
        for name in formats:
            (Path(scratch) / name).mkdir()
            written[name] = WRITERS[name](root, descriptor, Path(scratch) / name)
        for name, files in written.items():
            _swap_in(Path(scratch) / name, out / name)
            result.files[name] = [out / name / p.name for p in files]
    return result


def _swap_in(staging: Path, target: Path) -> None:
    """Put the complete folder ``staging`` at ``target``, replacing what was there."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}-old")
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
    staging.rename(target)
    if old is not None:
        shutil.rmtree(old)
