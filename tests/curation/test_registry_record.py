"""Registry records: what the loader reads from a real v2 record, and the records it refuses.

The record is the real, unmodified NCT00791778 of tests/data/ctgov (see its README).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CTGOV, assert_refused, edit

from kg.core.model import Entity
from kg.core.record_model import RegistryRecord, pointer, resolve_pointer, value_text
from kg.curation.record_protocol import intervention_names, read_protocol
from kg.curation.record_reader import RecordReader
from kg.curation.sources import load_sources

NCT = "NCT00791778"
P = "/protocolSection"
OM = "/resultsSection/outcomeMeasuresModule/outcomeMeasures"
AE = "/resultsSection/adverseEventsModule"


@pytest.fixture(scope="module")
def record() -> RegistryRecord:
    return load_sources(CTGOV).records[NCT]


def _values(record: RegistryRecord, key: str) -> list[tuple[str, str, str]]:
    statement = next(s for s in record.statements if s.key == key)
    return [(v.prop, v.object, v.field.pointer) for v in statement.values]


@pytest.mark.parametrize(("key", "prop", "value", "where"), [
    # identifiers, titles
    ("identification", "nctId", NCT, f"{P}/identificationModule/nctId"),
    ("identification", "secondaryId", "2008-004429-41",
     f"{P}/identificationModule/secondaryIdInfos/0/id"),
    ("identification", "orgStudyId", "12007", f"{P}/identificationModule/orgStudyIdInfo/id"),
    # status and dates: a partial date is kept as given
    ("status", "overallStatus", "COMPLETED", f"{P}/statusModule/overallStatus"),
    ("status", "startDate", "2008-11", f"{P}/statusModule/startDateStruct/date"),
    ("status", "dateType", "ACTUAL", f"{P}/statusModule/completionDateStruct/type"),
    # the lead sponsor, by name and as the registry's entity of that name
    ("sponsor", "leadSponsorName", "Bayer", f"{P}/sponsorCollaboratorsModule/leadSponsor/name"),
    ("sponsor", "registeredSponsor", "bayer", f"{P}/sponsorCollaboratorsModule/leadSponsor/name"),
    # phase, design, enrolment with its type
    ("design", "phaseCode", "PHASE2", f"{P}/designModule/phases/0"),
    ("design", "registeredPhase", "phase-2", f"{P}/designModule/phases"),
    ("design", "allocation", "RANDOMIZED", f"{P}/designModule/designInfo/allocation"),
    ("design", "enrollment", "246", f"{P}/designModule/enrollmentInfo/count"),
    ("design", "enrollmentType", "ACTUAL", f"{P}/designModule/enrollmentInfo/type"),
    # conditions, with the MeSH terms of the derived section (which name the entity)
    ("conditions", "conditionName", "Ovarian Neoplasms", f"{P}/conditionsModule/conditions/0"),
    ("conditions", "conditionMesh", "MESH:D010051",
     "/derivedSection/conditionBrowseModule/meshes/0/id"),
    ("conditions", "registeredCondition", "ovarian-cancer", f"{P}/conditionsModule/conditions/0"),
    # arms, interventions, registered endpoints with their time frames
    ("arm/1", "armType", "PLACEBO_COMPARATOR", f"{P}/armsInterventionsModule/armGroups/1/type"),
    ("intervention/0", "interventionType", "DRUG",
     f"{P}/armsInterventionsModule/interventions/0/type"),
    # the intervention "Sorafenib (Nexavar, BAY43-9006)" names the therapy entity sorafenib
    ("intervention/0", "registeredTherapy", "sorafenib",
     f"{P}/armsInterventionsModule/interventions/0/name"),
    ("endpoint/primary/0", "endpointRole", "primary",
     f"{P}/outcomesModule/primaryOutcomes/0/measure"),
    ("endpoint/primary/0", "timeFrame",
     "From randomization of the first patient until 32.5 months later, assessed every 8 weeks",
     f"{P}/outcomesModule/primaryOutcomes/0/timeFrame"),
    # results: a group's value (a string in the record), its CI, its denominator, its unit
    ("measure/0/value/0/0/0", "value", "386",
     f"{OM}/0/classes/0/categories/0/measurements/0/value"),
    ("measure/0/value/0/0/0", "ciLow", "230",
     f"{OM}/0/classes/0/categories/0/measurements/0/lowerLimit"),
    ("measure/0/value/0/0/0", "ciLevel", "95", f"{OM}/0/dispersionType"),
    ("measure/0/value/0/0/0", "hasStatistic", "median", f"{OM}/0/paramType"),
    ("measure/0/value/0/0/0", "populationSize", "123", f"{OM}/0/denoms/0/counts/0/value"),
    ("measure/0", "unitText", "Days", f"{OM}/0/unitOfMeasure"),
    # "NA" where a number belongs is kept as text
    ("measure/2/value/0/0/0", "nonNumericValue", "NA",
     f"{OM}/2/classes/0/categories/0/measurements/0/value"),
    # a standard deviation
    ("measure/3/value/0/0/0", "standardDeviation", "3.174",
     f"{OM}/3/classes/0/categories/0/measurements/0/spread"),
    # an analysis: hazard ratio, its confidence interval, the p-value
    ("measure/0/analysis/0", "value", "1.09", f"{OM}/0/analyses/0/paramValue"),
    ("measure/0/analysis/0", "hasStatistic", "hazard-ratio", f"{OM}/0/analyses/0/paramType"),
    ("measure/0/analysis/0", "ciHigh", "1.63", f"{OM}/0/analyses/0/ciUpperLimit"),
    ("measure/0/analysis/0", "pValue", "0.655", f"{OM}/0/analyses/0/pValue"),
    ("measure/0/analysis/0", "pValueRelation", "=", f"{OM}/0/analyses/0/pValue"),
    # adverse events: one event's count in one group
    ("ae/serious/0/1", "eventTerm", "Neutrophils", f"{AE}/seriousEvents/0/term"),
    ("ae/serious/0/1", "numerator", "1", f"{AE}/seriousEvents/0/stats/1/numAffected"),
    ("ae/serious/0/1", "denominator", "123", f"{AE}/seriousEvents/0/stats/1/numAtRisk"),
    ("ae/serious/0/1", "seriousness", "serious", f"{AE}/seriousEvents/0/term"),
])
def test_the_loader_reads_each_module(record: RegistryRecord, key: str, prop: str, value: str,
                                      where: str) -> None:
    assert (prop, value, where) in _values(record, key)


def test_every_field_resolves_to_its_text(record: RegistryRecord) -> None:
    document = json.loads(record.text)
    fields = {v.field for s in record.statements for v in s.values}
    assert len(fields) > 1700
    for field in fields:
        assert value_text(resolve_pointer(document, field.pointer)) == field.text


def _leaves(value: object, path: tuple[str | int, ...]) -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [pointer(*path)]


@pytest.mark.parametrize("module", [
    ("protocolSection", "identificationModule"), ("protocolSection", "statusModule"),
    ("protocolSection", "sponsorCollaboratorsModule"), ("protocolSection", "designModule"),
    ("protocolSection", "conditionsModule"), ("protocolSection", "armsInterventionsModule"),
    ("protocolSection", "outcomesModule"), ("resultsSection", "outcomeMeasuresModule"),
    ("resultsSection", "adverseEventsModule"), ("derivedSection", "conditionBrowseModule"),
], ids="/".join)
def test_nothing_of_a_module_read_is_dropped(record: RegistryRecord,
                                             module: tuple[str, str]) -> None:
    document = json.loads(record.text)
    read = {v.field.pointer for s in record.statements for v in s.values}
    assert [p for p in _leaves(document[module[0]][module[1]], module) if p not in read] == []


def test_an_intervention_that_names_no_therapy_stays_unlinked(record: RegistryRecord) -> None:
    # intervention/1 is "Placebo": no therapy of the registry has that name
    assert [v for v in _values(record, "intervention/1") if v[0] == "registeredTherapy"] == []


@pytest.mark.parametrize(("name", "names"), [
    # a name with its aliases in parentheses, as the record writes it
    ("Sorafenib (Nexavar, BAY43-9006)", ["Sorafenib (Nexavar, BAY43-9006)", "Sorafenib",
                                         "Nexavar", "BAY43-9006"]),
    # a plain name
    ("Placebo", ["Placebo"]),
    # parentheses inside a name are not aliases
    ("Cyclophosphamide (low dose) (Cytoxan)", ["Cyclophosphamide (low dose) (Cytoxan)"]),
])
def test_intervention_names_read_aliases_in_parentheses(name: str, names: list[str]) -> None:
    assert intervention_names(name) == names


# Test data written for this test (not a real record): two therapies of a made-up registry.
_THERAPIES = {
    "sorafenib": Entity("sorafenib", "therapies", "sorafenib", "a test therapy",
                        synonyms=("Nexavar",)),
    "rese-cel": Entity("rese-cel", "therapies", "resecabtagene autoleucel", "a test therapy",
                       synonyms=("CABA-201",)),
}


@pytest.mark.parametrize(("intervention", "expected"), [
    # the name is a therapy's label (any case)
    ({"name": "SORAFENIB"}, ("sorafenib", "/name")),
    # one of the other names is a therapy's synonym
    ({"name": "BAY 43-9006", "otherNames": ["Nexavar"]}, ("sorafenib", "/otherNames/0")),
    # an alias in parentheses is a synonym
    ({"name": "Rese-cel (CABA-201)"}, ("rese-cel", "/name")),
    # names that fit two therapies link neither
    ({"name": "Nexavar", "otherNames": ["CABA-201"]}, None),
    # a name no therapy has stays unlinked
    ({"name": "Placebo"}, None),
])
def test_an_intervention_is_linked_to_the_therapy_it_names(
        intervention: dict[str, object], expected: tuple[str, str] | None) -> None:
    document = {"protocolSection": {"armsInterventionsModule": {"interventions": [intervention]}}}
    statements = read_protocol(RecordReader(document), _THERAPIES)
    links = [(v.object, v.field.pointer.removeprefix(
        "/protocolSection/armsInterventionsModule/interventions/0"))
        for s in statements for v in s.values if v.prop == "registeredTherapy"]
    assert links == ([expected] if expected else [])


def test_the_trial_entity_that_names_the_nct_id_is_found(record: RegistryRecord) -> None:
    assert record.trial == "sorafenib-maintenance"
    assert record.retrieved.isoformat() == "2026-09-02"


@pytest.mark.parametrize(("json_pointer", "escaped"), [
    # RFC 6901: '~' is written ~0 and '/' is written ~1
    (("a/b", "m~n", 0), "/a~1b/m~0n/0"),
    ((), ""),
])
def test_pointer_escapes_tokens(json_pointer: tuple[str | int, ...], escaped: str) -> None:
    assert pointer(*json_pointer) == escaped
    document = {"a/b": {"m~n": ["x"]}}
    assert resolve_pointer(document, escaped) == (document if not json_pointer else "x")


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:40_000])


def _not_v2(path: Path) -> None:
    path.write_text('{"studies": [], "nextPageToken": "x"}')


def _no_nct_id(path: Path) -> None:
    edit(path, '"nctId":"NCT00791778",', "")


def _other_nct_id(path: Path) -> None:
    edit(path, '"nctId":"NCT00791778"', '"nctId":"NCT00791779"')


def _text_changed(path: Path) -> None:
    edit(path, '"enrollmentInfo":{"count":246', '"enrollmentInfo":{"count":247')


def _no_yaml(path: Path) -> None:
    path.with_suffix(".yaml").unlink()


@pytest.mark.parametrize(("damage", "refit", "expected"), [
    # the download was cut short
    (_truncate, True, ["NCT00791778.json", "truncated", "fetch-trial NCT00791778"]),
    # a search result, not a study record
    (_not_v2, True, ["NCT00791778.json", "is not a ClinicalTrials.gov API v2 study record"]),
    # no NCT id
    (_no_nct_id, True, ["NCT00791778.json", "has no NCT id"]),
    # the record of another trial under this name
    (_other_nct_id, True, ["NCT00791778.json", "is the record of NCT00791779"]),
    # the text changed since it was retrieved (its .yaml still has the old SHA-256)
    (_text_changed, False, ["NCT00791778.json", "its text changed since it was retrieved",
                            "never edit a record"]),
    # the .yaml with its SHA-256 and date is missing
    (_no_yaml, False, ["NCT00791778.json", "has no NCT00791778.yaml beside it"]),
])
def test_bad_records_are_refused_with_the_file_and_the_fix(ctgov: Path, damage: object,
                                                           refit: bool,
                                                           expected: list[str]) -> None:
    path = ctgov / "registry-records" / f"{NCT}.json"
    assert callable(damage)
    damage(path)
    if refit:  # the .yaml agrees with the damaged text: the record itself is what is wrong
        import hashlib
        meta = path.with_suffix(".yaml")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        meta.write_text(meta.read_text().replace(
            "d220af8b0a55ca2a907fb660afea4bf972f04ec42c395a50db35d7ebc4f9f5d9", digest))
    assert_refused(ctgov, expected)


def test_a_dispute_by_a_record_that_is_not_loaded_is_refused(ctgov: Path) -> None:
    (ctgov / "registry-records" / f"{NCT}.json").unlink()
    (ctgov / "registry-records" / f"{NCT}.yaml").unlink()
    assert_refused(ctgov, ["evidence.yaml", "disputed.by 'NCT00791778' names a registry record",
                           "cartkg fetch-trial NCT00791778"])
