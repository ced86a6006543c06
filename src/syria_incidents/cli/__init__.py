"""The ``syria-incidents`` command: a thin layer over the Python API.

Each concern keeps its commands in its own module; this file only assembles them.
"""

from __future__ import annotations

import importlib

import click

from ..package import bundled_root, read_descriptor
from .extras import fail_for_missing_module, require_extras

# Modules that define commands; each exposes COMMANDS, a list of click commands.
COMMAND_MODULES = (
    "syria_incidents.cli.data",
    "syria_incidents.cli.validate",
    "syria_incidents.cli.versions",
    "syria_incidents.cli.site",
    "syria_incidents.cli.exports",
)


def _version() -> str:
    return read_descriptor(bundled_root())["version"]


def _print_version(ctx: click.Context, _param, value: bool) -> None:
    # Read from datapackage.json when asked, not from the installed distribution's metadata,
    # which an editable install leaves at the version it was installed with.
    if value and not ctx.resilient_parsing:
        click.echo(f"syria-incidents {_version()}")
        ctx.exit()


class Toolkit(click.Group):
    """The command group: checks each command's extras before running it."""

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and not ctx.resilient_parsing:
            ctx.meta["syria_incidents.command"] = command.name
            require_extras(command.name)
        return name, command, rest

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ModuleNotFoundError as exc:
            fail_for_missing_module(ctx.meta.get("syria_incidents.command", ""), exc)


@click.group(cls=Toolkit, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the data version (datapackage.json's) and exit.",
)
def main() -> None:
    """Conflict incidents, casualty figures and statements about violence in
    Syria since 8 December 2024: inspect, validate, build and serve the data.

    Example: syria-incidents info
    """


for _module in COMMAND_MODULES:
    for _command in importlib.import_module(_module).COMMANDS:
        main.add_command(_command)
