"""The library queries on a registry record's results: outcome values, analyses, adverse events.

Built from tests/data/ctgov: the real, unmodified record NCT00791778 (24 outcome measures of two
groups, three hazard-ratio analyses, 44 serious and 54 other adverse events in two groups) and a
test article about its trial. Every row's value is checked against the record itself, at the JSON
Pointer the row gives.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CTGOV, RECORD, run

from kg.core.record_model import resolve_pointer
from kg.query.library import QUERIES, load_query
from kg.query.run import rdflib_dataset, run_query, run_query_rdflib
from kg.store.store import GraphStore

Rows = list[dict[str, str | None]]
NCT, TRIAL, RETRIEVED = "NCT00791778", "Sorafenib maintenance in ovarian cancer", "2026-09-02"
SORAFENIB, PLACEBO = "Sorafenib (Nexavar, BAY43-9006)", "Placebo"
OM = "/resultsSection/outcomeMeasuresModule/outcomeMeasures"
AE = "/resultsSection/adverseEventsModule"
PFS = "Progression-free Survival (PFS), Based on Radiological or Pathologic Assessment"
CA125 = "Time to First Pathologic CA-125 (Cancer-associated Tumor Marker) Serum Level"
OS = "Overall Survival (OS)"
QUERY_NAMES = ["registry_results", "registry_analyses", "registry_adverse_events"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ctgov") / "build"
    code, output = run("build", "--sources", str(CTGOV), "--out", str(out))
    assert code == 0, output
    return out


@pytest.fixture(scope="module")
def document() -> object:
    return json.loads(RECORD.read_text(encoding="utf-8"))


def rows_of(built: Path, name: str) -> Rows:
    code, out = run("query", name, "--data", str(built), "--format", "json")
    assert code == 0, out
    rows: Rows = json.loads(out)
    return rows


def pick(rows: Rows, *columns: str) -> list[tuple[str | None, ...]]:
    return [tuple(row.get(c) for c in columns) for row in rows]


def test_registry_results_lists_every_value_of_every_group(built: Path) -> None:
    rows = rows_of(built, "registry_results")
    assert len(rows) == 48  # 24 measures, two groups each
    assert {(r["record"], r["trial"], r["retrieved"]) for r in rows} == {(NCT, TRIAL, RETRIEVED)}
    assert [r["type"] for r in rows].count("primary") == 2
    # (type, measure, group, statistic, value, unit, dispersion, lower, upper, of participants)
    assert [r for r in pick(rows, "type", "measure", "group", "statistic", "value", "unit",
                            "dispersion", "lower", "upper", "of_participants")
            if r[0] != "other pre specified"] == [
        ("primary", PFS, PLACEBO, "median", "478", "Days", "95% Confidence Interval", "337",
         "567", "123"),
        ("primary", PFS, SORAFENIB, "median", "386", "Days", "95% Confidence Interval", "230",
         "691", "123"),
        # the record gives "NA" for the median and its interval: the text is kept
        ("secondary", OS, PLACEBO, "median", "NA", "Days", "95% Confidence Interval", "NA", "NA",
         "123"),
        ("secondary", OS, SORAFENIB, "median", "NA", "Days", "95% Confidence Interval", "NA", "NA",
         "123"),
        # an upper limit the record could not estimate; denominators differ between groups
        ("secondary", CA125, PLACEBO, "median", "617", "Days", "95% Confidence Interval", "392",
         "NA", "111"),
        ("secondary", CA125, SORAFENIB, "median", "337", "Days", "95% Confidence Interval", "197",
         "NA", "119"),
    ]
    pfs = next(r for r in rows if r["measure"] == PFS and r["group"] == SORAFENIB)
    assert pfs["pointer"] == f"{OM}/0/classes/0/categories/0/measurements/0/value"
    assert pfs["time_frame"] == ("From randomization of the first patient until 32.5 months "
                                 "later, assessed every 8 weeks")
    # a mean with its standard deviation
    fosi = next(r for r in rows if r["measure"] == "Change From Baseline in FOSI Total Score at "
                "Cycle 3" and r["group"] == PLACEBO)
    assert pick([fosi], "statistic", "value", "unit", "dispersion", "spread", "of_participants"
                ) == [("mean", "0.46", "Scores on a scale", "Standard Deviation", "3.128", "105")]


def test_each_registry_result_is_the_value_at_its_pointer(built: Path, document: object) -> None:
    for row in rows_of(built, "registry_results"):
        assert row.get("pointer") and row.get("value"), row
        found = resolve_pointer(document, row["pointer"])
        assert found == row["value"] or Decimal(found) == Decimal(row["value"]), row


def test_registry_analyses_give_the_estimate_interval_and_p_value(built: Path) -> None:
    rows = rows_of(built, "registry_analyses")
    compared = f"{PLACEBO} vs {SORAFENIB}"
    assert pick(rows, "record", "type", "measure", "groups", "compared", "statistic", "estimate",
                "ci_level", "ci_low", "ci_high", "ci_sides", "p_value", "method", "pointer") == [
        (NCT, "primary", PFS, "2", compared, "hazard ratio", "1.09", "95", "0.72", "1.63",
         "TWO_SIDED", "=0.655", "Log Rank", f"{OM}/0/analyses/0"),
        (NCT, "secondary", OS, "2", compared, "hazard ratio", "1.49", "95", "0.69", "3.23",
         "TWO_SIDED", "=0.84", "Log Rank", f"{OM}/2/analyses/0"),
        (NCT, "secondary", CA125, "2", compared, "hazard ratio", "1.43", "95", "0.93", "2.2",
         "TWO_SIDED", "=0.951", "Log Rank", f"{OM}/1/analyses/0"),
    ]


def test_registry_adverse_events_count_each_group(built: Path, document: object) -> None:
    rows = rows_of(built, "registry_adverse_events")
    assert len(rows) == (44 + 54) * 2
    assert [r["seriousness"] for r in rows].count("serious") == 44 * 2
    # neutrophil counts: serious in one placebo patient, other in 12 and 8 patients
    assert [r for r in pick(rows, "seriousness", "organ_system", "event", "group", "affected",
                            "at_risk", "vocabulary", "pointer")
            if r[2] == "Neutrophils"] == [
        ("other", "Blood and lymphatic system disorders", "Neutrophils", PLACEBO, "8", "123",
         "NCI-CTCAE (v.3.0)", f"{AE}/otherEvents/0/stats/1"),
        ("other", "Blood and lymphatic system disorders", "Neutrophils", SORAFENIB, "12", "123",
         "NCI-CTCAE (v.3.0)", f"{AE}/otherEvents/0/stats/0"),
        ("serious", "Blood and lymphatic system disorders", "Neutrophils", PLACEBO, "1", "123",
         "NCI-CTCAE (v.3.0)", f"{AE}/seriousEvents/0/stats/1"),
        ("serious", "Blood and lymphatic system disorders", "Neutrophils", SORAFENIB, "0", "123",
         "NCI-CTCAE (v.3.0)", f"{AE}/seriousEvents/0/stats/0"),
    ]
    assert {r["time_frame"] for r in rows} == {
        "From the start of treatment up to 30 days after last study drug administration."}
    for row in rows:  # every count is the record's, at the pointer the row gives
        stats = resolve_pointer(document, str(row["pointer"]))
        assert (row["affected"], row["at_risk"]) == (str(stats["numAffected"]),
                                                     str(stats["numAtRisk"])), row


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_both_engines_give_the_same_registry_rows(built: Path, name: str) -> None:
    query = load_query(QUERIES / f"{name}.rq")
    store = GraphStore.from_file(built).open()
    oxigraph = run_query(store, query.sparql, {})
    rdflib = run_query_rdflib(rdflib_dataset(store.quads()), query.sparql, {})
    assert oxigraph.rows, name
    assert [tuple(map(str, r)) for r in oxigraph.rows] == [tuple(map(str, r)) for r in rdflib.rows]
