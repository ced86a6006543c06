"""Id codes: equal codes exactly for equal ids, and the ids come back from their codes."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from syria_incidents.validators.ids import IRREGULAR, IdCodec, id_prefix

regular_ids = st.builds(
    lambda letters, digits: f"{letters}-{digits}",
    st.sampled_from(["F", "I", "S", "A", "P", "ST", "XYZ"]),
    st.text(alphabet="0123456789", min_size=1, max_size=14),
)
odd_ids = st.text(min_size=0, max_size=12) | st.sampled_from(
    ["F-+12", "F-0x1", "F-١٢", "f-0001", "F-12 ", "F--1"]
)
values = st.lists(st.none() | regular_ids | odd_ids, min_size=1, max_size=40)


@settings(max_examples=200, deadline=None)
@given(left=values, right=values)
def test_codes_are_equal_exactly_when_the_ids_are(left, right):
    codec = IdCodec()
    size = max(len(left), len(right))
    frame = pl.DataFrame(
        {"a": left + [None] * (size - len(left)), "b": right + [None] * (size - len(right))},
        schema={"a": pl.String, "b": pl.String},
    )
    coded = codec.encode(frame, {"a": "F", "b": "ST"})
    assert coded.schema == {"a": pl.UInt64, "b": pl.UInt64}
    texts = [v for v in frame["a"].to_list() + frame["b"].to_list()]
    codes = coded["a"].to_list() + coded["b"].to_list()
    for text, code in zip(texts, codes):
        assert (text is None) == (code is None)
    pairs = [(t, c) for t, c in zip(texts, codes) if t is not None]
    for t1, c1 in pairs:
        for t2, c2 in pairs:
            assert (t1 == t2) == (c1 == c2)
    assert codec.readable(coded).equals(frame)


def test_regular_ids_need_no_table_and_others_are_numbered():
    codec = IdCodec()
    assert codec.code("F-0001") < IRREGULAR and codec.code("F-0001") != codec.code("F-00001")
    assert codec.code("F-1234567890123") >= IRREGULAR  # 13 digits: beyond the packed form
    assert codec.code("not an id") == codec.code("not an id") >= IRREGULAR


def test_a_matched_pattern_stands_in_for_the_regex():
    codec = IdCodec()
    frame = pl.DataFrame({"a": ["F-0001", "F-0002", "F-+003"], "matched": [True, True, False]})
    told = codec.encode(frame, {"a": "F"}, {"a": pl.col("matched")})
    assert told.equals(codec.encode(frame, {"a": "F"}))


def test_id_prefix_reads_only_regular_id_patterns():
    assert id_prefix({"constraints": {"pattern": "^ST-[0-9]{4,}$"}}) == "ST"
    assert id_prefix({"constraints": {"pattern": "^F-[0-9]{4,8}$"}}) == "F"
    assert id_prefix({"constraints": {"pattern": "^https?://\\S+$"}}) is None
    assert id_prefix({"constraints": {"pattern": "^F-[0-9a-z]{4,}$"}}) is None
    assert id_prefix({}) is None
