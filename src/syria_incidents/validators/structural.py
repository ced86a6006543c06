"""Field-level rules, derived from datapackage.json (never restated by hand):
types, required, enums, patterns, ranges, primary keys, foreign keys, bytes/hash.

Each check is vectorised over an all-strings polars frame and returns a frame of
findings (line, field, message); the engine turns them into ``Finding``s.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ..stamp import file_integrity
from .findings import Finding
from .reading import LINE, Table
from .registry import rule

INTEGER_RE = r"^[+-]?[0-9]+$"
NUMBER_RE = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
FINDING_SCHEMA = {LINE: pl.Int64, "field": pl.String, "message": pl.String, "record_id": pl.String}


def fmt(template: str, *args) -> pl.Expr:
    """Like ``pl.format`` but the template is plain text: only ``{}`` is a placeholder
    (braces elsewhere, as in a regex pattern, stay literal). String args are column names."""
    pieces = template.split("{}")
    if len(pieces) != len(args) + 1:
        raise ValueError(f"{len(pieces) - 1} placeholders, {len(args)} values: {template!r}")
    parts: list[pl.Expr] = []
    for piece, arg in zip(pieces, list(args) + [None]):
        if piece:
            parts.append(pl.lit(piece, dtype=pl.String))
        if arg is not None:
            expr = pl.col(arg) if isinstance(arg, str) else arg
            parts.append(expr.cast(pl.String).fill_null("empty"))
    return pl.concat_str(parts) if parts else pl.lit("")


def _quoted(column: str) -> pl.Expr:
    # Long values are cut in messages so a 10 MB cell does not flood the report.
    value = pl.col(column)
    return pl.when(value.str.len_chars() > 60).then(value.str.slice(0, 57) + "…").otherwise(value)


def findings_frame(frame: pl.DataFrame, mask: pl.Expr, field: str | None, message: pl.Expr,
                   record_id: pl.Expr | None = None) -> pl.DataFrame:
    """Rows of ``frame`` where ``mask`` holds, as (line, field, message, record_id)."""
    return frame.filter(mask).select(
        pl.col(LINE).cast(pl.Int64),
        pl.lit(field, dtype=pl.String).alias("field"),
        message.cast(pl.String).alias("message"),
        (record_id if record_id is not None else pl.lit(None)).cast(pl.String).alias("record_id"),
    )


def run_checks(frame: pl.DataFrame, checks: list[tuple]) -> dict[str, list[pl.DataFrame]]:
    """Evaluate many (rule id, mask, field, message[, record_id]) checks over ``frame``.

    Every mask is computed in one parallel pass; only the checks that hit any row
    then build their findings, so a clean table costs one scan.
    """
    checks = [c for c in checks if c is not None]
    if not checks or frame.height == 0:
        return {}
    hits = frame.select([c[1].fill_null(False).any().alias(str(i)) for i, c in enumerate(checks)]).row(0)
    out: dict[str, list[pl.DataFrame]] = {}
    for check, hit in zip(checks, hits):
        if hit:
            rule_id, mask, field, message, *record = check
            out.setdefault(rule_id, []).append(
                findings_frame(frame, mask.fill_null(False), field, message, record[0] if record else None))
    return out


def typed_value(field: dict) -> pl.Expr:
    """The column cast to its declared type; a value that does not parse becomes null."""
    column = pl.col(field["name"])
    kind = field.get("type", "string")
    if kind == "integer":
        return pl.when(column.str.contains(INTEGER_RE)).then(column.str.strip_prefix("+").cast(pl.Int64, strict=False))
    if kind == "number":
        return pl.when(column.str.contains(NUMBER_RE)).then(column.cast(pl.Float64, strict=False))
    if kind == "date":
        return pl.when(column.str.contains(DATE_RE)).then(column.str.to_date("%Y-%m-%d", strict=False))
    return column


@rule("type", kind="structural")
def type_errors(field: dict, value: pl.Expr | None = None):
    """A value is not of its column's type (integer, number or date YYYY-MM-DD).

    Reported at the row and column of the value."""
    name, kind = field["name"], field.get("type", "string")
    if kind not in ("integer", "number", "date"):
        return None
    expected = {"integer": "a whole number such as 42 (no decimals, spaces or thousands separators)",
                "number": "a number such as 35.52 (a dot for decimals)",
                "date": "a date written YYYY-MM-DD, such as 2025-03-07"}[kind]
    bad = pl.col(name).is_not_null() & (typed_value(field) if value is None else value).is_null()
    return "type", bad, name, fmt(f"{name} is {{}}; it must be {expected}", _quoted(name))


@rule("required", kind="structural")
def required_errors(field: dict):
    """A required column is empty.

    Reported at the row and column of the empty cell."""
    name = field["name"]
    if not field.get("constraints", {}).get("required"):
        return None
    return ("required", pl.col(name).is_null(), name,
            pl.lit(f"{name} is empty but required; fill it in ({field.get('description', '')})"))


@rule("enum", kind="structural")
def enum_errors(field: dict):
    """A value is not one of its column's allowed values.

    Reported at the row and column of the value."""
    name = field["name"]
    allowed = field.get("constraints", {}).get("enum")
    if not isinstance(allowed, list):
        return None
    allowed = [str(v) for v in allowed]
    bad = pl.col(name).is_not_null() & ~pl.col(name).is_in(allowed)
    return "enum", bad, name, fmt(f"{name} is {{}}; it must be one of: {', '.join(allowed)}", _quoted(name))


@rule("pattern", kind="structural")
def pattern_errors(field: dict):
    """A value does not match its column's pattern (ids like F-0001, URLs, language tags).

    Reported at the row and column of the value."""
    name = field["name"]
    pattern = field.get("constraints", {}).get("pattern")
    if not isinstance(pattern, str):
        return None
    example = field.get("example")
    hint = f" (for example {example})" if example else ""
    bad = pl.col(name).is_not_null() & ~pl.col(name).str.contains(f"^(?:{pattern})$")
    return "pattern", bad, name, fmt(f"{name} is {{}}, which does not have the form {pattern}{hint}", _quoted(name))


@rule("range", kind="structural")
def range_errors(field: dict, value: pl.Expr | None = None):
    """A number is below its column's minimum or above its maximum (e.g. a negative count, a point outside Syria's bounding box).

    Reported at the row and column of the value."""
    name = field["name"]
    constraints = field.get("constraints", {})
    low, high = constraints.get("minimum"), constraints.get("maximum")
    if field.get("type") not in ("integer", "number") or (low is None and high is None):
        return None
    value = typed_value(field) if value is None else value
    bad = pl.lit(False)
    if isinstance(low, (int, float)):
        bad = bad | (value < low)
    if isinstance(high, (int, float)):
        bad = bad | (value > high)
    bounds = " and ".join(b for b in (f"at least {low}" if low is not None else "",
                                      f"at most {high}" if high is not None else "") if b)
    return "range", bad, name, fmt(f"{name} is {{}}; it must be {bounds}", _quoted(name))


def id_codes(*columns: pl.Series) -> list[pl.Series] | None:
    """Exact integer stand-ins for string ids, or None when the ids do not all look alike.

    When every value of every column is one prefix ("F-") and 1 to 17 digits, the code
    digits × 32 + digit count is equal for two ids exactly when the strings are equal
    ("F-0001" and "F-00001" stay apart), and integers hash and join several times faster
    than strings. Nulls stay null. Anything else (another prefix, a letter among the
    digits) returns None and the caller compares the strings themselves."""
    first = next((c.drop_nulls()[0] for c in columns if c.dtype == pl.String and c.null_count() < c.len()), None)
    if first is None or any(c.dtype != pl.String for c in columns) or "-" not in first:
        return None
    prefix = first[:first.index("-") + 1]
    shape = "^" + "".join(f"[{ch}]" if not ch.isalnum() else ch for ch in prefix) + "[0-9]{1,17}$"
    if not prefix[:-1].isascii() or not prefix[:-1].isalnum():
        return None
    if not all(c.str.contains(shape).fill_null(True).all() for c in columns):
        return None
    size = len(prefix)
    return [c.str.slice(size).cast(pl.UInt64) * 32 + (c.str.len_bytes() - size).cast(pl.UInt64)
            for c in columns]


@rule("primary-key", kind="structural")
def primary_key_errors(frame: pl.DataFrame, key: str, table_name: str) -> pl.DataFrame:
    """A row's id is empty or repeats the id of an earlier row.

    Reported at the later row of each duplicate (and at every row with an empty id), column = the id column."""
    ids = pl.col(key)
    empty = findings_frame(frame, ids.is_null(), key,
                           pl.lit(f"{key} is empty; every row of {table_name} needs its own id"))
    codes = id_codes(frame[key])
    group = "\x00code" if codes else key
    narrow = frame.select(LINE, key).with_columns(codes[0].alias(group)) if codes else frame.select(LINE, key)
    dup = narrow.filter(pl.col(group).is_not_null() & pl.col(group).is_duplicated())
    if dup.is_empty():
        return empty
    dup = dup.with_columns(first=pl.col(LINE).min().over(group)).filter(pl.col(LINE) != pl.col("first"))
    repeated = findings_frame(dup, pl.lit(True), key,
                              fmt(f"{key} {{}} is already used at line {{}}; give this row a new, unused id",
                                        pl.col(key), pl.col("first")), pl.col(key))
    return pl.concat([empty, repeated])


@rule("foreign-key", kind="structural")
def foreign_key_errors(frame: pl.DataFrame, column: str, target: pl.Series, target_table: str,
                       target_path: str, target_column: str) -> pl.DataFrame:
    """A reference names a record that does not exist (e.g. an incident_id not in incidents.csv).

    Reported at the referencing row and column."""
    refs = frame.select(LINE, column).filter(pl.col(column).is_not_null())
    # No dedup of the targets: an anti join keeps the same rows either way, and
    # making 3M ids unique first costs more than the join itself.
    known = pl.DataFrame({column: target.drop_nulls()})
    codes = id_codes(refs[column], known[column])
    if codes:  # join on exact integer stand-ins of the ids
        code = "\x00code"
        missing = refs.with_columns(codes[0].alias(code)).join(
            pl.DataFrame({code: codes[1]}), on=code, how="anti").drop(code)
    else:
        missing = refs.join(known, on=column, how="anti")
    return findings_frame(missing, pl.lit(True), column,
                          fmt(f"{column} {{}} is not a {target_column} in {target_path}; "
                                    f"add that row to {target_table} or correct the id", _quoted(column)))


@rule("bytes-hash", kind="structural")
def bytes_hash(root: Path, resource: dict) -> Finding | None:
    """The bytes or sha256 hash recorded in datapackage.json no longer match the file.

    Reported once for the file (row and field empty)."""
    path = root / str(resource.get("path", ""))
    if not path.is_file() or ("bytes" not in resource and "hash" not in resource):
        return None
    actual = file_integrity(path)
    stale = []
    if "bytes" in resource and resource["bytes"] != actual.bytes:
        stale.append(f"bytes {resource['bytes']} recorded, {actual.bytes} actual")
    if "hash" in resource and resource["hash"] != actual.hash:
        stale.append("the sha256 hash differs")
    if not stale:
        return None
    return Finding(resource.get("name"), str(resource.get("path")), None, None, "bytes-hash", "error",
                   f"datapackage.json is out of date for this file ({'; '.join(stale)}); "
                   "run `syria-incidents stamp` and commit datapackage.json")


FIELD_RULES = (required_errors, type_errors, enum_errors, pattern_errors, range_errors)
TYPED = "\x00typed:"  # prefix of the column holding a column's cast values, computed once


def with_casts(frame: pl.DataFrame, fields: list[dict]) -> pl.DataFrame:
    """``frame`` plus, for each integer, number and date column, its cast values (TYPED + name).

    The type rule, the range rule and the typed frame of the later rules all read
    these, so each column is parsed once."""
    return frame.with_columns(typed_value(f).alias(TYPED + f["name"]) for f in fields
                              if f.get("type") in ("integer", "number", "date") and f["name"] in frame.columns)


def check_fields(frame: pl.DataFrame, fields: list[dict], blank: list[int]) -> dict[str, pl.DataFrame]:
    """{rule id: findings} of type, required, enum, pattern and range over every column.

    ``frame`` comes from ``with_casts``; ``blank`` lists its blank rows.
    As frictionless does: a blank row gets only its blank-row error (and its
    primary-key error), a value of the wrong type only its type error (range sees
    it as null; enums and patterns apply to strings only), and a missing cell of a
    required column both missing-cell and required.
    """
    checks = []
    for field in fields:
        cast = TYPED + field["name"]
        value = pl.col(cast) if cast in frame.columns else None
        for check in FIELD_RULES:
            checks.append(check(field, value) if check in (type_errors, range_errors) else check(field))
    found = run_checks(frame, checks)
    out = {}
    for rule_id, parts in found.items():
        rows = pl.concat(parts)
        if blank:
            rows = rows.filter(~pl.col(LINE).is_in(blank))
        if rows.height:
            out[rule_id] = rows
    return out
