"""The kinds of evidence statement, end to end from the command line: the test abstract of
tests/data/evidence (test data written for these tests) is built and validated, then queried,
traced and exported, and each kind of statement is checked in each output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, run

OUTCOME = "outcome:t1-abstract/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("evidence") / "build"
    code, text = run("build", "--sources", str(DATA / "evidence"), "--out", str(out))
    assert code == 0, text
    assert "validation: conforms" in text
    return out


@pytest.fixture(scope="module")
def exported(built: Path) -> dict[str, dict[str, Any]]:
    """The Cytoscape export's outcome nodes, by node id."""
    target = built / "export.json"
    code, text = run("export", "--format", "cytoscape", "--data", str(built), "-o", str(target))
    assert code == 0, text
    elements = json.loads(target.read_text(encoding="utf-8"))["elements"]
    return {n["data"]["id"]: n["data"] for n in elements["nodes"]
            if n["data"]["id"].startswith(OUTCOME)}


def query(built: Path, name: str, *params: str) -> list[dict[str, str]]:
    args = [a for p in params for a in ("--param", p)]
    code, text = run("query", name, "--data", str(built), "--format", "json", *args)
    assert code == 0, text
    rows: list[dict[str, str]] = json.loads(text)
    return rows


def trace(built: Path, claim: str, article: str = "t1-abstract") -> str:
    code, text = run("trace", f"res:outcome/{article}/{claim}", "--data", str(built))
    assert code == 0, text
    return text


# --- times as written -----------------------------------------------------------------------------


def test_follow_up_per_trial_gives_the_median_with_its_range(built: Path) -> None:
    rows = query(built, "follow_up_per_trial")
    assert [{k: r.get(k) for k in ("trial", "follow_up", "statistic", "value", "unit",
                                   "range_min", "range_max", "months", "claim")}
            for r in rows] == [{
        "trial": "TRIAL-ONE", "follow_up": "Over a median follow-up of 20 months (range, 14-31)",
        "statistic": "median", "value": "20", "unit": "month", "range_min": "14",
        "range_max": "31", "months": "20", "claim": "primary-response-follow-up"}]


def test_trace_shows_a_time_as_written_and_its_derived_months(built: Path) -> None:
    text = trace(built, "pfvc-week-12")
    for line in ("cart:timepointText 'At week 12 after infusion'", "cart:timepointValue '12'",
                 "cart:timepointUnit unit:WK", "cart:timepointQualifier 'at'",
                 "cart:timepointFrom 'infusion'", "cart:timepointMonths '2.76'"):
        assert line in text, line
    text = trace(built, "icans-grade-3-onset-resolution")
    for line in ("cart:onsetStatistic cart:Median", "cart:onsetMin '3'", "cart:onsetMax '8'",
                 "cart:resolutionText 'within 28 days'", "cart:resolutionUnit unit:DAY"):
        assert line in text, line


def test_the_export_carries_each_part_of_each_time(exported: dict[str, dict[str, Any]]) -> None:
    icans = exported[OUTCOME + "icans-grade-3-onset-resolution"]
    assert {k: icans[k] for k in icans if k.startswith(("onset", "resolution"))} == {
        "onset": "a median of 5 days after infusion (range, 3-8)", "onset_statistic": "median",
        "onset_value": 5.0, "onset_unit": "day", "onset_qualifier": "after",
        "onset_from": "infusion", "onset_min": 3.0, "onset_max": 8.0, "onset_months": 0.16,
        "resolution": "within 28 days", "resolution_value": 28.0, "resolution_unit": "day",
        "resolution_qualifier": "within", "resolution_months": 0.92}
    pfvc = exported[OUTCOME + "pfvc-week-12"]
    assert (pfvc["timepoint"], pfvc["timepoint_value"], pfvc["timepoint_unit"],
            pfvc["timepoint_months"]) == ("At week 12 after infusion", 12.0, "week", 2.76)


# --- statistics -----------------------------------------------------------------------------------


def test_outcomes_with_p_values_intervals_or_stated_significance(built: Path) -> None:
    rows = query(built, "outcomes_with_significance_or_intervals")
    assert [{k: v for k, v in r.items() if v is not None and k not in ("therapy", "trial")}
            for r in rows] == [
        {"measure": "modified Rodnan skin score", "statistic": "mean change", "value": "11.8",
         "unit": "points", "baseline": "24.1", "final": "12.3", "p_value": "<0.001",
         "article": "t1-abstract", "claim": "mrss-mean-change"},
        {"measure": "modified Rodnan skin score", "statistic": "qualitative",
         "significant": "true", "article": "t1-abstract", "claim": "skin-significant"},
        {"measure": "modified Rodnan skin score", "statistic": "mean change", "value": "13.9",
         "unit": "points", "baseline": "24.1", "final": "10.2", "article": "t2-update",
         "claim": "mrss-mean-change-52w"},
        {"measure": "progression-free survival", "statistic": "hazard ratio", "value": "0.45",
         "unit": "ratio", "ci_level": "95", "ci_low": "0.21", "ci_high": "0.96",
         "article": "t1-abstract", "claim": "pfs-hazard-ratio"}]


