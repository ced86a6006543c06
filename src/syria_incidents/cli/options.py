"""Options shared by several commands, defined once."""

from __future__ import annotations

import click

package_path_argument = click.argument(
    "path", required=False, type=click.Path(file_okay=True, dir_okay=True, path_type=str)
)


class CannotRun(click.ClickException):
    """The command could not run at all (no package, an installed copy to write to): exit 2."""

    exit_code = 2


def open_package(path: str | None, *, for_writing: bool = False):
    """The package directory a command acts on (see ``package.resolve_root``), or exit 2."""
    from ..package import InstalledCopy, PackageNotFound, UnsafePath, resolve_root

    try:
        return resolve_root(path, for_writing=for_writing)
    except (PackageNotFound, InstalledCopy, UnsafePath) as exc:
        raise CannotRun(str(exc)) from exc


def announce(root, err: bool = False) -> None:
    """Name the package the command acts on: its path and version."""
    from ..package import describe

    click.echo(f"package: {describe(root)}", err=err)
