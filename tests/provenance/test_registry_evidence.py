"""Registry records beside the articles, from the CLI: evidence, the library query, trace, export.

Built from tests/data/ctgov: the real record NCT00791778 and a test article that gives the trial
the same sponsor and condition as the record, but another phase (disputed by the record) and
another enrolment.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CTGOV, edit, run

from kg.query.library import QUERIES, load_query
from kg.query.run import rdflib_dataset, run_query, run_query_rdflib
from kg.store.store import GraphStore

TRIAL = "Sorafenib maintenance in ovarian cancer"
RETRIEVED = "ClinicalTrials.gov NCT00791778, retrieved 2026-09-02"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ctgov") / "build"
    code, output = run("build", "--sources", str(CTGOV), "--out", str(out))
    assert code == 0, output
    return out


# (aspect, registry, article, agreement, article's claim)
EXPECTED = [
    ("condition", "ovarian cancer", "ovarian cancer", "agree", "condition"),
    ("enrolment", "246 (actual)", "250", "differ", "enrolment"),
    ("phase", "Phase 2", "Phase 3", "differ", "phase"),
    ("sponsor", "Bayer", "Bayer", "agree", "sponsor"),
    ("status", "COMPLETED", None, "registry only", None),
    # the record's intervention names the therapy the article's trial evaluates
    ("therapy", "Sorafenib (Nexavar, BAY43-9006)", "sorafenib", "agree", "phase"),
]


def test_the_library_query_sets_the_registry_beside_the_articles(built: Path) -> None:
    code, out = run("query", "registry_vs_articles", "--data", str(built), "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    assert [(r["aspect"], r["registry"], r.get("article"), r["agreement"], r.get("claim"))
            for r in rows] == EXPECTED
    assert {(r["trial"], r["record"], r["retrieved"]) for r in rows} == {
        (TRIAL, "NCT00791778", "2026-09-02")}


def test_both_engines_give_the_same_comparison(built: Path) -> None:
    query = load_query(QUERIES / "registry_vs_articles.rq")
    store = GraphStore.from_file(built).open()
    oxigraph = run_query(store, query.sparql, {})
    rdflib = run_query_rdflib(rdflib_dataset(store.quads()), query.sparql, {})
    assert [tuple(map(str, r)) for r in oxigraph.rows] == [tuple(map(str, r)) for r in rdflib.rows]
    assert len(oxigraph.rows) == len(EXPECTED)


def test_a_therapy_no_intervention_names_differs_from_the_record(ctgov: Path,
                                                                  tmp_path: Path) -> None:
    # the registry's therapy renamed so that no name of the record's interventions fits it: the
    # interventions stay unlinked, and the article's therapy is not among them
    edit(ctgov / "registry" / "therapies.yaml", "label: sorafenib", "label: test-therapy")
    edit(ctgov / "registry" / "therapies.yaml", "synonyms: [Nexavar, BAY43-9006]", "synonyms: []")
    code, output = run("build", "--sources", str(ctgov), "--out", str(tmp_path / "build"))
    assert code == 0, output
    code, out = run("query", "registry_vs_articles", "--data", str(tmp_path / "build"),
                    "--format", "json")
    assert code == 0, out
    assert [(r["registry"], r["article"], r["agreement"]) for r in json.loads(out)
            if r["aspect"] == "therapy"] == [
        ("not among the registered interventions", "test-therapy", "differ")]


def test_evidence_reports_agreements_and_differences(built: Path) -> None:
    code, out = run("evidence", "--data", str(built))
    assert code == 0, out
    assert "Registry records beside the articles: 6 comparison(s), 2 difference(s)" in out
    assert (f"[differ] {TRIAL} / phase: registry Phase 2; article t1 phase: Phase 3  "
            "(ClinicalTrials.gov NCT00791778, retrieved 2026-09-02)") in out
    assert f"[agree] {TRIAL} / sponsor: registry Bayer; article t1 sponsor: Bayer" in out
    # the curated dispute names the record in the graph
    assert "t1 phase: The registry record gives Phase 2. (disputed by " \
        "res:registry-record/NCT00791778)" in out
    code, out = run("evidence", "--data", str(built), "--format", "json")
    assert [r["agreement"] for r in json.loads(out)["registry"]] == [e[3] for e in EXPECTED]


def test_trace_shows_registry_evidence_beside_article_evidence(built: Path) -> None:
    code, out = run("trace", "sorafenib-maintenance", "--data", str(built))
    assert code == 0, out
    assert out.startswith("sorafenib-maintenance (res:trial/sorafenib-maintenance): 11 "
                          "assertion(s) from 2 source(s)")
    assert "== t1: “Test article on NCT00791778”" in out
    assert "== ClinicalTrials.gov record NCT00791778: “Comparison of Nexavar/Placebo" in out
    assert "retrieved 2026-09-02, https://clinicaltrials.gov/api/v2/studies/NCT00791778)" in out
    assert '    field /protocolSection/designModule/enrollmentInfo/count: "246"' in out
    assert "    asserts res:trial/sorafenib-maintenance cart:verifiedBy " \
        "res:registry-record/NCT00791778" in out


@pytest.mark.parametrize(("args", "expected"), [
    # everything one record contributes, by its NCT id
    (["--source", "NCT00791778"], "record res:registry-record/NCT00791778: 380 assertion(s) "
                                  "from 1 source(s)"),
    # a fact the record states
    (["--fact", "sorafenib-maintenance", "cart:verifiedBy", "NCT00791778"],
     "1 assertion(s) from 1 source(s)"),
])
def test_trace_a_record_or_its_fact(built: Path, args: list[str], expected: str) -> None:
    code, out = run("trace", *args, "--data", str(built))
    assert code == 0, out
    assert expected in out.splitlines()[0]


def test_trace_of_a_therapy_shows_the_registered_intervention_that_names_it(built: Path) -> None:
    code, out = run("trace", "sorafenib", "--data", str(built))
    assert code == 0, out
    assert out.startswith("sorafenib (res:therapy/sorafenib): 3 assertion(s) from 2 source(s)")
    assert "  statement intervention/0  [registry record]" in out
    assert ('    field /protocolSection/armsInterventionsModule/interventions/0/name: '
            '"Sorafenib (Nexavar, BAY43-9006)"') in out
    assert ("    asserts res:registry-item/NCT00791778/intervention/0 cart:registeredTherapy "
            "res:therapy/sorafenib") in out


# (a registry result, by its item's CURIE; the JSON Pointer and text of its value; what it asserts)
RESULTS = [
    # a group's median of the primary outcome, with its 95% CI
    ("res:registry-item/NCT00791778/measure/0/value/0/0/0",
     "/resultsSection/outcomeMeasuresModule/outcomeMeasures/0/classes/0/categories/0/"
     "measurements/0/value", "386", "cart:value '386'"),
    # a value the record gives as "NA": kept as text, traced to its field
    ("res:registry-item/NCT00791778/measure/2/value/0/0/1",
     "/resultsSection/outcomeMeasuresModule/outcomeMeasures/2/classes/0/categories/0/"
     "measurements/1/value", "NA", "cart:nonNumericValue 'NA'"),
    # an analysis's p-value
    ("res:registry-item/NCT00791778/measure/0/analysis/0",
     "/resultsSection/outcomeMeasuresModule/outcomeMeasures/0/analyses/0/pValue", "0.655",
     "cart:pValue '0.655'"),
    # one adverse event's count in one group
    ("res:registry-item/NCT00791778/ae/serious/0/1",
     "/resultsSection/adverseEventsModule/seriousEvents/0/stats/1/numAffected", "1",
     "cart:numerator '1'"),
]


@pytest.mark.parametrize(("item", "pointer", "text", "asserts"), RESULTS)
def test_a_registry_result_traces_to_the_pointer_of_its_value(
        built: Path, item: str, pointer: str, text: str, asserts: str) -> None:
    code, out = run("trace", item, "--data", str(built))
    assert code == 0, out
    assert out.splitlines()[0].endswith("1 assertion(s) from 1 source(s)")
    assert "retrieved 2026-09-02, https://clinicaltrials.gov/api/v2/studies/NCT00791778)" in out
    assert f'    field {pointer}: "{text}"' in out
    assert f"    asserts {item} {asserts}" in out
    code, out = run("trace", item, "--data", str(built), "--format", "json")
    [found] = json.loads(out)["registry_assertions"]
    assert [pointer, text] in found["fields"] and found["nct_id"] == "NCT00791778"


def test_trace_json_lists_the_registry_assertions(built: Path) -> None:
    code, out = run("trace", "sorafenib-maintenance", "--data", str(built), "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    design = next(r for r in data["registry_assertions"] if r["statement"] == "design")
    assert design["publisher"] == "ClinicalTrials.gov" and design["retrieved"] == "2026-09-02"
    assert ["/protocolSection/designModule/enrollmentInfo/type", "ACTUAL"] in design["fields"]


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "cytoscape", "dot", "html"])
def test_exports_name_the_registry_and_the_retrieval_date(built: Path, tmp_path: Path,
                                                           fmt: str) -> None:
    target = tmp_path / f"export.{fmt}"
    code, out = run("export", "--data", str(built), "--format", fmt, "-o", str(target))
    assert code == 0, out
    assert RETRIEVED in target.read_text(encoding="utf-8")


def test_rdf_exports_keep_the_record_with_its_publisher_and_date(built: Path,
                                                                 tmp_path: Path) -> None:
    target = tmp_path / "export.nq"
    code, out = run("export", "--data", str(built), "--format", "nquads", "-o", str(target))
    assert code == 0, out
    text = target.read_text(encoding="utf-8")
    record = "<https://w3id.org/cart-kg/resource/registry-record/NCT00791778>"
    assert f'{record} <http://purl.org/dc/terms/publisher> "ClinicalTrials.gov"' in text
    assert (f'{record} <https://w3id.org/cart-kg/ontology#retrieved> '
            '"2026-09-02"^^<http://www.w3.org/2001/XMLSchema#date>') in text


def test_a_trial_verified_by_its_record_shows_its_nct_id_verified_once(built: Path) -> None:
    code, out = run("query", "trials_of_sponsor", "--param", "sponsor=Bayer", "--data",
                    str(built), "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    assert [(r["registry_id"], r["id_verified"]) for r in rows] == [
        ("https://clinicaltrials.gov/study/NCT00791778", "true")]


def test_an_nct_id_its_record_verifies_is_verified_by_identifier_too(built: Path) -> None:
    code, out = run("query", "entity_for_external_identifier", "--param",
                    "identifier=https://clinicaltrials.gov/study/NCT00791778", "--data",
                    str(built), "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    rows = rows["rows"] if isinstance(rows, dict) else rows
    assert [(r["kind"], r["verified"]) for r in rows] == [("trial", "true")]
