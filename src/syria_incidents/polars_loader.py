"""The optional polars engine for ``load(..., engine="polars")``."""

from __future__ import annotations

from pathlib import Path


def polars_dtype(field: dict):
    import polars as pl

    enum = field.get("constraints", {}).get("enum")
    if enum is not None:
        return pl.Enum(enum)
    return {"integer": pl.Int64, "number": pl.Float64, "boolean": pl.Boolean, "date": pl.Date}.get(
        field.get("type", "string"), pl.String
    )


def load_polars(csv_path: Path, fields: list[dict]):
    """Read a CSV as strings, then cast each column to its declared type (strictly)."""
    try:
        import polars as pl
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("engine='polars' needs polars: pip install 'syria-incidents[polars]'") from exc
    names = [f["name"] for f in fields]
    raw = pl.read_csv(csv_path, infer_schema=False, schema_overrides={n: pl.String for n in names})
    casts = []
    for field in fields:
        column = pl.col(field["name"])
        dtype = polars_dtype(field)
        if dtype == pl.Date:
            casts.append(column.str.to_date("%Y-%m-%d"))
        else:
            casts.append(column.cast(dtype, strict=True))
    return raw.select(casts)
