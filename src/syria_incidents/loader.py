"""Load tables as typed data frames, with dtypes taken from the descriptor."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .package import bundled_root, find_package, read_descriptor, resolve_root, resource, resource_file

if TYPE_CHECKING:
    import pandas as pd

# pandas is imported inside the functions that need it, so that `import
# syria_incidents` and commands such as `info` or `validate` start fast.


def pandas_dtype(field: dict):
    """The pandas dtype for a Table Schema field.

    Vocabularies become categoricals with the declared values in declared order;
    counts become nullable integers, so an unknown count stays missing, never 0.
    """
    import pandas as pd

    kind = field.get("type", "string")
    enum = field.get("constraints", {}).get("enum")
    if enum is not None:
        return pd.CategoricalDtype(categories=enum, ordered=False)
    return {
        "integer": "Int64",
        "number": "Float64",
        "boolean": "boolean",
        "date": "datetime64[s]",
    }.get(kind, "string")


def load(table: str, path: str | Path | None = None, engine: str = "pandas"):
    """One table as a typed DataFrame: ``load("casualties")``.

    ``path`` is a package directory (default: the syria-incidents package in the current
    directory or its nearest parent, as the command line finds it, else the bundled data);
    ``engine`` is ``"pandas"`` (default) or ``"polars"`` (needs the ``polars`` extra).
    """
    root = package_root(path)
    res = resource(read_descriptor(root), table)
    csv_path = resource_file(root, res)
    fields = res["schema"]["fields"]
    if engine == "polars":
        from .polars_loader import load_polars

        return load_polars(csv_path, fields)
    if engine != "pandas":
        raise ValueError(f"engine must be 'pandas' or 'polars', not {engine!r}")
    import pandas as pd

    raw = pd.read_csv(
        csv_path,
        dtype=str,
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8",
    )
    frame = pd.DataFrame(index=raw.index)
    for field in fields:
        frame[field["name"]] = _convert(raw[field["name"]], field)
    return frame


def _convert(column: pd.Series, field: dict) -> pd.Series:
    import pandas as pd

    dtype = pandas_dtype(field)
    if field.get("type") == "date":
        return pd.to_datetime(column, format="%Y-%m-%d").astype(dtype)
    if dtype in ("Int64", "Float64"):
        return pd.to_numeric(column).astype(dtype)
    return column.astype(dtype)


def package_root(path: str | Path | None = None) -> Path:
    """The package ``load`` reads: ``path``; else the nearest syria-incidents package at or
    above the current directory (a contributor's clone); else the bundled copy.

    Unlike the command line, a ``datapackage.json`` of some other data package in the
    current directory is passed over: a notebook in an unrelated project still loads this
    dataset."""
    if path is not None:
        return resolve_root(path)
    found = find_package()
    if found is not None:
        try:
            if read_descriptor(found).get("name") == read_descriptor(bundled_root())["name"]:
                return found
        except (OSError, ValueError, AttributeError):
            pass
    return bundled_root()


def tables(path: str | Path | None = None) -> list[str]:
    """Names of the tables in the package, in descriptor order."""
    return [res["name"] for res in read_descriptor(package_root(path))["resources"]]


def load_all(path: str | Path | None = None, engine: str = "pandas") -> dict:
    """Every table, as ``{name: DataFrame}``."""
    return {name: load(name, path, engine) for name in tables(path)}
