"""'Did you mean' is offered for a typing slip of an allowed name, never for another word."""

from __future__ import annotations

import pytest

from kg.curation.spelling import close_spelling

FIELDS = ("statistic", "value", "unit", "numerator", "denominator", "median", "population",
          "follow_up", "direction")


@pytest.mark.parametrize(("name", "suggested"), [
    ("directon", "direction"),      # a missing letter
    ("statistc", "statistic"),      # a missing letter in a long name
    ("popluation", "population"),   # two letters swapped
    ("numerater", "numerator"),     # a wrong letter
    ("folow_up", "follow_up"),      # a missing letter in a name with an underscore
    ("vlaue", "value"),             # swapped letters in a short name
    ("mean", None),                 # another statistic, not a slip of "median"
    ("p_value", None),              # "value" inside it: another field, not a slip
    ("units", "unit"),              # a plural: one extra letter
    ("follow", None),               # a whole part of "follow_up": another word
    ("colour", None),               # nothing close
])
def test_close_spelling(name: str, suggested: str | None) -> None:
    assert close_spelling(name, FIELDS) == suggested
