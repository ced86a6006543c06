"""Field-level rules, derived from datapackage.json (never restated by hand):
types, required, enums, patterns, ranges, primary keys, foreign keys, bytes/hash.

Each check is vectorised over an all-strings polars frame and returns a frame of
findings (line, field, message); the engine turns them into ``Finding``s.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import polars as pl

from ..stamp import file_integrity
from .findings import Finding
from .ids import IdCodec
from .reading import LINE, MAX_ROW_FINDINGS, more_findings
from .registry import rule

INTEGER_RE = r"^[+-]?[0-9]+$"
NUMBER_RE = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
# Year 0000 does not exist in the calendar frictionless (Python) uses; polars would take it.
DATE_RE = r"^(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])-[0-9]{2}-[0-9]{2}$"
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


def findings_frame(
    frame: pl.DataFrame,
    mask: pl.Expr,
    field: str | None,
    message: pl.Expr,
    record_id: pl.Expr | None = None,
    ids: IdCodec | None = None,
) -> pl.DataFrame:
    """Rows of ``frame`` where ``mask`` holds, as (line, field, message, record_id).

    ``ids``: the codec of the run, when ``frame`` holds coded ids (the message shows them as text)."""
    rows = frame.filter(mask)
    more = rows.height - MAX_ROW_FINDINGS
    if more > 0:  # a whole column wrong: the first ones show the pattern, the rest are counted
        rows = rows.sort(LINE)
        after = rows.slice(MAX_ROW_FINDINGS, 1)
        rows = rows.head(MAX_ROW_FINDINGS)
    if ids is not None:
        rows = ids.readable(rows)
    elif any(dtype == pl.UInt64 for dtype in rows.schema.values()):
        raise TypeError("coded ids need the IdCodec to be shown in a message")
    found = rows.select(
        pl.col(LINE).cast(pl.Int64),
        pl.lit(field, dtype=pl.String).alias("field"),
        message.cast(pl.String).alias("message"),
        (record_id if record_id is not None else pl.lit(None)).cast(pl.String).alias("record_id"),
    )
    if more > 0:
        found = pl.concat(
            [
                found,
                after.select(
                    pl.col(LINE).cast(pl.Int64),
                    pl.lit(field, dtype=pl.String).alias("field"),
                    pl.lit(more_findings(more)).alias("message"),
                    pl.lit(None, dtype=pl.String).alias("record_id"),
                ),
            ]
        )
    return found


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
                findings_frame(frame, mask.fill_null(False), field, message, record[0] if record else None)
            )
    return out


def typed_value(field: dict) -> pl.Expr:
    """The column cast to its declared type; a value that does not parse becomes null."""
    column = pl.col(field["name"])
    kind = field.get("type", "string")
    if kind == "integer":
        # Polars parses exactly INTEGER_RE (a sign, then ASCII digits) and nulls the rest, overflow
        # included; tests/test_types.py holds it to that, so no regex runs over every count.
        return column.cast(pl.Int64, strict=False)
    if kind == "number":
        return pl.when(column.str.contains(NUMBER_RE)).then(column.cast(pl.Float64, strict=False))
    if kind == "date":
        return pl.when(column.str.contains(DATE_RE)).then(column.str.to_date("%Y-%m-%d", strict=False))
    return column


@rule("type", kind="structural", stage="cell")
def type_errors(field: dict, value: pl.Expr | None = None):
    """A value is not of its column's type (integer, number or date YYYY-MM-DD).

    Reported at the row and column of the value.

    To fix: fix the value; `1,000` must be `1000`, dates are written `2025-03-07`."""
    name, kind = field["name"], field.get("type", "string")
    if kind not in ("integer", "number", "date"):
        return None
    expected = {
        "integer": "a whole number such as 42 (no decimals, spaces or thousands separators)",
        "number": "a number such as 35.52 (a dot for decimals)",
        "date": "a date written YYYY-MM-DD, such as 2025-03-07",
    }[kind]
    bad = pl.col(name).is_not_null() & (typed_value(field) if value is None else value).is_null()
    message = fmt(f"{name} is {{}}; it must be {expected}", _quoted(name))
    if kind == "integer":  # a sign and digits that do not fit in 64 bits
        message = (
            pl.when(pl.col(name).str.contains(INTEGER_RE))
            .then(
                fmt(
                    f"{name} is {{}}, a whole number too large to store (the largest is {2**63 - 1}); "
                    "check for extra digits",
                    _quoted(name),
                )
            )
            .otherwise(message)
        )
    return "type", bad, name, message


@rule("required", kind="structural", stage="cell")
def required_errors(field: dict):
    """A required column is empty.

    Reported at the row and column of the empty cell.

    To fix: fill it from the source."""
    name = field["name"]
    if not field.get("constraints", {}).get("required"):
        return None
    what = str(field.get("description", "")).split(". ")[0].rstrip(".")
    what = what if len(what) <= 120 else what[:117] + "…"
    return (
        "required",
        pl.col(name).is_null(),
        name,
        pl.lit(
            f"{name} is empty but required; fill it in ({what})"
            if what
            else f"{name} is empty but required; fill it in"
        ),
    )


@rule("enum", kind="structural", stage="cell")
def enum_errors(field: dict):
    """A value is not one of its column's allowed values (the message suggests the nearest one: did you
    mean civilians?).

    Reported at the row and column of the value.

    To fix: use one of the listed values; propose a new one in your pull request if none fits."""
    name = field["name"]
    allowed = field.get("constraints", {}).get("enum")
    if not isinstance(allowed, list):
        return None
    allowed = [str(v) for v in allowed]
    bad = pl.col(name).is_not_null() & ~pl.col(name).is_in(allowed)
    hint = pl.col(name).map_batches(partial(_did_you_mean, allowed=tuple(allowed)), return_dtype=pl.String)
    return (
        "enum",
        bad,
        name,
        fmt(f"{name} is {{}}{{}}; it must be one of: {', '.join(allowed)}", _quoted(name), hint),
    )


_HINTED_VALUES = 10_000  # distinct misspellings given a suggestion; a longer tail gets none
_HINTED_LENGTH = 60  # longer values are not compared (difflib is quadratic in the length)


def _did_you_mean(values: pl.Series, allowed: tuple[str, ...]) -> pl.Series:
    """ " (did you mean civilians?)" for each value close to an allowed one, else "".

    Only the distinct values are compared (few: the rows of one enum error)."""
    from difflib import get_close_matches

    folded = {v.lower(): v for v in allowed}
    distinct = values.drop_nulls().unique()
    hints = {}
    for value in distinct.filter(distinct.str.len_chars() <= _HINTED_LENGTH).head(_HINTED_VALUES).to_list():
        key = value.strip().lower().replace(" ", "_").replace("-", "_")
        match = [key] if key in folded else get_close_matches(key, list(folded), n=1, cutoff=0.6)
        if match:
            hints[value] = f" (did you mean {folded[match[0]]}?)"
    return values.replace_strict(hints, default="", return_dtype=pl.String)


def pattern_regex(field: dict) -> str | None:
    """The column's pattern as a whole-value regex, or None when it has none."""
    pattern = field.get("constraints", {}).get("pattern")
    return f"^(?:{pattern})$" if isinstance(pattern, str) else None


