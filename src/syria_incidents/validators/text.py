"""Text hygiene: rules over every text (string) column of every table."""

from __future__ import annotations

import re

import polars as pl

from .registry import rule
from .structural import fmt, run_checks

# A number such as -5 or +3.2 is data, not a formula.
_NFC_SUSPECT = (r"[\p{M}\x{0340}\x{0341}\x{0343}\x{0344}\x{0374}\x{037E}\x{0387}\x{0958}-\x{095F}"
                r"\x{1100}-\x{11FF}\x{1F71}-\x{1FFD}\x{2000}\x{2001}\x{2126}\x{212A}\x{212B}\x{2329}\x{232A}"
                r"\x{F900}-\x{FAFF}\x{FB1D}-\x{FB4E}\x{2F800}-\x{2FA1F}]")
_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def _cut(name: str) -> pl.Expr:
    value = pl.col(name)
    return pl.when(value.str.len_chars() > 40).then(value.str.slice(0, 37) + "…").otherwise(value)


@rule("text-outer-whitespace")
def outer_whitespace(name: str):
    """A text value starts or ends with a space (or other whitespace).

    Reported at the row and column of the value."""
    bad = pl.col(name).str.contains(r"^\s") | pl.col(name).str.contains(r"\s$")
    return ("text-outer-whitespace", bad, name,
            fmt(f"{name} {{}} starts or ends with a space; remove it", _cut(name)))


@rule("text-control-chars")
def control_chars(name: str):
    """A text value contains a control character (a line break, tab or other invisible code).

    Reported at the row and column of the value."""
    bad = pl.col(name).str.contains(r"\p{Cc}")
    return ("text-control-chars", bad, name,
                          fmt(f"{name} contains a line break, tab or other control character "
                                    f"(in {{}}); write the value on one line without them (a line break "
                                    "inside a value often means a closing quote \" is missing, and the "
                                    "lines after it were read into this cell)",
                                    _cut(name).str.replace_all(r"\p{Cc}", "␣")))


@rule("text-nfc")
def not_nfc(name: str):
    """A text value is not in Unicode normal form C (letters and accents stored as separate characters).

    Reported at the row and column of the value."""
    value = pl.col(name)
    # Only text with a character that NFC can change needs normalising (combining
    # marks, singletons such as the Ohm and Angstrom signs, compatibility ideographs,
    # Hangul jamo, Hebrew presentation forms); plain text, Arabic included, is skipped.
    candidate = value.str.contains(_NFC_SUSPECT)
    bad = candidate & (value != value.str.normalize("NFC"))
    return ("text-nfc", bad, name,
                          fmt(f"{name} {{}} is not in Unicode NFC form; retype the accented letters "
                                    "or normalise the text to NFC", _cut(name)))


@rule("text-formula-injection")
def formula_injection(name: str):
    """A text value starts with = + - or @, which spreadsheets run as a formula (numbers excepted).

    Reported at the row and column of the value."""
    value = pl.col(name)
    bad = value.str.contains(r"^[=+\-@]") & ~value.str.contains(_NUMBER)
    return ("text-formula-injection", bad, name,
                          fmt(f"{name} {{}} starts with a character a spreadsheet reads as a formula; "
                                    "reword it so it starts with a letter, digit or quote", _cut(name)))


TEXT_RULES = (outer_whitespace, control_chars, not_nfc, formula_injection)
# What any text rule could object to, as one regex: most cells match none of it, so
# one scan per column finds the few cells the four rules then look at closely.
_SUSPECT_FREE = r"^[\s=+\-@]|\s$|\p{Cc}|" + _NFC_SUSPECT
_SUSPECT_PATTERNED = r"\p{Cc}|" + _NFC_SUSPECT


def _text_columns(frame: pl.DataFrame, fields: list[dict]) -> dict[str, str]:
    """{column: suspect regex}. A column with an enum needs no text rule (a value outside the
    vocabulary is an enum error); a column with a pattern cannot start or end with a space or
    start with =+-@ and still match it, so only control characters and NFC are left to check."""
    out = {}
    for f in fields:
        constraints = f.get("constraints", {}) if isinstance(f.get("constraints"), dict) else {}
        if f.get("type", "string") != "string" or f["name"] not in frame.columns or "enum" in constraints:
            continue
        pattern = constraints.get("pattern")
        if isinstance(pattern, str) and not re.search(r"\\[SWDPpw]|\.|\[\^", pattern):
            continue  # an id-like pattern (^F-[0-9]{4,}$) admits no control character or accent
        out[f["name"]] = _SUSPECT_PATTERNED if pattern else _SUSPECT_FREE
    return out


def check_text(frame: pl.DataFrame, fields: list[dict]) -> dict[str, pl.DataFrame]:
    """{rule id: findings} of the text rules over every text column."""
    columns = _text_columns(frame, fields)
    if not columns or frame.height == 0:
        return {}
    hits = frame.select([pl.col(n).str.contains(rx).any().alias(n) for n, rx in columns.items()]).row(0)
    out: dict[str, list[pl.DataFrame]] = {}
    for (name, rx), hit in zip(columns.items(), hits):
        if not hit:
            continue
        suspects = frame.filter(pl.col(name).str.contains(rx))
        for rule_id, parts in run_checks(suspects, [check(name) for check in TEXT_RULES]).items():
            out.setdefault(rule_id, []).extend(parts)
    return {rule_id: pl.concat(parts) for rule_id, parts in out.items()}
