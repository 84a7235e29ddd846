"""The protocol of a registry record, as statements with their fields.

Identifiers, titles, status, sponsor, design, conditions, arms, interventions and the registered
outcomes.

Where a value names something the registry of entities knows (the lead sponsor by name, the phase,
a condition by name or by its MeSH id, an intervention by its name, an alias or another name), the
statement links that entity too (``registeredSponsor``, ``registeredPhase``,
``registeredCondition``, ``registeredTherapy``, the counterparts of an article's ``sponsoredBy``,
``hasPhase``, ``studiesIndication`` and ``evaluatesTherapy``): that is what sets the record beside
the articles.
"""

from __future__ import annotations

import re

from kg.core.model import Entity
from kg.core.record_model import RecordField, Statement, Value, pointer, value_text
from kg.curation.record_reader import Path, RecordReader, statement

_P = ("protocolSection",)
#: The registry's phase codes, as the phases registry names them.
PHASE_LABELS = {"EARLY_PHASE1": "Early Phase 1", "PHASE1": "Phase 1", "PHASE2": "Phase 2",
                "PHASE3": "Phase 3", "PHASE4": "Phase 4", "NA": "Not Applicable"}
_S = "string"


def _names(entity: Entity) -> set[str]:
    return {n.casefold() for n in (entity.label, *entity.synonyms)}


def find_entity(entities: dict[str, Entity], kind: str, name: str) -> str | None:
    """The key of the entity of ``kind`` whose label or synonym is ``name`` (any case)."""
    wanted = name.strip().casefold()
    for entity in entities.values():
        if entity.kind == kind and wanted in _names(entity):
            return entity.key
    return None


def find_by_curie(entities: dict[str, Entity], kind: str, curie: str) -> str | None:
    """The key of the entity of ``kind`` that lists ``curie`` as exact or close match."""
    for entity in entities.values():
        if entity.kind == kind and curie in (*entity.exact_match, *entity.close_match):
            return entity.key
    return None


def trial_entity(entities: dict[str, Entity], nct_id: str) -> str | None:
    """The trial entity that names this NCT id, verified or not."""
    curie = f"NCT:{nct_id}"
    for entity in entities.values():
        if entity.kind == "trials" and curie in (*entity.exact_match, *entity.unverified_match):
            return entity.key
    return None


def read_protocol(r: RecordReader, entities: dict[str, Entity]) -> list[Statement]:
    """Every statement of the protocol and derived sections."""
    found: list[Statement] = []
    found += _identification(r)
    found += statement("status", r.values({
        "overallStatus": ("overallStatus", _S), "statusVerifiedDate": ("statusVerifiedDate", _S),
        "whyStopped": ("whyStopped", _S), "lastKnownStatus": ("lastKnownStatus", _S),
        "studyFirstSubmitDate": ("firstSubmitted", _S),
        "resultsFirstSubmitDate": ("resultsFirstSubmitted", _S),
        "lastUpdateSubmitDate": ("lastUpdateSubmitted", _S)}, (*_P, "statusModule"))
        + r.rest((*_P, "statusModule", "expandedAccessInfo"), set()) + _dates(r))
    found += _sponsors(r, entities)
    found += _design(r, entities)
    found += _conditions(r, entities)
    found += _arms(r, entities)
    for role in ("primary", "secondary", "other"):
        path = (*_P, "outcomesModule", f"{role}Outcomes")
        for i, at in r.items(path):
            title = r.field((*at, "measure"))
            role_value = [Value("endpointRole", title, _S, role)] if title else []
            found += statement(f"endpoint/{role}/{i}", role_value + r.values(
                {"measure": ("endpointTitle", _S), "description": ("description", _S),
                 "timeFrame": ("timeFrame", _S)}, at),
                item=f"endpoint/{role}/{i}", cls="RegisteredEndpoint")
    return found


def _identification(r: RecordReader) -> list[Statement]:
    at = (*_P, "identificationModule")
    values = r.values({"nctId": ("nctId", _S), "acronym": ("acronym", _S),
                       "briefTitle": ("briefTitle", _S), "officialTitle": ("officialTitle", _S)},
                      at)
    values += r.value("orgStudyId", (*at, "orgStudyIdInfo", "id"))
    values += r.value("organizationName", (*at, "organization", "fullName"))
    values += r.rest((*at, "organization"), {"fullName"})
    for _, sec in r.items((*at, "secondaryIdInfos")):
        values += r.value("secondaryId", (*sec, "id")) + r.rest(sec, {"id"})
    for _, alias in r.items((*at, "nctIdAliases")):
        values += r.value("nctIdAlias", alias)
    return statement("identification", values)


def _dates(r: RecordReader) -> list[Value]:
    """The status dates, partial dates ("2008-11") kept as given, with their type."""
    at = (*_P, "statusModule")
    found: list[Value] = []
    for key, prop in (("startDateStruct", "startDate"),
                      ("primaryCompletionDateStruct", "primaryCompletionDate"),
                      ("completionDateStruct", "completionDate"),
                      ("studyFirstPostDateStruct", "firstPosted"),
                      ("resultsFirstPostDateStruct", "resultsFirstPosted"),
                      ("lastUpdatePostDateStruct", "lastUpdatePosted")):
        found += r.value(prop, (*at, key, "date"))
        found += r.value("dateType", (*at, key, "type"))
    return found


