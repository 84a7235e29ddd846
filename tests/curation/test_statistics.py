"""Statistics beside a value, and the consistency checks of an outcome's numbers: each mistake is
an error naming the claim, with its fix. The corpus is tests/data/evidence (test data)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import EVIDENCE as EVIDENCE_DATA
from conftest import assert_refused, edit

from kg.core.model import Derivation, Interval, Statistics
from kg.curation.sources import load_sources
from kg.curation.statistics import half_unit

FILE = "articles/t1-abstract/evidence.yaml"


def test_a_change_given_by_its_two_values_gets_its_value_derived() -> None:
    claim = next(c for c in load_sources(EVIDENCE_DATA).claims if c.id == "mrss-mean-change")
    o = claim.outcome
    assert o is not None
    assert (o.value, o.direction, o.stats.baseline, o.stats.final) == (
        Decimal("11.8"), "decrease", Decimal("24.1"), Decimal("12.3"))
    assert (o.stats.p_value, o.stats.p_relation) == (Decimal("0.001"), "<")
    assert o.derived == (Derivation("value", "|12.3 - 24.1| = 11.8"),
                         Derivation("direction", "final 12.3 vs baseline 24.1: decrease"))
    assert claim.basis == "stated"  # the rest of the claim stays stated


def test_a_ratio_with_its_confidence_interval_and_a_significance_without_p() -> None:
    claims = {c.id: c.outcome for c in load_sources(EVIDENCE_DATA).claims}
    hr, skin = claims["pfs-hazard-ratio"], claims["skin-significant"]
    assert hr is not None and skin is not None
    assert (hr.statistic, hr.value, hr.unit, hr.stats) == (
        "hazard-ratio", Decimal("0.45"), "ratio",
        Statistics(ci=Interval(Decimal("0.21"), Decimal("0.96")), ci_level=Decimal(95)))
    assert (skin.stats.significant, skin.stats.p_value) == (True, None)


@pytest.mark.parametrize(("value", "half"), [
    (Decimal("81.8"), Decimal("0.05")),   # one decimal: 81.75 to 81.85
    (Decimal("17"), Decimal("0.5")),      # a whole percentage: 16.5 to 17.5
    (Decimal("0.45"), Decimal("0.005")),
])
def test_rounding_allows_half_a_unit_of_the_last_digit(value: Decimal, half: Decimal) -> None:
    assert half_unit(value) == half


MRSS = "      baseline: 24.1\n      final: 12.3\n"
P = '      p_value: "<0.001"\n'
HR = "      ci: [0.21, 0.96]\n      ci_level: 95\n"
PROPORTION = "      value: 81.8\n      unit: percent\n      numerator: 9\n      denominator: 11\n"
ICANS = "      numerator: 2\n      denominator: 12\n"

# (old text, new text, what the error must say)
BAD = [
    # statistics
    pytest.param(MRSS, MRSS + "      value: 9.8\n",
                 ["claim 'mrss-mean-change'", "the change 9.8 does not match baseline 24.1 and "
                  "final 12.3 (|12.3 - 24.1| = 11.8)"], id="change-not-its-two-values"),
    pytest.param(MRSS, MRSS + "      direction: increase\n",
                 ["direction 'increase' contradicts baseline 24.1 and final 12.3 (decrease)"],
                 id="direction-against-its-two-values"),
    pytest.param(P, '      p_value: "p<<0.001"\n',
                 ["p_value 'p<<0.001' is not a p-value", 'p_value: "<0.001" (quoted)'],
                 id="p-value-unreadable"),
    pytest.param(P, "      p_value: 1.2\n", ["p_value '1.2' is not a p-value"],
                 id="p-value-above-1"),
    pytest.param(HR, "      ci: [0.21, 0.96]\n",
                 ["claim 'pfs-hazard-ratio'", "a confidence interval needs its level"],
                 id="ci-without-level"),
    pytest.param(HR, "      ci: [0.5, 0.96]\n      ci_level: 95\n",
                 ["the ci 0.5-0.96 does not contain the value 0.45"], id="ci-without-estimate"),
    pytest.param(HR, "      ci: [0.96, 0.21]\n      ci_level: 95\n",
                 ["ci runs from its lower bound to its upper bound"], id="ci-reversed"),
    pytest.param("      unit: ratio\n", "      unit: percent\n",
                 ["a hazard-ratio has unit 'ratio', not 'percent'"], id="ratio-in-percent"),
    pytest.param("      significant: true\n", "      significant: yes please\n",
                 ["field 'significant' in outcome must be"], id="significant-not-boolean"),
    pytest.param("      baseline: 24.1\n", "      mean: 24.1\n",
                 ["unknown field 'mean' in outcome", "Allowed fields"],
                 id="mean-is-not-offered-median"),
    # consistency checks
    pytest.param(PROPORTION, PROPORTION.replace("81.8", "80"),
                 ["claim 'primary-response-follow-up'", "80% does not match 9 of 11 (81.82%), "
                  "even allowing for rounding"], id="percentage-against-its-fraction"),
    pytest.param(ICANS, ICANS.replace("numerator: 2", "numerator: 13"),
                 ["claim 'icans-grade-3-onset-resolution'", "numerator 13 exceeds denominator "
                  "12", "numerator 13 exceeds the population of 12"],
                 id="numerator-above-denominator-and-population"),
    pytest.param(ICANS, ICANS.replace("denominator: 12", "denominator: 14"),
                 ["denominator 14 exceeds the population of 12"],
                 id="denominator-above-population"),
    pytest.param("      data_cutoff: 2025-06-01\n", "      data_cutoff: 2026-01-31\n",
                 ["claim 'mrss-mean-change'", "data cut-off 2026-01-31 is after the article's "
                  "date 2025-11-01"], id="cutoff-after-article"),
    # grades of adverse events
    pytest.param("      grade_min: 1\n      grade_max: 2\n",
                 "      grade_min: 2\n      grade_max: 1\n",
                 ["claim 'crs-grade-1-2'", "grade band 2-1 runs backwards"], id="band-reversed"),
    pytest.param("      grade_min: 3\n", "      grade_min: 3\n      grade: 3\n",
                 ["one grade or a grade band, not both"], id="grade-and-band"),
    pytest.param("      grade_min: 3\n", "      grade_min: 6\n",
                 ["grade min 6 is outside 1-5"], id="grade-outside-its-scale"),
    pytest.param("      reversible: true\n", "      reversible: mostly\n",
                 ["field 'reversible' in outcome must be true or false"],
                 id="reversible-not-boolean"),
    pytest.param("      data_cutoff: 2025-06-01\n", "      data_cutoff: June 2025\n",
                 ["data_cutoff 'June 2025' is not a valid date", "YYYY-MM-DD"],
                 id="cutoff-not-a-date"),
]


@pytest.mark.parametrize(("old", "new", "expected"), BAD)
def test_inconsistent_numbers_are_an_error_naming_the_claim(
    evidence: Path, old: str, new: str, expected: list[str]
) -> None:
    edit(evidence / FILE, old, new)
    assert_refused(evidence, expected)


def test_a_percentage_rounded_by_the_source_is_accepted() -> None:
    # "2 of 12 patients (17%)": 2 of 12 is 16.67%, which the source rounded to 17
    claims = {c.id: c.outcome for c in load_sources(EVIDENCE_DATA).claims}
    icans = claims["icans-grade-3-onset-resolution"]
    assert icans is not None
    assert (icans.value, icans.numerator, icans.denominator) == (Decimal(17), 2, 12)
