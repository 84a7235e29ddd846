"""Times as sources write them: value, unit, qualifier and origin kept; months derived; follow-up,
onset and resolution with their statistic and range; every mistake reported with its fix.

The corpus is tests/data/evidence, an abstract written for these tests (test data, no real study).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import EVIDENCE as EVIDENCE_DATA
from conftest import SOURCES, assert_refused, edit

from kg.core.model import Claim, Timepoint
from kg.curation.sources import load_sources
from kg.curation.yamlfile import SourceError

EVIDENCE = "articles/t1-abstract/evidence.yaml"


def _claim(claim_id: str, root: Path = EVIDENCE_DATA) -> Claim:
    return next(c for c in load_sources(root).claims if c.id == claim_id)


def test_a_timepoint_keeps_the_sources_unit_and_derives_months() -> None:
    outcome = _claim("pfvc-week-12").outcome
    assert outcome is not None
    assert outcome.timepoint == Timepoint(text="At week 12 after infusion", value=Decimal(12),
                                          unit="week", qualifier="at", since="infusion")
    assert outcome.timepoint.months == Decimal("2.76")  # 12 x 7 / 30.4375, derived
    assert outcome.timepoint.arithmetic() == (
        "12 week x 7 days / 30.4375 days per month = 2.76 months")


def test_follow_up_onset_and_resolution_are_fields_of_their_own() -> None:
    response = _claim("primary-response-follow-up").outcome
    icans = _claim("icans-grade-3-onset-resolution").outcome
    assert response is not None and icans is not None
    assert response.follow_up == Timepoint(
        text="Over a median follow-up of 20 months (range, 14-31)", value=Decimal(20),
        unit="month", statistic="median", low=Decimal(14), high=Decimal(31))
    assert icans.onset is not None and icans.resolution is not None
    assert (icans.onset.statistic, icans.onset.value, icans.onset.unit, icans.onset.since,
            icans.onset.low, icans.onset.high) == (
        "median", Decimal(5), "day", "infusion", Decimal(3), Decimal(8))
    assert (icans.resolution.qualifier, icans.resolution.value, icans.resolution.unit) == (
        "within", Decimal(28), "day")


def test_the_seed_articles_keep_times_as_written() -> None:
    claims = {c.id: c for c in load_sources(SOURCES).claims}
    weeks = claims["reset-myositis-tis-16w"].outcome
    icans = claims["icans-grade-3"].outcome
    assert weeks is not None and weeks.timepoint is not None
    assert (weeks.timepoint.value, weeks.timepoint.unit, weeks.timepoint.months) == (
        Decimal(16), "week", Decimal("3.68"))
    assert icans is not None and icans.resolution is not None
    assert (icans.resolution.text, icans.resolution.value, icans.resolution.unit) == (
        "within five days", Decimal(5), "day")


PFVC_TIME = "timepoint: {text: At week 12 after infusion, value: 12, unit: week, qualifier: at, " \
    "from: infusion}"
FOLLOW_UP = 'follow_up: {text: "Over a median follow-up of 20 months (range, 14-31)", ' \
    "statistic: median, value: 20, unit: month, range: [14, 31]}"

# (old text, new text, what the error must say)
BAD_TIMES = [
    # the old format: months instead of the value and unit as written
    pytest.param(PFVC_TIME, "timepoint: {text: At week 12 after infusion, months: 2.8}",
                 ["claim 'pfvc-week-12'", "not in months", "value: 16, unit: week"],
                 id="months-instead-of-value-and-unit"),
    pytest.param(PFVC_TIME, "timepoint: {text: At week 12 after infusion, value: 12}",
                 ["claim 'pfvc-week-12'", "needs both 'value:' and 'unit:'"],
                 id="value-without-unit"),
    pytest.param(PFVC_TIME, "timepoint: {text: At week 12, value: 12, unit: weeks}",
                 ["'weeks' is not a valid unit", "did you mean 'week'?"], id="unit-misspelt"),
    pytest.param(PFVC_TIME, "timepoint: {text: At week 12, value: 12, unit: week, "
                 "qualifier: around}",
                 ["'around' is not a valid qualifier", "at, by, within, after, up-to, at-least"],
                 id="unknown-qualifier"),
    pytest.param(PFVC_TIME, "timepoint: {text: At week 12, value: 12, unit: week, from: dosing}",
                 ["'dosing' is not a valid from", "infusion, baseline"], id="unknown-origin"),
    pytest.param(PFVC_TIME, "timepoint: {text: At week 12, value: 12, unit: week, range: [1, 2]}",
                 ["unknown field 'range' in timepoint"], id="a-timepoint-has-no-range"),
    pytest.param(FOLLOW_UP, FOLLOW_UP.replace("value: 20", "value: 35"),
                 ["claim 'primary-response-follow-up'", "follow-up range 14-31 does not contain "
                  "its median 35"], id="range-without-its-median"),
    pytest.param(FOLLOW_UP, FOLLOW_UP.replace("[14, 31]", "[31, 14]"),
                 ["runs from its lower bound to its upper bound, not 31-14"],
                 id="range-reversed"),
    pytest.param(FOLLOW_UP, FOLLOW_UP.replace("statistic: median", "statistic: mode"),
                 ["'mode' is not a valid statistic", "median, mean"], id="unknown-statistic"),
    # YAML split an unquoted value at ", " inside { }: the fix is quoting, not a list of fields
    pytest.param(FOLLOW_UP, FOLLOW_UP.replace('"Over a median follow-up of 20 months (range, '
                                              '14-31)"', "Over a median follow-up of 20 months "
                                              "(range, 14-31)"),
                 ["'14-31)' in follow_up reads as a field with no value",
                  "put this value in double quotes"], id="unquoted-value-with-comma"),
]


@pytest.mark.parametrize(("old", "new", "expected"), BAD_TIMES)
def test_a_bad_time_is_reported_with_claim_line_and_fix(
    evidence: Path, old: str, new: str, expected: list[str]
) -> None:
    edit(evidence / EVIDENCE, old, new)
    assert_refused(evidence, expected)


def test_a_value_with_colon_space_gets_put_it_in_double_quotes(evidence: Path) -> None:
    edit(evidence / EVIDENCE, "      population: patients with SSc\n",
         "      population: patients with SSc: all comers\n")
    with pytest.raises(SourceError) as err:
        load_sources(evidence)
    assert "evidence.yaml:16: YAML syntax error: mapping values are not allowed" in str(err.value)
    assert "put this value in double quotes" in str(err.value)