def test_derived_values_show_their_arithmetic(built: Path) -> None:
    rows = query(built, "derived_values")
    assert [(r["claim"], r["derivation"]) for r in rows if r["claim"] == "mrss-mean-change"] == [
        ("mrss-mean-change", "direction: final 12.3 vs baseline 24.1: decrease"),
        ("mrss-mean-change", "timepoint months: 16 week x 7 days / 30.4375 days per month = "
                             "3.68 months"),
        ("mrss-mean-change", "value: |12.3 - 24.1| = 11.8")]


def test_trace_and_export_carry_the_statistics(built: Path,
                                               exported: dict[str, dict[str, Any]]) -> None:
    text = trace(built, "pfs-hazard-ratio")
    for line in ("cart:hasStatistic cart:HazardRatio", "cart:hasUnit unit:UNITLESS",
                 "cart:ciLow '0.21'", "cart:ciHigh '0.96'", "cart:ciLevel '95'"):
        assert line in text, line
    mrss = exported[OUTCOME + "mrss-mean-change"]
    assert (mrss["baseline"], mrss["final"], mrss["value"], mrss["p_value"], mrss["p_relation"],
            mrss["data_cutoff"]) == (24.1, 12.3, 11.8, 0.001, "<", "2025-06-01")
    assert "value: |12.3 - 24.1| = 11.8" in mrss["derived"]
    assert exported[OUTCOME + "skin-significant"]["significant"] == "true"


# --- adverse events -------------------------------------------------------------------------------


def test_adverse_events_of_grade_3_or_higher_with_rates_and_times(built: Path) -> None:
    rows = query(built, "adverse_events_grade_3_or_higher")
    assert [{k: v for k, v in r.items() if k not in ("therapy", "trial", "article")}
            for r in rows] == [{
        "event": "immune effector cell-associated neurotoxicity syndrome", "grade": "3+",
        "patients": "2", "percent": "17", "of_patients": "12",
        "onset": "a median of 5 days after infusion (range, 3-8)",
        "resolution": "within 28 days", "reversible": "true",
        "claim": "icans-grade-3-onset-resolution"}]


def test_a_band_of_grades_and_an_explicit_zero(built: Path,
                                               exported: dict[str, dict[str, Any]]) -> None:
    rows = query(built, "safety_findings_for_therapy", "therapy=tx-cel")
    zero = next(r for r in rows if r["claim"] == "no-icans-after-week-4")
    assert (zero["statistic"], zero["value"], zero["unit"]) == ("count", "0", "patients")
    text = trace(built, "crs-grade-1-2")
    for line in ("cart:gradeMin '1'", "cart:gradeMax '2'", "cart:gradeText 'Grade 1-2'",
                 "cart:numerator '8'", "cart:value '67'"):
        assert line in text, line
    crs = exported[OUTCOME + "crs-grade-1-2"]
    assert (crs["grade_min"], crs["grade_max"], crs["numerator"], crs["value"]) == (1, 2, 8, 67.0)
    assert exported[OUTCOME + "icans-grade-3-onset-resolution"]["reversible"] == "true"


# --- data cuts and curator notes ------------------------------------------------------------------


def test_a_later_data_cut_supersedes_an_earlier_one_and_both_are_kept(built: Path) -> None:
    rows = query(built, "results_by_data_cut")
    assert [(r["data_cutoff"], r["status"], r["value"], r.get("superseded_by"), r["article"],
             r["claim"]) for r in rows] == [
        ("2025-06-01", "superseded", "11.8", "mrss-mean-change-52w", "t1-abstract",
         "mrss-mean-change"),
        ("2025-10-01", "current", "13.9", None, "t2-update", "mrss-mean-change-52w")]


def test_evidence_reports_the_succession_and_never_a_conflict_across_cuts(built: Path) -> None:
    code, text = run("evidence", "--data", str(built))
    assert code == 0, text
    assert ("Data-cut succession (the latest cut is current, earlier cuts are kept): 1\n"
            "  testabtagene autoleucel / modified Rodnan skin score in TRIAL-ONE:\n"
            "    [superseded] data cut-off 2025-06-01: t1-abstract mrss-mean-change: 11.8 points "
            "(After 16 weeks)\n"
            "    [current] data cut-off 2025-10-01: t2-update mrss-mean-change-52w: 13.9 points "
            "(after 52 weeks of follow-up)\n") in text
    assert "Outcome conflicts (same therapy, population, measure, timepoint; different values): 0" \
        in text
    assert "curator's note: A later data cut of the result of t1-abstract" in text


def test_trace_shows_the_curators_note(built: Path) -> None:
    text = trace(built, "mrss-mean-change-52w", "t2-update")
    assert "    curator's note: A later data cut of the result of t1-abstract (mrss-mean-change, " \
        "cut-off 2025-06-01).\n" in text
    assert "cart:dataCutoff '2025-10-01'" in text
