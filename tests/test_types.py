"""The type casts accept exactly the forms the type rule documents."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from syria_incidents.validators.structural import INTEGER_RE, NUMBER_RE, typed_value

number_like = st.text(alphabet="0123456789+-. eE_x١٢\t", max_size=24) | st.text(max_size=8)


def _cast(kind: str, values: list[str]) -> list:
    frame = pl.DataFrame({"v": values}, schema={"v": pl.String})
    return frame.select(typed_value({"name": "v", "type": kind}))["v"].to_list()


@settings(max_examples=300, deadline=None)
@given(st.lists(number_like, min_size=1, max_size=30))
@example(
    [
        "+5",
        "-0",
        " 5",
        "5 ",
        "٥",
        "0x5",
        "5_000",
        "1e3",
        "05",
        "",
        "+",
        "-",
        "+-5",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
    ]
)
def test_an_integer_is_a_sign_and_digits_that_fit_in_64_bits(values):
    for value, cast in zip(values, _cast("integer", values)):
        fits = re.fullmatch(INTEGER_RE.strip("^$"), value) and -(2**63) <= int(value) < 2**63
        assert (cast is not None) == bool(fits), value
        if fits:
            assert cast == int(value)


@settings(max_examples=200, deadline=None)
@given(st.lists(number_like, min_size=1, max_size=30))
def test_a_number_matches_the_number_form(values):
    for value, cast in zip(values, _cast("number", values)):
        assert (cast is not None) == bool(re.fullmatch(NUMBER_RE.strip("^$"), value)), value


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="0123456789-+ /T", max_size=12), min_size=1, max_size=30))
@example(
    [
        "2025-03-07",
        "2025-3-07",
        "+202-03-07",
        "-202-03-07",
        " 2025-03-07",
        "2025-02-29",
        "2024-02-29",
        "0000-01-01",
        "0001-01-01",
        "9999-12-31",
    ]
)
def test_a_date_is_written_yyyy_mm_dd_and_exists(values):
    for value, cast in zip(values, _cast("date", values)):
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            assert cast is None, value
        else:
            year, month, day = map(int, value.split("-"))
            try:
                expected = dt.date(year, month, day)  # as frictionless reads it: no year 0
            except ValueError:
                expected = None
            assert cast == expected, value