def _sponsors(r: RecordReader, entities: dict[str, Entity]) -> list[Statement]:
    at = (*_P, "sponsorCollaboratorsModule")
    values = r.value("leadSponsorName", (*at, "leadSponsor", "name"))
    values += r.value("leadSponsorClass", (*at, "leadSponsor", "class"))
    values += r.value("responsiblePartyType", (*at, "responsibleParty", "type"))
    lead = r.field((*at, "leadSponsor", "name"))
    if lead is not None:
        key = find_entity(entities, "sponsors", lead.text) \
            or find_entity(entities, "organizations", lead.text)
        if key is not None:
            values.append(Value("registeredSponsor", lead, "entity", key))
    for _, col in r.items((*at, "collaborators")):
        values += r.value("collaboratorName", (*col, "name"))
    return statement("sponsor", values)


def _design(r: RecordReader, entities: dict[str, Entity]) -> list[Statement]:
    at = (*_P, "designModule")
    values = r.value("studyType", (*at, "studyType"))
    codes = r.get((*at, "phases"))
    for i, _ in r.items((*at, "phases")):
        values += r.value("phaseCode", (*at, "phases", i))
    if isinstance(codes, list) and codes and all(c in PHASE_LABELS for c in codes):
        label = "Phase " + "/".join(PHASE_LABELS[c].removeprefix("Phase ") for c in codes) \
            if all(c.startswith("PHASE") for c in codes) else PHASE_LABELS[codes[0]]
        key = find_entity(entities, "phases", label)
        if key is not None:
            values.append(Value("registeredPhase", RecordField(pointer(*at, "phases"),
                                                        value_text(codes)), "entity", key))
    values += r.values({"allocation": ("allocation", _S),
                        "interventionModel": ("interventionModel", _S),
                        "primaryPurpose": ("primaryPurpose", _S)}, (*at, "designInfo"))
    values += r.value("masking", (*at, "designInfo", "maskingInfo", "masking"))
    for _, who in r.items((*at, "designInfo", "maskingInfo", "whoMasked")):
        values += r.value("maskedRole", who)
    values += r.value("enrollment", (*at, "enrollmentInfo", "count"), "integer")
    values += r.value("enrollmentType", (*at, "enrollmentInfo", "type"))
    return statement("design", values)


def _conditions(r: RecordReader, entities: dict[str, Entity]) -> list[Statement]:
    at = (*_P, "conditionsModule")
    values: list[Value] = []
    for _, c in r.items((*at, "conditions")):
        values += r.value("conditionName", c)
        found = r.field(c)
        key = find_entity(entities, "indications", found.text) if found else None
        if found is not None and key is not None:
            values.append(Value("registeredCondition", found, "entity", key))
    for _, k in r.items((*at, "keywords")):
        values += r.value("keyword", k)
    mesh = ("derivedSection", "conditionBrowseModule", "meshes")
    for _, m in r.items(mesh):
        found = r.field((*m, "id"))
        if found is None:
            continue
        values.append(Value("conditionMesh", found, "iri", f"MESH:{found.text}"))
        values += r.value("conditionMeshTerm", (*m, "term"))
        key = find_by_curie(entities, "indications", f"MESH:{found.text}")
        if key is not None:
            values.append(Value("registeredCondition", found, "entity", key))
    for _, ancestor in r.items(("derivedSection", "conditionBrowseModule", "ancestors")):
        values += r.rest(ancestor, set())
    return statement("conditions", values)


def _arms(r: RecordReader, entities: dict[str, Entity]) -> list[Statement]:
    at = (*_P, "armsInterventionsModule")
    found: list[Statement] = []
    for i, arm in r.items((*at, "armGroups")):
        found += statement(f"arm/{i}", r.values(
            {"label": ("armLabel", _S), "type": ("armType", _S),
             "description": ("description", _S)}, arm), item=f"arm/{i}", cls="ArmGroup")
    for i, it in r.items((*at, "interventions")):
        values = r.values({"type": ("interventionType", _S), "name": ("interventionName", _S),
                           "description": ("description", _S)}, it)
        found += statement(f"intervention/{i}", values + _therapy(r, it, entities),
                           item=f"intervention/{i}", cls="RegisteredIntervention")
    return found


#: A name with its aliases in parentheses, as registries write them:
#: "Sorafenib (Nexavar, BAY43-9006)".
_ALIASES = re.compile(r"^(?P<name>[^()]+?)\s*\((?P<aliases>[^()]+)\)$")


def intervention_names(text: str) -> list[str]:
    """The names an intervention's name field gives: itself, and for "X (A, B)" also X, A and B."""
    names = [text.strip()]
    match = _ALIASES.match(text.strip())
    if match is not None:
        names.append(match.group("name"))
        names += [a.strip() for a in re.split(r"[,;]", match.group("aliases")) if a.strip()]
    return names


def _therapy(r: RecordReader, at: Path, entities: dict[str, Entity]) -> list[Value]:
    """The therapy entity an intervention names (by its name, an alias or one of its other names).

    Nothing when no name is a therapy's label or synonym, or when the names fit several therapies.
    """
    fields = [r.field((*at, "name")), *(r.field(o) for _, o in r.items((*at, "otherNames")))]
    found: dict[str, RecordField] = {}
    for field in fields:
        if field is None:
            continue
        for name in intervention_names(field.text):
            key = find_entity(entities, "therapies", name)
            if key is not None:
                found.setdefault(key, field)
    if len(found) != 1:
        return []
    key, field = next(iter(found.items()))
    return [Value("registeredTherapy", field, "entity", key)]
