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
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}
# How each qualifier is phrased in English sources; the quote must carry the wording.
QUALIFIER_WORDING = {
    "at_least": re.compile(r"\bat least\b", re.I),
    "about": re.compile(r"\b(about|around|some|approximately|nearly)\b", re.I),
    "more_than": re.compile(r"\b(more than|over)\b", re.I),
    "at_most": re.compile(r"\b(up to|at most)\b", re.I),
}


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
        numbers = {int(n) for n in re.findall(r"\d+", fig.source_quote)}
        numbers |= {v for w, v in NUMBER_WORDS.items() if re.search(rf"\b{w}\b", fig.source_quote, re.I)}
        stated = fig.count_best if pd.notna(fig.count_best) else fig.count_low
        assert stated in numbers, f"{fig.figure_id}: {stated} not in {fig.source_quote!r}"


def test_qualifiers_match_the_wording_of_the_quote(frames):
    for fig in frames["casualties"].itertuples():
        pattern = QUALIFIER_WORDING.get(fig.qualifier)
        if pattern is not None:
            assert pattern.search(fig.source_quote), fig.figure_id
        else:  # exact: a bare number, none of the hedging words
            assert not any(p.search(fig.source_quote) for p in QUALIFIER_WORDING.values()), fig.figure_id


def test_count_bounds_follow_the_qualifier(frames):
    for fig in frames["casualties"].itertuples():
        low, best, high = (None if pd.isna(v) else int(v) for v in (fig.count_low, fig.count_best, fig.count_high))
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
