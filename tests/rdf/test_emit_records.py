"""Registry records in the graph: the record as a source, assertions traced to JSON Pointers.

Built from tests/data/ctgov (the real record NCT00791778 and a test article about its trial).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import CTGOV, edit

from kg.build.build import build_dataset
from kg.rdf.emit import Quads
from kg.validation.validate import validate_dataset

RES = "https://w3id.org/cart-kg/resource/"
CART = "https://w3id.org/cart-kg/ontology#"
RECORD = f"{RES}registry-record/NCT00791778"
TRIAL = f"{RES}trial/sorafenib-maintenance"


@pytest.fixture(scope="module")
def quads() -> Quads:
    result = build_dataset(CTGOV, out=None)
    assert result.report.conforms, result.report.violations
    return result.quads


def _objects(quads: Quads, subject: str, predicate: str) -> set[str]:
    return {q.object.value for q in quads
            if q.subject.value == subject and q.predicate.value == predicate}


@pytest.mark.parametrize(("predicate", "value"), [
    # the data terms: who publishes it, when it was retrieved
    ("http://purl.org/dc/terms/publisher", "ClinicalTrials.gov"),
    (f"{CART}retrieved", "2026-09-02"),
    (f"{CART}sha256", "d220af8b0a55ca2a907fb660afea4bf972f04ec42c395a50db35d7ebc4f9f5d9"),
    ("https://schema.org/url", "https://clinicaltrials.gov/api/v2/studies/NCT00791778"),
    (f"{CART}recordOf", f"{RES}registered-trial/NCT00791778"),
])
def test_the_record_is_a_source(quads: Quads, predicate: str, value: str) -> None:
    assert _objects(quads, RECORD, predicate) == {value}


def test_the_trial_entity_is_verified_by_its_record(quads: Quads) -> None:
    assert _objects(quads, TRIAL, f"{CART}verifiedBy") == {RECORD}
    assert "https://clinicaltrials.gov/study/NCT00791778" in _objects(
        quads, TRIAL, "http://www.w3.org/2004/02/skos/core#exactMatch")
    # the curators' own unverified link stays as they wrote it
    assert _objects(quads, TRIAL, f"{CART}unverifiedMatch") == {
        "https://clinicaltrials.gov/study/NCT00791778"}


def test_each_assertion_names_its_record_and_the_pointer_and_text_of_its_fields(
        quads: Quads) -> None:
    assertion = f"{RES}record-assertion/NCT00791778/design"
    field = f"{RES}record-field/NCT00791778/protocolSection/designModule/enrollmentInfo/count"
    assert _objects(quads, assertion, f"{CART}fromRecord") == {RECORD}
    assert field in _objects(quads, assertion, f"{CART}hasField")
    assert _objects(quads, field, f"{CART}jsonPointer") == {
        "/protocolSection/designModule/enrollmentInfo/count"}
    assert _objects(quads, field, f"{CART}fieldValue") == {"246"}
    enrolment = [q for q in quads if q.predicate.value == f"{CART}enrollment"]
    assert [(q.object.value, q.graph_name.value) for q in enrolment] == [("246", assertion)]


def test_a_registered_intervention_links_the_therapy_it_names(quads: Quads) -> None:
    items = f"{RES}registry-item/NCT00791778/intervention"
    # "Sorafenib (Nexavar, BAY43-9006)" names the therapy sorafenib of tests/data/ctgov/registry
    links = [q for q in quads if q.predicate.value == f"{CART}registeredTherapy"]
    assert [(q.subject.value, q.object.value, q.graph_name.value) for q in links] == [
        (f"{items}/0", f"{RES}therapy/sorafenib",
         f"{RES}record-assertion/NCT00791778/intervention/0")]
    # "Placebo" names no therapy: the intervention stays unlinked
    assert _objects(quads, f"{items}/1", f"{CART}interventionName") == {"Placebo"}


def test_a_dispute_names_the_record(quads: Quads) -> None:
    assert _objects(quads, f"{RES}assertion/t1/phase", f"{CART}disputedBy") == {RECORD}


def _replace(quads: Quads, predicate: str, subject_end: str, new: str) -> Quads:
    out = []
    for q in quads:
        if q.predicate.value == f"{CART}{predicate}" and q.subject.value.endswith(subject_end):
            q = ox.Quad(q.subject, q.predicate, ox.Literal(new), q.graph_name)
        out.append(q)
    return tuple(out)


@pytest.mark.parametrize(("predicate", "subject", "new", "shape", "message"), [
    # a field's value edited in the graph: its pointer selects something else in the record
    ("fieldValue", "enrollmentInfo/count", "250", "cartsh:RecordFieldValueCheck",
     'selects "246"'),
    # a field's pointer edited: it selects nothing
    ("jsonPointer", "enrollmentInfo/count", "/protocolSection/designModule/nothing",
     "cartsh:RecordFieldValueCheck", "selects nothing"),
    # the record's text edited: its SHA-256 no longer matches
    ("text", "registry-record/NCT00791778", '{"protocolSection":{}}',
     "cartsh:RecordChecksumShape", "is not the SHA-256 of its text"),
])
def test_validation_rechecks_the_fields_on_any_copy_of_the_graph(
        quads: Quads, predicate: str, subject: str, new: str, shape: str, message: str) -> None:
    report = validate_dataset(_replace(quads, predicate, subject, new))
    assert not report.conforms
    found = [v for v in report.violations if v.shape == shape]
    assert found and message in found[0].message
    assert found[0].file.endswith("NCT00791778.json")


def test_same_sources_same_bytes(tmp_path: Path) -> None:
    first = build_dataset(CTGOV, tmp_path / "a")
    second = build_dataset(CTGOV, tmp_path / "b")
    for name in ("registry.nq", "articles/t1.nq"):
        assert (tmp_path / "a" / "dataset" / name).read_bytes() == \
            (tmp_path / "b" / "dataset" / name).read_bytes()
    assert first.stats == second.stats


def test_a_changed_record_rebuilds_the_registry_part(ctgov: Path, tmp_path: Path) -> None:
    out = tmp_path / "build"
    build_dataset(ctgov, out)
    again = build_dataset(ctgov, out)
    assert again.rebuilt == 0
    edit(ctgov / "registry-records" / "NCT00791778.yaml", "retrieved: 2026-09-02",
         "retrieved: 2026-09-03")
    changed = build_dataset(ctgov, out)
    assert changed.rebuilt == 1
    assert "2026-09-03" in (out / "dataset" / "registry.nq").read_text()


def test_without_its_record_a_curators_nct_id_stays_unverified(ctgov: Path) -> None:
    (ctgov / "registry-records" / "NCT00791778.json").unlink()
    (ctgov / "registry-records" / "NCT00791778.yaml").unlink()
    edit(ctgov / "articles" / "t1" / "evidence.yaml", "by: [NCT00791778]", "by: [NCT:NCT00791778]")
    quads = build_dataset(ctgov, out=None).quads
    assert _objects(quads, TRIAL, f"{CART}unverifiedMatch") == {
        "https://clinicaltrials.gov/study/NCT00791778"}
    assert _objects(quads, TRIAL, "http://www.w3.org/2004/02/skos/core#exactMatch") == set()
    assert _objects(quads, TRIAL, f"{CART}verifiedBy") == set()