@rule("pattern", kind="structural", stage="cell")
def pattern_errors(field: dict, matches: pl.Expr | None = None):
    """A value does not match its column's pattern (ids like F-0001, URLs, language tags).

    Reported at the row and column of the value.

    To fix: ids look like `F-0008`; languages like `en`, `ar`."""
    name = field["name"]
    regex = pattern_regex(field)
    if regex is None:
        return None
    pattern = field["constraints"]["pattern"]
    example = field.get("example")
    hint = f" (for example {example})" if example else ""
    matched = pl.col(name).str.contains(regex) if matches is None else matches
    bad = pl.col(name).is_not_null() & ~matched
    return (
        "pattern",
        bad,
        name,
        fmt(f"{name} is {{}}, which does not have the form {pattern}{hint}", _quoted(name)),
    )


@rule("range", kind="structural", stage="cell")
def range_errors(field: dict, value: pl.Expr | None = None):
    """A number is below its column's minimum or above its maximum (e.g. a negative count, a point
    outside Syria's bounding box).

    Reported at the row and column of the value.

    To fix: fix the value from the source; for coordinates, check for swapped latitude and longitude."""
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
    bounds = " and ".join(
        b
        for b in (
            f"at least {low}" if low is not None else "",
            f"at most {high}" if high is not None else "",
        )
        if b
    )
    return "range", bad, name, fmt(f"{name} is {{}}; it must be {bounds}", _quoted(name))


