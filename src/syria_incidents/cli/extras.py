"""Which optional extra each command needs, and a clean error when it is not installed.

``pip install syria-incidents`` alone gives the loader (pandas and click). The toolkit's
heavier dependencies come as extras; a command whose extra is missing says which one to
install and exits 2, never with a traceback.
"""

from __future__ import annotations

import importlib.util

import click

# The modules each extra brings (import names, not distribution names); a test checks
# that they are the extra's own requirements in pyproject.toml.
EXTRA_MODULES = {
    "validate": ("pandera", "polars", "pyarrow", "rich", "numpy", "shapely", "packaging"),
    "datasette": ("datasette", "datasette_cluster_map", "datasette_dashboards", "yaml", "markupsafe"),
}

# The extras each command needs; a command not listed needs none. The datasette extra
# includes the validate one (a database is only built from a valid package).
COMMAND_EXTRAS = {
    "validate": ("validate",),
    "rules": ("validate",),
    "diff": ("validate",),
    "check-version": ("validate",),
    "changelog": ("validate",),
    "release": ("validate", "datasette"),
    "build": ("validate", "datasette"),
    "serve": ("validate", "datasette"),
    "metadata": ("datasette",),
    "fix": ("validate", "datasette"),
    "export": ("validate",),
}


def install_hint(extra: str) -> str:
    return f'pip install "syria-incidents[{extra}]"'


def missing_modules(extra: str) -> list[str]:
    return [m for m in EXTRA_MODULES[extra] if importlib.util.find_spec(m) is None]


def require_extras(command: str) -> None:
    """Exit 2 with the install command when an extra that ``command`` needs is missing."""
    for extra in COMMAND_EXTRAS.get(command, ()):
        missing = missing_modules(extra)
        if missing:
            _fail(command, extra, missing)


def extra_of_module(name: str) -> str | None:
    top = name.split(".")[0]
    return next((extra for extra, modules in EXTRA_MODULES.items() if top in modules), None)


def _fail(command: str, extra: str, missing: list[str]) -> None:
    wanted = "datasette" if extra == "validate" and "datasette" in COMMAND_EXTRAS.get(command, ()) else extra
    click.echo(
        f"Error: `syria-incidents {command}` needs the {wanted!r} extra "
        f"(missing: {', '.join(missing)}). Install it with:\n  {install_hint(wanted)}",
        err=True,
    )
    raise SystemExit(2)


def fail_for_missing_module(command: str, exc: ModuleNotFoundError) -> None:
    """A safety net for an import the table above does not list."""
    extra = extra_of_module(exc.name or "")
    if extra is None:
        raise exc
    _fail(command, extra, [exc.name])
