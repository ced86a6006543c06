"""Record ids as exact integer codes, so keys hash, join and sort as integers.

Ids such as ``F-0000123`` are short strings; at a million incidents the id columns
are most of what the cross-table rules hold, and joining them as strings is most
of their time. An id of the regular form (1–3 capital letters, a hyphen, 1–12
digits) is packed into a UInt64 without any table: the letters 5 bits each, the
digits' value and their count (so ``F-0001`` and ``F-00001`` stay apart). Any other
value (a typo that is already a pattern error, a 20-digit id) gets a code from this
run's ``IdCodec``, which remembers its text. Two values get the same code exactly
when they are the same string, whatever column they come from, so a foreign key
compares codes and means what it meant for the strings.

A column is coded when its pattern in datapackage.json has the regular form
(``^F-[0-9]{4,}$``); other key columns stay strings.
"""

from __future__ import annotations

import re
import threading

import polars as pl

IRREGULAR = 1 << 63  # codes at or above this come from the codec's table
MAX_DIGITS = 12
_COUNT_BITS = 4  # the digit count, 1..12
_PREFIX_SHIFT = 44  # 10**12 * 16 < 2**44
_LETTER_BITS = 5
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_REGULAR = re.compile(rf"([A-Z]{{1,3}})-([0-9]{{1,{MAX_DIGITS}}})")
_PATTERN = re.compile(r"\^([A-Z]{1,3})-\[0-9\]\{(\d+),(\d*)\}\$")


def id_prefix(field: dict) -> str | None:
    """The letters of a field with a regular id pattern (``^F-[0-9]{4,}$`` → ``F``), else None."""
    pattern = (field.get("constraints") or {}).get("pattern")
    match = _PATTERN.fullmatch(pattern) if isinstance(pattern, str) else None
    return match.group(1) if match else None


def _prefix_bits(letters: str) -> int:
    value = 0
    for letter in letters:
        value = (value << _LETTER_BITS) | (_ALPHABET.index(letter) + 1)
    return value


def _regular_code(letters: str, digits: str) -> int:
    return (_prefix_bits(letters) << _PREFIX_SHIFT) | (int(digits) << _COUNT_BITS) | len(digits)


class IdCodec:
    """Codes for one validation run: regular ids computed, every other value numbered as met."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self._texts: list[str] = []
        self._lock = threading.Lock()  # slices of different tables may be coded in parallel

    def code(self, text: str) -> int:
        """The code of one id (the same one ``encode`` gives it in any column)."""
        match = _REGULAR.fullmatch(text)
        if match:
            return _regular_code(match.group(1), match.group(2))
        with self._lock:
            code = self._codes.get(text)
            if code is None:
                code = IRREGULAR | len(self._texts)
                self._codes[text] = code
                self._texts.append(text)
        return code

    def encode(
        self, frame: pl.DataFrame, columns: dict[str, str], regular: dict[str, pl.Expr] | None = None
    ) -> pl.DataFrame:
        """``frame`` with each of ``columns`` ({name: prefix letters}) replaced by its codes.

        Nulls stay null.

        ``regular``: {name: an expression true where the value is the prefix, a hyphen and
        digits only}, when the caller knows already (it matched the id pattern); by default
        a regex decides."""
        if not columns:
            return frame
        regular = regular or {}
        width = {name: len(letters) + 1 for name, letters in columns.items()}

        def shaped(name: str, letters: str) -> pl.Expr:
            if name in regular:
                return regular[name] & (pl.col(name).str.len_bytes() <= width[name] + MAX_DIGITS)
            return pl.col(name).str.contains(f"^{letters}-[0-9]{{1,{MAX_DIGITS}}}$")

        coded = frame.with_columns(
            pl.when(shaped(name, letters))
            .then(
                pl.lit(_prefix_bits(letters) << _PREFIX_SHIFT, dtype=pl.UInt64)
                + pl.col(name).str.slice(width[name]).cast(pl.UInt64, strict=False) * (1 << _COUNT_BITS)
                + (pl.col(name).str.len_bytes() - width[name]).cast(pl.UInt64)
            )
            .alias(name)
            for name, letters in columns.items()
        )
        # Values of another form are few (each is a pattern error): number them one by one.
        # A code is null where the value is, and also where the value is not regular.
        odd = [name for name in columns if coded[name].null_count() != frame[name].null_count()]
        if not odd:
            return coded
        texts = frame.select(
            pl.col(name).filter(pl.col(name).is_not_null() & coded[name].is_null()).unique().implode()
            for name in odd
        ).row(0)
        return coded.with_columns(
            pl.col(name).fill_null(
                frame[name].replace_strict(
                    {text: self.code(text) for text in values}, default=None, return_dtype=pl.UInt64
                )
            )
            for name, values in zip(odd, texts)
        )

    def text(self, codes: pl.Expr) -> pl.Expr:
        """The ids the codes stand for, as strings (for messages and record ids)."""
        # Polars expressions have no shift operators; the fields do not overlap, so // and % do.
        body = codes % (1 << _PREFIX_SHIFT)
        letters = [(codes // (1 << (_PREFIX_SHIFT + _LETTER_BITS * k))) % 32 for k in (2, 1, 0)]
        alphabet = {i + 1: ch for i, ch in enumerate(_ALPHABET)} | {0: ""}
        regular = pl.concat_str(
            [part.replace_strict(alphabet, return_dtype=pl.String, default="") for part in letters]
            + [
                pl.lit("-"),
                (body // (1 << _COUNT_BITS))
                .cast(pl.String)
                .str.zfill((body % (1 << _COUNT_BITS)).cast(pl.Int64)),
            ]
        )
        with self._lock:
            others = {IRREGULAR | i: t for i, t in enumerate(self._texts)}
        if not others:
            return pl.when(codes < IRREGULAR).then(regular)
        return (
            pl.when(codes < IRREGULAR)
            .then(regular)
            .otherwise(codes.replace_strict(others, default=None, return_dtype=pl.String))
        )

    def readable(self, frame: pl.DataFrame) -> pl.DataFrame:
        """``frame`` with every coded (UInt64) column turned back into its ids."""
        coded = [name for name, dtype in frame.schema.items() if dtype == pl.UInt64]
        if not coded:
            return frame
        return frame.with_columns(self.text(pl.col(name)).alias(name) for name in coded)
