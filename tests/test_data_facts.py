"""Invariants of the data that a reader relies on, checked directly on the loaded
tables (independently of the validation toolkit).

Every invariant runs over every row of the bundled data (whatever the release: no
count, id or version is named) and of the frozen 0.1.0 fixture; facts of one release
(SNHR's 240 is F-0001) are checked on the fixture only.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
from validate_helpers import FIXTURE_ROOT, REPO_ROOT

import syria_incidents as si

PACKAGES = {"bundled": REPO_ROOT, "fixture-0.1.0": FIXTURE_ROOT}

NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "dozens": None,
    "a dozen": 12,
    "two dozen": 24,
    "cinq": 5,
    "six femmes": 6,
    "quatre": 4,
    "trois": 3,
    "ثلاث": 3,
    "ثلاثة": 3,
    "أربع": 4,
    "أربعة": 4,
    "خمس": 5,
    "خمسة": 5,
    "ست": 6,
    "ستة": 6,
    "أحد": 1,
    "واحد": 1,
    "اثنان": 2,
    "sjö": 7,
    "اثنين": 2,
    "سبع": 7,
    "سبعة": 7,
    "ثماني": 8,
    "ثمانية": 8,
    "تسع": 9,
    "تسعة": 9,
    "عشر": 10,
    "عشرة": 10,
}
# A number as sources write it: 1,383 / 1.383 / 1 383 / ١٣٨٣ (\d matches every script's digits).
NUMBER = re.compile(r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?!\d)|\d+")
# How each qualifier is phrased, in the languages the sources use; the quote must carry it.
QUALIFIER_WORDING = {
    "at_least": re.compile(r"\bat least\b|\bau moins\b|\bal menos\b|على الأقل|ما لا يقل عن|لا يقل عن", re.I),
    "about": re.compile(
        r"\b(about|around|some|approximately|nearly|almost|roughly|an estimated|estimated|environ|"
        r"près de|quelque|unos|alrededor de|cerca de)\b|نحو|حوالي|قرابة|زهاء|ما يقارب|تقريبا",
        re.I,
    ),
    "more_than": re.compile(
        r"\b(more than|over|plus de|más de|exceed\w*|surpass\w*|above)\b|أكثر من|يزيد عن|"
        r"تجاوز|يفوق|ما يزيد",
        re.I,
    ),
    "at_most": re.compile(r"\b(up to|at most)\b|حتى", re.I),
}


def numbers_in(text: str) -> set[int]:
    """Every number the text states, in digits of any script or (for small ones) in words."""
    found = {int(re.sub(r"[,.\u00a0\u202f ]", "", n)) for n in NUMBER.findall(text)}
    found |= {
        v
        for w, v in NUMBER_WORDS.items()
        if v is not None and re.search(rf"(?<!\w)(?:و)?{w}(?!\w)", text, re.I)
    }
    return found


@pytest.fixture(scope="module", params=sorted(PACKAGES))
def package(request):
    return PACKAGES[request.param]


@pytest.fixture(scope="module")
def frames(package):
    return si.load_all(package)


def test_every_foreign_key_resolves(package, frames):
    checked = 0
    for res in si.descriptor(package)["resources"]:
        table = res["name"]
        for fk in res["schema"]["foreignKeys"]:
            column, key = fk["fields"][0], fk["reference"]["fields"][0]
            target = fk["reference"].get("resource") or table
            values = frames[table][column].dropna()
            missing = sorted(set(values) - set(frames[target][key]))
            assert not missing, f"{table}.{column} points to missing {target}: {missing}"
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("table", ["incidents", "casualties", "statements"])
def test_every_record_cites_a_source(frames, table):
    assert frames[table]["source_id"].notna().all()
    assert set(frames[table]["source_id"]) <= set(frames["sources"]["source_id"])


def test_every_source_is_cited(frames):
    cited = pd.concat([frames[t]["source_id"] for t in ("incidents", "casualties", "statements")])
    assert set(frames["sources"]["source_id"]) <= set(cited)


def test_every_figure_has_a_quote_carrying_its_number(frames):
    for fig in frames["casualties"].itertuples():
        assert isinstance(fig.source_quote, str) and fig.source_quote.strip(), fig.figure_id
        stated = fig.count_best if pd.notna(fig.count_best) else fig.count_low
        if fig.qualifier == "more_than" and pd.isna(fig.count_best):
            stated = fig.count_low - 1  # "more than 1,000" is stored as count_low 1001
        if fig.qualifier == "at_most" and pd.isna(fig.count_best):
            stated = fig.count_high
        assert stated in numbers_in(fig.source_quote), (
            f"{fig.figure_id}: {stated} not in {fig.source_quote!r}"
        )


def test_qualifiers_match_the_wording_of_the_quote(frames):
    for fig in frames["casualties"].itertuples():
        pattern = QUALIFIER_WORDING.get(fig.qualifier)
        if pattern is not None:
            assert pattern.search(fig.source_quote), (fig.figure_id, fig.qualifier, fig.source_quote)
        elif fig.qualifier == "exact":
            # A bare number: no hedging word right before it ("at least 240" is not exact).
            number = int(fig.count_best)
            for match in NUMBER.finditer(fig.source_quote):
                if int(re.sub(r"[,.\u00a0\u202f ]", "", match.group())) == number:
                    before = fig.source_quote[max(0, match.start() - 16) : match.start()]
                    assert not any(p.search(before) for p in QUALIFIER_WORDING.values()), (
                        fig.figure_id,
                        fig.source_quote,
                    )


def test_count_bounds_follow_the_qualifier(frames):
    for fig in frames["casualties"].itertuples():
        low, best, high = (
            None if pd.isna(v) else int(v) for v in (fig.count_low, fig.count_best, fig.count_high)
        )
        if fig.qualifier == "exact":
            assert low == best == high is not None, fig.figure_id
        elif fig.qualifier == "at_least":
            assert low == best and high is None, fig.figure_id
        elif fig.qualifier == "about":
            assert best is not None, fig.figure_id


def test_subtotals_add_up_and_share_the_parents_outcome(frames):
    figures = frames["casualties"].set_index("figure_id")
    children = figures[figures["parent_figure_id"].notna()]
    for parent_id, group in children.groupby("parent_figure_id"):
        parent = figures.loc[parent_id]
        if pd.notna(parent["count_best"]):  # "more than 100" has no best to compare with
            assert group["count_best"].sum() <= parent["count_best"], parent_id
        if pd.notna(parent["count_high"]):
            assert group["count_low"].sum() <= parent["count_high"], parent_id
        assert (group["outcome"] == parent["outcome"]).all(), parent_id


def test_statements_have_a_quote_or_a_summary(frames):
    statements = frames["statements"]
    assert (statements["quote"].notna() | statements["summary"].notna()).all()


def test_the_0_1_0_fixture_has_subtotals_for_the_invariants_to_check():
    figures = si.load("casualties", FIXTURE_ROOT)
    assert figures["parent_figure_id"].notna().sum() > 0


def test_snhr_total_and_its_parts():
    """The anchor of the coastal figures in 0.1.0: SNHR's "at least 240", including 100 and 15."""
    frames = si.load_all(FIXTURE_ROOT)
    figures = frames["casualties"].set_index("figure_id")
    snhr = frames["actors"].set_index("actor_id").loc[figures.loc["F-0001", "reported_by_actor_id"], "name"]
    assert "SNHR" in snhr
    parts = figures[figures["parent_figure_id"] == "F-0001"]
    assert sorted(parts["count_best"].tolist()) == [15, 100]
    assert set(parts["victim_group"]) == {"civilians", "security_forces"}
