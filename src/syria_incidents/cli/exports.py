"""The ``export`` command: Parquet, GeoJSON and HXL files from a valid package."""

from __future__ import annotations

import click

from .options import CannotRun, announce, open_package, package_path_argument


@click.command()
@package_path_argument
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["parquet", "geojson", "hxl"]),
    help="A format to write; repeat for several [default: all three].",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=str),
    default=None,
    help="Folder to write into, one subfolder per format [default: dist/ of the package].",
)
def export(path: str | None, formats: tuple[str, ...], out: str | None) -> None:
    """Write the tables as typed Parquet, the incidents as GeoJSON, and HXL-tagged CSVs.

    parquet/<table>.parquet: one file per table, typed from datapackage.json (Int64
    counts, Date dates, Enum vocabularies). geojson/incidents.geojson: the incidents at
    places with coordinates (RFC 7946, longitude first). hxl/<table>.csv: each CSV with a
    row of HXL hashtags under its header. Refuses a package that fails validation; each
    folder is written in full before it replaces the old one. PATH is a package directory
    (default: the package in the current directory or its nearest parent, else the
    installed copy).

    Example: syria-incidents export --format parquet --format geojson --out exports
    """
    from ..exports import FORMATS, InvalidPackage
    from ..exports import export as run_export
    from ..exports.hxl_tags import UntaggedField
    from ..package import UnsafePath

    root = open_package(path)
    announce(root)
    try:
        result = run_export(root, formats or FORMATS, out)
    except InvalidPackage as exc:
        lines = [str(f) for f in exc.report.errors if f.severity == "error"]
        raise CannotRun(
            "the package is not valid, so nothing was exported (earlier exports are untouched):\n"
            + "\n".join(lines)
            + f"\n{len(lines)} errors; fix them "
            "(`syria-incidents validate` shows the same report)."
        ) from None
    except (UnsafePath, UntaggedField) as exc:
        raise CannotRun(str(exc)) from exc
    for name, files in result.files.items():
        click.echo(f"{name}: {len(files)} file{'s' if len(files) != 1 else ''} in {result.out / name}")


COMMANDS = [export]
