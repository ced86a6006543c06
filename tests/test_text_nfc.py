"""text-nfc: the prefilter that picks the cells worth normalising misses no text NFC would change."""

from __future__ import annotations

import unicodedata

import polars as pl
import pytest

from syria_incidents.validators.text import _NFC_RANGES, _NFC_SUSPECT, derive_nfc_suspects

CODES = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]


def _listed() -> set[int]:
    out = set()
    for item in _NFC_RANGES.split():
        low, _, high = item.partition("-")
        out.update(range(int(low, 16), int(high or low, 16) + 1))
    return out


def _bases() -> dict[int, str]:
    """{code: the character it composes with} for every character that NFC joins to the one before it
    (per Python and per polars); every other character is tried after the letter a."""
    bases = {}
    for code in CODES:
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            bases.setdefault(int(parts[1], 16), chr(int(parts[0], 16)))
    nfd = pl.Series([chr(c) for c in CODES]).str.normalize("NFD")
    for pair in nfd.filter(nfd.str.len_chars() == 2).to_list():
        bases.setdefault(ord(pair[1]), pair[0])
    bases.update({c: "\u1100" for c in range(0x1161, 0x1176)})  # Hangul L + V
    bases.update({c: "\uac00" for c in range(0x11A8, 0x11C3)})  # Hangul LV + T
    return bases


@pytest.fixture(scope="module")
def texts() -> pl.DataFrame:
    """Every code point alone, after the letter a, after the character it composes with,
    and before U+0300 (a mark of class 230, which a mark of a higher class must follow)."""
    bases = _bases()
    frame = pl.DataFrame(
        {"code": CODES, "ch": [chr(c) for c in CODES], "base": [bases.get(c, "a") for c in CODES]}
    )
    ch = pl.col("ch")
    variants = [ch, "a" + ch, pl.col("base") + ch, ch + "\u0300", "\u0300" + ch]
    return pl.concat([frame.select("code", v.alias("text")) for v in variants]).unique()


def test_the_ranges_hold_everything_derived_from_unicodedata_and_polars():
    assert derive_nfc_suspects() <= _listed(), (
        "regenerate _NFC_RANGES in validators/text.py from derive_nfc_suspects()"
    )


def test_prefilter_flags_every_text_polars_nfc_changes(texts):
    text = pl.col("text")
    missed = texts.filter((text.str.normalize("NFC") != text) & ~text.str.contains(_NFC_SUSPECT))
    assert missed.is_empty(), [hex(c) for c in missed["code"].unique().sort().to_list()[:50]]


def test_prefilter_flags_every_text_python_nfc_changes(texts):
    changed = [t for t in texts["text"].to_list() if not unicodedata.is_normalized("NFC", t)]
    flagged = pl.Series(changed, dtype=pl.String).str.contains(_NFC_SUSPECT)
    missed = [t for t, hit in zip(changed, flagged.to_list()) if not hit]
    assert not missed, [" ".join(f"U+{ord(ch):04X}" for ch in t) for t in missed[:50]]


@pytest.mark.parametrize(
    "code",
    [
        0x09DC,
        0x0A33,
        0x0B5C,
        0x0F43,
        0x2ADC,
        0x1D15E,
        0x0958,
        0x2126,
        0x212B,
        0xF900,
        0x2F800,
        0x0344,
        0x0301,
    ],
)
def test_known_misses_of_the_old_prefilter_are_flagged(code):
    text = pl.Series(["x" + chr(code) + "y"])
    assert text.str.contains(_NFC_SUSPECT).item()


def test_plain_arabic_and_latin_are_not_suspects():
    text = pl.Series(["Damascus", "دمشق", "Jableh 12", "Idlib – Saraqib", "حلب"])
    assert not text.str.contains(_NFC_SUSPECT).any()


def test_text_nfc_finds_a_decomposed_letter_the_old_prefilter_missed(tmp_path):
    from validate_helpers import copy_package, edit

    from syria_incidents.validators import validate

    root = copy_package(tmp_path)
    edit(root, "places", "P-0007", name="Jableh \u0921\u093c")  # DDDHA as NFC writes it: no finding
    assert not [f for f in validate(root).errors if f.rule == "text-nfc"]
    line = edit(root, "places", "P-0007", name="Jableh \u09dc")
    found = [f for f in validate(root).errors if f.rule == "text-nfc"]
    assert [(f.row, f.field) for f in found] == [(line, "name")]
    assert "run syria-incidents fix" in found[0].message