@rule("primary-key", kind="structural", stage="file")
def primary_key_errors(frame: pl.DataFrame, key: str, table_name: str, ids: IdCodec) -> pl.DataFrame:
    """A row's id is empty or repeats the id of an earlier row.

    Reported at the later row of each duplicate (and at every row with an empty id), column = the id column.

    To fix: take the next unused id."""
    empty = findings_frame(
        frame.select(LINE, key),
        pl.col(key).is_null(),
        key,
        pl.lit(f"{key} is empty; every row of {table_name} needs its own id"),
        ids=ids,
    )
    if _strictly_increasing(frame[key].drop_nulls()):  # ids in file order: no id repeats, nothing to hash
        return empty
    dup = frame.select(LINE, key).filter(pl.col(key).is_not_null() & pl.col(key).is_duplicated())
    if dup.is_empty():
        return empty
    dup = dup.with_columns(first=pl.col(LINE).min().over(key)).filter(pl.col(LINE) != pl.col("first"))
    repeated = findings_frame(
        dup,
        pl.lit(True),
        key,
        fmt(
            f"{key} {{}} is already used at line {{}}; give this row a new, unused id",
            pl.col(key),
            pl.col("first"),
        ),
        pl.col(key),
        ids=ids,
    )
    return pl.concat([empty, repeated])


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _strictly_increasing(values: pl.Series) -> bool:
    """Whether each value is greater than the one before (then no value repeats)."""
    return values.len() < 2 or bool((values.slice(1) > values.slice(0, values.len() - 1)).all())


@rule("foreign-key", kind="structural", stage="other")
def foreign_key_errors(
    frame: pl.DataFrame,
    column: str,
    target: pl.Series,
    target_table: str,
    target_path: str,
    target_column: str,
    ids: IdCodec,
) -> pl.DataFrame:
    """A reference names a record that does not exist (e.g. an incident_id not in incidents.csv).

    Reported at the referencing row and column.

    To fix: add the source, actor, place or incident first, or fix the id."""
    refs = frame.select(LINE, column).filter(pl.col(column).is_not_null())
    if refs.schema[column] != target.dtype:  # one side is coded, the other not: compare the texts
        refs = ids.readable(refs)
        target = ids.readable(target.to_frame())[target.name]
    # A membership test, several times faster than an anti join; duplicate targets do not matter.
    missing = refs.filter(~pl.col(column).is_in(target.drop_nulls().implode()))
    return findings_frame(
        missing,
        pl.lit(True),
        column,
        fmt(
            f"{column} {{}} is not {_article(target_column)} {target_column} in {target_path}; "
            f"add that row to {target_table} or correct the id",
            _quoted(column),
        ),
        ids=ids,
    )


@rule("bytes-hash", kind="structural", stage="file", file_level=True)
def bytes_hash(root: Path, resource: dict) -> Finding | None:
    """The bytes or sha256 hash recorded in datapackage.json no longer match the file (syria-incidents
    fix re-stamps them).

    Reported once for the file (row and field empty).

    To fix: run `syria-incidents fix`."""
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
    return Finding(
        resource.get("name"),
        str(resource.get("path")),
        None,
        None,
        "bytes-hash",
        "error",
        f"datapackage.json is out of date for this file ({'; '.join(stale)}); "
        "run syria-incidents fix (it re-stamps them) and commit datapackage.json",
    )


FIELD_RULES = (required_errors, type_errors, enum_errors, pattern_errors, range_errors)
TYPED = "\x00typed:"  # prefix of the column holding a column's cast values, computed once
MATCHES = "\x00matches:"  # prefix of the column saying whether each value matches the pattern


def with_casts(frame: pl.DataFrame, fields: list[dict]) -> pl.DataFrame:
    """``frame`` plus, for each integer, number and date column, its cast values (TYPED + name),
    and for each column with a pattern, whether each value matches it (MATCHES + name).

    The type, range and pattern rules and the typed frame of the later rules (id codes
    included) all read these, so each column is parsed and matched once."""
    names = set(frame.columns)
    return frame.with_columns(
        [
            typed_value(f).alias(TYPED + f["name"])
            for f in fields
            if f.get("type") in ("integer", "number", "date") and f["name"] in names
        ]
        + [
            pl.col(f["name"]).str.contains(regex).alias(MATCHES + f["name"])
            for f in fields
            if f["name"] in names and f.get("type", "string") == "string" and (regex := pattern_regex(f))
        ]
    )


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
        cast, matched = TYPED + field["name"], MATCHES + field["name"]
        value = pl.col(cast) if cast in frame.columns else None
        for check in FIELD_RULES:
            if check in (type_errors, range_errors):
                checks.append(check(field, value))
            elif check is pattern_errors:
                checks.append(check(field, pl.col(matched) if matched in frame.columns else None))
            else:
                checks.append(check(field))
    found = run_checks(frame, checks)
    out = {}
    for rule_id, parts in found.items():
        rows = pl.concat(parts)
        if blank:
            rows = rows.filter(~pl.col(LINE).is_in(blank))
        if rows.height:
            out[rule_id] = rows
    return out
