"""An article's independent origin: the end of what it derives from (kg.core.origins)."""

from __future__ import annotations

import pytest

from kg.core.origins import article_origins

DOI = "https://doi.org/10.5555/x"
NAMES = {"A": "a", "B": "b", "C": "c", "D": "d"}  # article IRI -> identifier


@pytest.mark.parametrize(("derived", "expected"), [
    # nothing derived: each article is its own origin
    ({}, {"A": "a", "B": "b", "C": "c", "D": "d"}),
    # a news item (B) summarising a release (A), and one (C) summarising that news item
    ({"B": {"A"}, "C": {"B"}}, {"A": "a", "B": "a", "C": "a", "D": "d"}),
    # a source outside the corpus is named by its IRI
    ({"B": {DOI}}, {"A": "a", "B": DOI, "C": "c", "D": "d"}),
    # two ends: the least name
    ({"C": {"B", "A"}}, {"A": "a", "B": "b", "C": "a", "D": "d"}),
    # a cycle has no end: each article in it is its own origin...
    ({"A": {"B"}, "B": {"A"}}, {"A": "a", "B": "b", "C": "c", "D": "d"}),
    # ...unless the cycle leads on to an end
    ({"A": {"B"}, "B": {"A", "D"}}, {"A": "d", "B": "d", "C": "c", "D": "d"}),
])
def test_an_articles_origin_is_the_end_of_its_derivation(
        derived: dict[str, set[str]], expected: dict[str, str]) -> None:
    assert article_origins(NAMES, derived, NAMES) == expected
