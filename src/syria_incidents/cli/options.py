"""Options shared by several commands, defined once."""

from __future__ import annotations

import click

package_path_argument = click.argument(
    "path", required=False, type=click.Path(file_okay=True, dir_okay=True, path_type=str)
)
