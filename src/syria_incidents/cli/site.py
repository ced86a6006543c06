"""Commands for the Datasette instance: ``build``, ``serve`` and ``metadata``."""

from __future__ import annotations

from contextlib import contextmanager

import click

from ..package import PackageNotFound, UnsafePath
from .options import announce, open_package, package_path_argument

db_option = click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Database file [default: dist/syria_incidents.db in a checkout; "
    "~/.cache/syria-incidents/VERSION/ for an installed package].",
)


@contextmanager
def _site_errors():
    """Turn a missing package or a failed validation into a clean command-line error."""
    from ..site import ValidationFailed

    try:
        yield
    except (PackageNotFound, UnsafePath) as exc:
        raise click.ClickException(str(exc)) from exc
    except ValidationFailed as exc:
        # A Finding prints as path:line:field: rule: message, as `validate` prints it.
        lines = [str(f) for f in exc.report.errors if f.severity == "error"]
        raise click.ClickException(
            "the package is not valid, so no database was built (the previous one is untouched):\n"
            + "\n".join(lines)
            + f"\n{len(lines)} errors; fix them (`syria-incidents validate` shows the same report)."
        ) from exc


@click.command()
@package_path_argument
@db_option
def build(path: str | None, out: str | None) -> None:
    """Build the SQLite database that Datasette serves, from a valid package.

    PATH is a package directory (default: the package in the current directory or its
    nearest parent, else the installed copy). Refuses a package that
    fails validation and prints the validator's report. The database is written to a
    temporary file and renamed into place, so a failed build leaves the old one intact.

    Example: syria-incidents build --out dist/syria_incidents.db
    """
    from ..progress import terminal_progress
    from ..site import build_database

    root = open_package(path)
    announce(root)
    with _site_errors(), terminal_progress() as progress:
        result = build_database(root, out, progress=progress)
    rows = ", ".join(f"{name} {count}" for name, count in result.rows.items())
    click.echo(f"built {result.path} in {result.seconds:.1f} s ({rows})")


@click.command()
@package_path_argument
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; the default serves this machine only.",
)
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@db_option
def serve(path: str | None, host: str, port: int, out: str | None) -> None:
    """Serve the data read-only in Datasette, rebuilding the database if the data changed.

    PATH is a package directory (default: the package in the current directory or its
    nearest parent, else the installed copy). Opens the database
    immutable, with row counts from an inspect file, a SQL time limit and no way to
    write. Stop it with Ctrl-C.

    Example: syria-incidents serve --port 8001
    """
    from ..progress import terminal_progress
    from ..site import datasette_command, prepare
    from ..site.serve import run

    root = open_package(path)
    announce(root, err=True)
    with _site_errors(), terminal_progress() as progress:
        prepared = prepare(root, out, progress=progress)
    state = "rebuilt" if prepared.rebuilt else "up to date"
    click.echo(f"{prepared.database} ({state}); serving on http://{host}:{port}/", err=True)
    raise SystemExit(run(datasette_command(prepared, host, port)))


@click.command()
@package_path_argument
@click.option("--check", is_flag=True, help="Only check that metadata.yaml is current; exit 1 if not.")
def metadata(path: str | None, check: bool) -> None:
    """Write metadata.yaml (Datasette titles, descriptions, facets, queries) from datapackage.json.

    PATH is a package directory (default: the package in the current directory or its
    nearest parent; never the installed copy). Run it after changing the
    descriptor; a test fails when the committed file is out of date.

    Example: syria-incidents metadata --check
    """
    from ..site import metadata_is_current, write_metadata

    root = open_package(path, for_writing=not check)
    announce(root)
    try:
        if check:
            if not metadata_is_current(root):
                raise click.ClickException("metadata.yaml is out of date: run `syria-incidents metadata`")
            click.echo("metadata.yaml is current")
            return
        click.echo(f"wrote {write_metadata(root)}")
    except PackageNotFound as exc:
        raise click.ClickException(str(exc)) from exc


COMMANDS = [build, serve, metadata]
