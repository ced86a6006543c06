"""The ``syria-incidents`` command: a thin layer over the Python API.

Each concern keeps its commands in its own module; this file only assembles them.
"""

from __future__ import annotations

import importlib

import click

from ..package import read_descriptor

# Modules that define commands; each exposes COMMANDS, a list of click commands.
COMMAND_MODULES = (
    "syria_incidents.cli.data",
    "syria_incidents.cli.validate",
    "syria_incidents.cli.versions",
    "syria_incidents.cli.site",
)


def _version() -> str:
    return read_descriptor()["version"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=None, package_name="syria-incidents", message="%(prog)s %(version)s",
                      prog_name="syria-incidents")
def main() -> None:
    """Conflict incidents, casualty figures and statements about violence in
    Syria since 8 December 2024: inspect, validate, build and serve the data.

    Example: syria-incidents info
    """


for _module in COMMAND_MODULES:
    for _command in importlib.import_module(_module).COMMANDS:
        main.add_command(_command)
