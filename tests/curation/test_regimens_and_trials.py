"""What was given (a claim's regimen) and trials as studies (a claim's study, the endpoint an
outcome reports, a cohort across a sponsor's trials): what the loader reads, and each mistake an
error naming the claim, with its fix. The corpus is tests/data/evidence (test data)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from conftest import EVIDENCE as EVIDENCE_DATA
from conftest import assert_refused, edit

from kg.core.model import AgentDose, Amount, Claim, Endpoint, Timepoint
from kg.curation.sources import load_sources

REGIMEN = "articles/t3-regimen/evidence.yaml"
TRIAL = "articles/t4-trial/evidence.yaml"


@pytest.fixture(scope="module")
def claims() -> dict[str, Claim]:
    return {c.id: c for c in load_sources(EVIDENCE_DATA).claims}


def test_a_dose_is_kept_as_written_with_its_number_unit_and_basis(
        claims: dict[str, Claim]) -> None:
    regimen = claims["dose-and-lymphodepletion"].regimen
    assert regimen is not None
    assert regimen.dose == Amount(text="1x10^6 CAR T cells/kg", value=Decimal(1000000),
                                  unit="cells", per="kg")
    assert regimen.infusion == "single"
    assert regimen.lymphodepletion == (
        AgentDose("fludarabine", Amount("25 mg/m2/day", Decimal(25), "mg", "m2"), 3),
        AgentDose("cyclophosphamide", Amount("1000 mg/m2", Decimal(1000), "mg", "m2"), 1))


def test_a_flat_dose_of_two_co_infused_products_and_a_repeated_infusion(
        claims: dict[str, Claim]) -> None:
    combined = claims["co-infused-with-bx-cel"].regimen
    repeated = claims["second-infusion"].regimen
    assert combined is not None and combined.dose is not None and repeated is not None
    assert (combined.dose.value, combined.dose.per, combined.combined_with,
            combined.combination) == (Decimal(50000000), None, ("bx-cel",), "co-infused")
    assert (repeated.infusion, repeated.infusion_count, repeated.dose) == ("repeated", 2, None)


def test_a_study_an_endpoint_its_outcome_reports_and_a_cohort_across_trials(
        claims: dict[str, Claim]) -> None:
    study = claims["trial-two-design-status-endpoints"].study
    assert study is not None
    assert (study.designs, study.status, study.enrolment_kind, study.enrolment) == (
        ("single-arm", "open-label", "multicentre", "dose-escalation", "basket"), "recruiting",
        "planned", 36)
    window = Timepoint(text="within 28 days of infusion", value=Decimal(28), unit="day",
                       qualifier="within", since="infusion")
    assert study.endpoints[0] == Endpoint(
        "dlt-28d", "primary", "dlt", "dose-limiting toxicities (DLTs) within 28 days of infusion",
        window)
    outcome = claims["no-dlt-first-6"].outcome
    assert outcome is not None
    assert outcome.endpoint == Endpoint("dlt-28d", "primary", "dlt")
    cohort = claims["dosed-across-trials"].cohort
    assert cohort is not None
    assert (cohort.trials, cohort.sponsor, cohort.size) == ((), "acme-bio", 24)


DOSE = 'dose: {text: 1x10^6 CAR T cells/kg, value: "1x10^6", unit: cells, per: kg}'
SINGLE = "      infusion: single\n"
COMBINED = "      combined_with: [bx-cel]\n      combination: co-infused\n"
DESIGN = "      design: [single-arm, open-label, multicentre, dose-escalation, basket]\n"
ROLE = "          role: primary\n"
OUTCOME_ENDPOINT = "      endpoint: {id: dlt-28d, role: primary}\n"
COHORT = "      sponsor: acme-bio\n"

# (file, old text, new text, what the error must say)
BAD = [
    # what was given
    pytest.param(REGIMEN, DOSE, DOSE.replace('"1x10^6"', '"a million"'),
                 ["claim 'dose-and-lymphodepletion'", "dose value 'a million' is not a positive "
                  "number", '"1x10^6"'], id="dose-value-unreadable"),
    pytest.param(REGIMEN, DOSE, DOSE.replace("unit: cells", "unit: cells/kg"),
                 ["'cells/kg' is not a valid unit", "Use one of: cells, mg"],
                 id="dose-unit-with-its-basis"),
    pytest.param(REGIMEN, DOSE, DOSE.replace("per: kg", "per: lb"),
                 ["'lb' is not a valid per", "Use one of: kg, m2"], id="dose-per-unknown"),
    pytest.param(REGIMEN, DOSE, DOSE.replace(', unit: cells', ''),
                 ["a dose with a number needs its unit"], id="dose-value-without-unit"),
    pytest.param(REGIMEN, SINGLE, SINGLE + "      infusion_count: 2\n",
                 ["infusion_count 2 does not fit infusion: single"], id="single-infused-twice"),
    pytest.param(REGIMEN, SINGLE, "      infusion: twice\n",
                 ["'twice' is not a valid infusion", "single, repeated"], id="infusion-unknown"),
    pytest.param(REGIMEN, COMBINED, "      combined_with: [bx-cel]\n",
                 ["claim 'co-infused-with-bx-cel'", "a combination names the other products and "
                  "how they were given"], id="combination-without-its-mode"),
    pytest.param(REGIMEN, COMBINED, COMBINED.replace("bx-cel", "tx-cel"),
                 ["'tx-cel' is combined with itself"], id="combined-with-itself"),
    pytest.param(REGIMEN, "{agent: fludarabine,", "{agent: fludarabin,",
                 ["unknown entity key 'fludarabin' for agent", "did you mean 'fludarabine'"],
                 id="agent-misspelt"),
    pytest.param(REGIMEN, "{agent: fludarabine,", "{agent: tx-cel,",
                 ["agent must be one of drugs, but 'tx-cel' is in therapies"],
                 id="agent-not-a-drug"),
    pytest.param(REGIMEN, "days: 3}", "days: 0}", ["an agent given on 0 days was not given"],
                 id="agent-on-no-day"),
    pytest.param(REGIMEN, "      infusion: repeated\n      infusion_count: 2\n", "",
                 ["claim 'second-infusion'", "a regimen says what was given"],
                 id="regimen-that-gives-nothing"),
    # trials and endpoints
    pytest.param(TRIAL, DESIGN, DESIGN.replace("single-arm", "single-armed"),
                 ["'single-armed' is not a valid design", "did you mean 'single-arm'?"],
                 id="design-misspelt"),
    pytest.param(TRIAL, "      status: recruiting\n", "      status: ongoing\n",
                 ["'ongoing' is not a valid status", "active-not-recruiting"],
                 id="status-unknown"),
    pytest.param(TRIAL, "{kind: planned, count: 36}", "{kind: expected, count: 36}",
                 ["'expected' is not a valid kind", "planned, actual"], id="enrolment-kind"),
    pytest.param(TRIAL, ROLE, "          role: key\n",
                 ["'key' is not a valid role", "primary, secondary, exploratory"],
                 id="endpoint-role-unknown"),
    pytest.param(TRIAL, "        - id: doris-week-24\n", "        - id: dlt-28d\n",
                 ["endpoint id 'dlt-28d' is listed twice"], id="endpoint-id-twice"),
    pytest.param(TRIAL, OUTCOME_ENDPOINT, "      endpoint: {id: dlt-28d, role: primary, "
                 "measure: dlt}\n", ["the endpoint an outcome reports has the outcome's measure"],
                 id="outcome-endpoint-with-a-measure"),
    pytest.param(TRIAL, "      trial: trial-two\n      indication: systemic-sclerosis\n",
                 "      indication: systemic-sclerosis\n",
                 ["claim 'no-dlt-first-6'", "an endpoint belongs to a trial"],
                 id="endpoint-without-a-trial"),
    pytest.param(TRIAL, COHORT, "", ["claim 'dosed-across-trials'", "a cohort belongs to a "
                 "trial, or spans trials of one sponsor"], id="cohort-of-no-trial"),
    pytest.param(TRIAL, COHORT, "      sponsor: trial-two\n",
                 ["sponsor must be one of sponsors, organizations, but 'trial-two' is in trials"],
                 id="cohort-sponsor-a-trial"),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), BAD)
def test_a_mistake_in_what_was_given_or_in_a_trial_is_an_error_naming_the_claim(
    evidence: Path, file: str, old: str, new: str, expected: list[str]
) -> None:
    edit(evidence / file, old, new)
    assert_refused(evidence, expected)


@pytest.mark.parametrize(("written", "value"), [
    ('"1x10^6"', Decimal(1000000)),    # as papers write it
    ('"1 × 10^6"', Decimal(1000000)),  # with spaces and a times sign
    ('"2.5E+8"', Decimal(250000000)),  # e-notation
    ("1000000", Decimal(1000000)),     # a plain number
])
def test_a_dose_value_is_read_as_sources_write_large_numbers(
        evidence: Path, written: str, value: Decimal) -> None:
    edit(evidence / REGIMEN, 'value: "1x10^6"', f"value: {written}")
    claim = next(c for c in load_sources(evidence).claims if c.id == "dose-and-lymphodepletion")
    assert claim.regimen is not None and claim.regimen.dose is not None
    assert claim.regimen.dose.value == value
