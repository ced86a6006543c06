"""Commands about the package itself: ``info``, ``stamp``, ``fix`` and ``cite``."""

from __future__ import annotations

import csv

import click

from ..citation import citation
from ..loader import tables
from ..package import UnsafePath, read_descriptor, resource, resource_file
from ..stamp import MissingFile
from ..stamp import stamp as stamp_package
from .options import CannotRun, announce, open_package, package_path_argument


def _row_count(root, res) -> int:
    # csv.reader, not line counting: a quoted cell may hold a line break.
    with open(resource_file(root, res), encoding="utf-8", newline="") as fh:
        return max(sum(1 for _ in csv.reader(fh)) - 1, 0)


@click.command()
@package_path_argument
def info(path: str | None) -> None:
    """Version, licence, citation, and each table with its row count.

    PATH is a package directory (default: the package in the current directory or its
    nearest parent, else the installed copy).

    Example: syria-incidents info
    """
    root = open_package(path)
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


def _write(path: str | None, action):
    """Run ``action(root)`` on the package a writing command acts on, after naming it."""
    root = open_package(path, for_writing=True)
    announce(root)
    try:
        return action(root)
    except (UnsafePath, MissingFile) as exc:
        raise CannotRun(str(exc)) from exc


@click.command()
@package_path_argument
def stamp(path: str | None) -> None:
    """Rewrite each resource's bytes and sha256 hash in datapackage.json.

    Run it after editing any CSV (`syria-incidents fix` does it too). PATH is a package
    directory (default: the package in the current directory or its nearest parent;
    never the installed copy).

    Example: syria-incidents stamp
    """
    changed = _write(path, stamp_package)
    if not changed:
        click.echo("bytes and hashes are current")
    for s in changed:
        click.echo(f"{s.path}: {s.recorded.bytes} -> {s.actual.bytes} bytes, hash {s.actual.hash[:19]}…")


@click.command()
@package_path_argument
def fix(path: str | None) -> None:
    """Repair what is mechanical in a contribution, and list every change, file by file.

    Line ends become LF, a byte-order mark goes, text cells are put in Unicode NFC and
    trimmed of outer whitespace; bytes and hashes are re-stamped; metadata.yaml,
    docs/rules.md, docs/data-dictionary.md, CITATION.cff, .zenodo.json and the README's
    coverage section are regenerated. It never changes
    a number, a date, an id, a vocabulary value or the words of a quote, and running it
    twice changes nothing the second time. Afterwards `syria-incidents validate` reports
    only what a person must decide. PATH is a package directory (default: the package
    in the current directory or its nearest parent; never the installed copy).

    Example: syria-incidents fix
    """
    from ..fix import fix as fix_package

    repairs = _write(path, fix_package)
    for repair in repairs:
        click.echo(f"fixed {repair}")
    click.echo(
        f"{len(repairs)} change{'s' if len(repairs) != 1 else ''}; now run `syria-incidents validate`"
        if repairs
        else "nothing to fix; now run `syria-incidents validate`"
    )


@click.command()
@package_path_argument
@click.option(
    "--format",
    "format_",
    type=click.Choice(["text", "bibtex"]),
    default="text",
    show_default=True,
    help="Plain text, or a BibTeX entry for LaTeX and reference managers.",
)
def cite(path: str | None, format_: str) -> None:
    """How to cite the version of the data you used.

    Authors, title, version and licence come from datapackage.json. Cite also the
    original source of any figure you use (its sources.url). PATH is a package directory
    (default: the package in the current directory or its nearest parent, else the
    installed copy).

    Example: syria-incidents cite --format bibtex >> references.bib
    """
    click.echo(citation(open_package(path), format=format_))


COMMANDS = [info, stamp, fix, cite]
