"""What was given and trials as studies, end to end from the command line: the test articles of
tests/data/evidence (t3-regimen, t4-trial: test data written for these tests) are built and
validated, then queried, traced and exported, and each kind of statement is checked in each."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import DATA, ROOT, run

from kg.build.build import build_dataset
from kg.core.given import TRIAL_DESIGNS, TRIAL_STATUSES
from kg.query.library import load_query
from kg.query.run import rdflib_dataset, run_query, run_query_rdflib
from kg.store.store import GraphStore


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("given") / "build"
    code, text = run("build", "--sources", str(DATA / "evidence"), "--out", str(out))
    assert code == 0, text
    assert "validation: conforms" in text
    assert "cart:Regimen                 3" in text
    return out


@pytest.fixture(scope="module")
def exported(built: Path) -> dict[str, Any]:
    """The Cytoscape export: node data by id, and (source, predicate, target) of every edge."""
    target = built / "export.json"
    code, text = run("export", "--format", "cytoscape", "--data", str(built), "-o", str(target))
    assert code == 0, text
    elements = json.loads(target.read_text(encoding="utf-8"))["elements"]
    return {"nodes": {n["data"]["id"]: n["data"] for n in elements["nodes"]},
            "edges": {(e["data"]["source"], e["data"]["predicate"], e["data"]["target"])
                      for e in elements["edges"]}}


def query(built: Path, name: str) -> list[dict[str, str]]:
    code, text = run("query", name, "--data", str(built), "--format", "json")
    assert code == 0, text
    rows: list[dict[str, str]] = json.loads(text)
    return [{k: v for k, v in r.items() if v is not None} for r in rows]


def trace(built: Path, iri: str) -> str:
    code, text = run("trace", iri, "--data", str(built))
    assert code == 0, text
    return text


def test_doses_per_therapy(built: Path) -> None:
    common = {"therapy": "testabtagene autoleucel", "trial": "TRIAL-ONE", "article": "t3-regimen"}
    assert query(built, "doses_per_therapy") == [
        {**common, "dose": "a flat dose of 50x10^6 CAR T cells each", "value": "50000000",
         "unit": "cells", "combined_with": "bx-cel", "combination": "co-infused",
         "population": "a second cohort", "population_size": "4",
         "claim": "co-infused-with-bx-cel"},
        {**common, "dose": "1x10^6 CAR T cells/kg", "value": "1000000", "unit": "cells",
         "per": "kg", "infusion": "single", "population": "patients with SSc",
         "population_size": "12", "claim": "dose-and-lymphodepletion"},
        {**common, "infusion": "repeated", "infusions": "2",
         "population": "patients whose disease relapsed", "population_size": "2",
         "claim": "second-infusion"}]


def test_lymphodepletion_regimens(built: Path) -> None:
    common = {"therapy": "testabtagene autoleucel", "trial": "TRIAL-ONE", "unit": "mg",
              "per": "m2", "population": "patients with SSc", "article": "t3-regimen",
              "claim": "dose-and-lymphodepletion"}
    assert query(built, "lymphodepletion_regimens") == [
        {**common, "agent": "cyclophosphamide", "agent_dose": "1000 mg/m2", "value": "1000",
         "days": "1"},
        {**common, "agent": "fludarabine", "agent_dose": "25 mg/m2/day", "value": "25",
         "days": "3"}]


def test_trial_designs_status_and_enrolment(built: Path) -> None:
    rows = query(built, "trial_designs")
    assert [r["design"] for r in rows] == ["basket", "dose-escalation", "multicentre",
                                           "open-label", "single-arm"]
    assert {(r["trial"], r["status"], r["planned_enrolment"], r["claim"]) for r in rows} == {
        ("TRIAL-TWO", "recruiting", "36", "trial-two-design-status-endpoints")}


def test_the_trial_designs_query_names_every_design_and_status() -> None:
    text = (ROOT / "queries" / "trial_designs.rq").read_text(encoding="utf-8")
    pairs = dict(re.findall(r'= cart:(\w+), "([a-z-]+)"', text))
    assert pairs == {str(iri).split("#")[1]: name
                     for table in (TRIAL_DESIGNS, TRIAL_STATUSES) for name, iri in table.items()}


def test_endpoints_with_their_role_window_and_the_outcome_that_reports_one(built: Path) -> None:
    assert query(built, "endpoints_per_trial") == [
        {"trial": "TRIAL-TWO", "endpoint": "dlt-28d", "role": "primary",
         "measure": "dose-limiting toxicity",
         "endpoint_text": "dose-limiting toxicities (DLTs) within 28 days of infusion",
         "window": "within 28 days of infusion", "window_value": "28", "window_unit": "day",
         "window_qualifier": "within", "window_from": "infusion",
         "outcome": "None of the first 6 patients had a dose-limiting toxicity within 28 days of "
                    "infusion (the primary endpoint).",
         "outcome_value": "0", "outcome_unit": "patients", "outcome_article": "t4-trial",
         "outcome_claim": "no-dlt-first-6"},
        {"trial": "TRIAL-TWO", "endpoint": "doris-week-24", "role": "secondary",
         "measure": "DORIS remission", "endpoint_text": "DORIS remission at week 24",
         "window": "at week 24", "window_value": "24", "window_unit": "week",
         "window_qualifier": "at"}]


def test_a_cohort_across_the_trials_of_a_sponsor(built: Path) -> None:
    rows = [r for r in query(built, "trial_cohorts") if r["claim"] == "dosed-across-trials"]
    assert rows == [{"trial": "trials of Acme Bio", "therapy": "testabtagene autoleucel",
                     "size": "24", "description": "patients dosed with tx-cel across Acme Bio's "
                     "Phase 1/2 trials", "article": "t4-trial", "claim": "dosed-across-trials",
                     "basis": "stated"}]


def test_trace_shows_the_dose_the_agents_and_the_endpoint(built: Path) -> None:
    text = trace(built, "res:regimen/t3-regimen/dose-and-lymphodepletion")
    assert "quote [147:350]: «In TRIAL-ONE, 12 patients with SSc received a single infusion" in text
    for line in ("cart:doseText '1x10^6 CAR T cells/kg'", "cart:doseValue '1000000'",
                 "cart:doseUnit cart:CarTCell", "cart:dosePer 'kg'",
                 "cart:infusionSchedule 'single'", "agent/fludarabine cart:doseDays '3'",
                 "agent/fludarabine cart:doseUnit unit:MilliGM"):
        assert line in text, line
    text = trace(built, "res:outcome/t4-trial/no-dlt-first-6")
    for line in ("cart:reportsEndpoint res:endpoint/trial-two/dlt-28d",
                 "res:endpoint/trial-two/dlt-28d cart:endpointRole 'primary'"):
        assert line in text, line


def test_the_export_carries_doses_designs_and_endpoints(exported: dict[str, Any]) -> None:
    nodes, edges = exported["nodes"], exported["edges"]
    dose = nodes["regimen:t3-regimen/dose-and-lymphodepletion"]
    assert {k: dose[k] for k in ("dose", "dose_value", "dose_unit", "dose_per", "infusion")} == {
        "dose": "1x10^6 CAR T cells/kg", "dose_value": 1000000.0, "dose_unit": "cells",
        "dose_per": "kg", "infusion": "single"}
    agent = nodes["regimen:t3-regimen/dose-and-lymphodepletion/agent/fludarabine"]
    assert (agent["label"], agent["dose_value"], agent["dose_unit"], agent["dose_days"]) == (
        "fludarabine 25 mg/m2/day", 25.0, "mg", 3)
    trial = nodes["trial:trial-two"]
    assert (trial["design"], trial["trial_status"], trial["planned_enrolment"]) == (
        ["basket", "dose-escalation", "multicentre", "open-label", "single-arm"], ["recruiting"],
        ["36"])
    endpoint = nodes["endpoint:trial-two/dlt-28d"]
    assert (endpoint["class"], endpoint["role"], endpoint["window_value"],
            endpoint["window_unit"]) == ("Endpoint", "primary", 28.0, "day")
    assert {
        ("regimen:t3-regimen/dose-and-lymphodepletion", "lymphodepletion",
         "regimen:t3-regimen/dose-and-lymphodepletion/agent/fludarabine"),
        ("regimen:t3-regimen/dose-and-lymphodepletion/agent/fludarabine", "agent",
         "drug:fludarabine"),
        ("regimen:t3-regimen/co-infused-with-bx-cel", "combinedWith", "therapy:bx-cel"),
        ("outcome:t4-trial/no-dlt-first-6", "reportsEndpoint", "endpoint:trial-two/dlt-28d"),
        ("trial:trial-two", "hasEndpoint", "endpoint:trial-two/dlt-28d"),
        ("cohort:t4-trial/dosed-across-trials", "acrossTrialsOf", "sponsor:acme-bio"),
    } <= edges


@pytest.mark.parametrize("name", ["doses_per_therapy", "lymphodepletion_regimens",
                                  "trial_designs", "endpoints_per_trial", "trial_cohorts",
                                  "claims_per_article"])
def test_oxigraph_and_rdflib_give_the_same_rows_on_the_test_articles(name: str) -> None:
    quads = build_dataset(DATA / "evidence", out=None).quads
    query = load_query(ROOT / "queries" / f"{name}.rq")
    oxigraph = run_query(GraphStore.from_quads(quads), query.sparql, {})
    rdflib = run_query_rdflib(rdflib_dataset(quads), query.sparql, {})
    assert oxigraph.rows, "the test articles answer it"
    assert [tuple(map(str, r)) for r in oxigraph.rows] == [tuple(map(str, r)) for r in rdflib.rows]
