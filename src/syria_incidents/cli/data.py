"""Commands about the package itself: ``info`` and ``stamp``."""

from __future__ import annotations

import csv

import click

from ..citation import citation
from ..loader import tables
from ..package import PackageNotFound, UnsafePath, read_descriptor, resolve_root, resource, resource_file
from ..stamp import MissingFile
from ..stamp import stamp as stamp_package
from .options import package_path_argument


def _row_count(root, res) -> int:
    # csv.reader, not line counting: a quoted cell may hold a line break.
    with open(resource_file(root, res), encoding="utf-8", newline="") as fh:
        return max(sum(1 for _ in csv.reader(fh)) - 1, 0)


@click.command()
@package_path_argument
def info(path: str | None) -> None:
    """Version, licence, citation, and each table with its row count.

    PATH is a package directory (default: the bundled data).

    Example: syria-incidents info
    """
    try:
        root = resolve_root(path)
    except PackageNotFound as exc:
        raise click.ClickException(str(exc)) from exc
    d = read_descriptor(root)
    click.echo(f"{d['title']}")
    click.echo(f"version:  {d['version']}")
    click.echo("licence:  " + ", ".join(lic["name"] for lic in d.get("licenses", [])))
    click.echo(f"location: {root}")
    click.echo(f"cite as:  {citation(root)}")
    click.echo("")
    for name in tables(root):
        res = resource(d, name)
        click.echo(f"{name:<11} {_row_count(root, res):>7} rows  {res.get('description', '')}")


@click.command()
@package_path_argument
def stamp(path: str | None) -> None:
    """Rewrite each resource's bytes and sha256 hash in datapackage.json.

    Run it after editing any CSV. PATH is a package directory (default: the checkout).

    Example: syria-incidents stamp
    """
    try:
        changed = stamp_package(path)
    except (PackageNotFound, UnsafePath, MissingFile) as exc:
        raise click.ClickException(str(exc)) from exc
    if not changed:
        click.echo("bytes and hashes are current")
    for s in changed:
        click.echo(f"{s.path}: {s.recorded.bytes} -> {s.actual.bytes} bytes, hash {s.actual.hash[:19]}…")


COMMANDS = [info, stamp]
