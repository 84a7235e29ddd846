"""Registry records -> RDF quads: the record as a source, each statement as an assertion.

A record's graph ``graph:record/<NCT id>`` holds the record node (its verbatim text, SHA-256,
retrieval date, publisher and API URL), the provenance of each of its assertions and the fields
they rest on (JSON Pointer and text). Each statement is its own named graph
``res:record-assertion/<NCT id>/<key>``, as an article's claim is. See docs/data-model.md,
"Registry records".
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kg.core import vocab
from kg.core.model import Entity
from kg.core.record_model import PUBLISHER, RecordField, RegistryRecord, Statement, Value
from kg.core.record_vocab import RECORD
from kg.core.vocab import CART, GRAPH, SCHEMA
from kg.rdf.emit import Quads, entity_iri, expand_curie, sort_quads
from kg.rdf.terms import boolean, decimal, integer, mint

Object = ox.NamedNode | ox.Literal
_DATE = ox.NamedNode(str(XSD.date))
#: Statement properties that are terms of other vocabularies.
_OTHER_TERMS: dict[str, URIRef] = {"description": DCTERMS.description}


def record_iri(nct_id: str) -> ox.NamedNode:
    """The IRI of a registry record (the source)."""
    return mint("registry-record", nct_id)


def registered_trial_iri(nct_id: str) -> ox.NamedNode:
    """The IRI of the trial as its registry record describes it."""
    return mint("registered-trial", nct_id)


def record_graph(nct_id: str) -> ox.NamedNode:
    """The name of the graph holding a record and the provenance of its assertions."""
    return ox.NamedNode(str(GRAPH[f"record/{nct_id}"]))


def record_assertion_iri(nct_id: str, key: str) -> ox.NamedNode:
    """The IRI of one statement's assertion, which is also the name of its graph."""
    return mint("record-assertion", nct_id, key)


def field_iri(nct_id: str, field: RecordField) -> ox.NamedNode:
    """The IRI of a field: its record and its pointer's tokens (percent-encoded)."""
    return mint("record-field", nct_id, quote(field.pointer.lstrip("/"), safe="/~-._"))


def item_iri(nct_id: str, key: str) -> ox.NamedNode:
    """The IRI of an item of a record (an arm, an outcome measure's value, ...)."""
    return mint("registry-item", nct_id, key)


def _term(prop: str) -> ox.NamedNode:
    return ox.NamedNode(str(_OTHER_TERMS.get(prop) or getattr(RECORD, prop, None)
                            or CART[prop]))


def _object(record: RegistryRecord, value: Value, entities: dict[str, Entity]) -> Object:
    kind, obj = value.kind, value.object
    if kind == "string":
        return ox.Literal(obj)
    if kind == "integer":
        return integer(int(obj))
    if kind == "decimal":
        return decimal(Decimal(obj))
    if kind == "boolean":
        return boolean(obj == "true")
    if kind == "entity":
        return entity_iri(entities[obj])
    if kind == "iri":
        return expand_curie(obj)
    if kind == "statistic":
        return ox.NamedNode(str(vocab.STATISTICS[obj]))
    return item_iri(record.nct_id, obj)


def emit_record(record: RegistryRecord, entities: dict[str, Entity]) -> Quads:
    """Everything one registry record contributes: its source graph and one graph per statement."""
    nct = record.nct_id
    prov = record_graph(nct)
    node = record_iri(nct)
    trial = registered_trial_iri(nct)
    quads: list[ox.Quad] = []

    def add(graph: ox.NamedNode, s: ox.NamedNode, p: URIRef | ox.NamedNode, o: Object | str,
            ) -> None:
        pred = p if isinstance(p, ox.NamedNode) else ox.NamedNode(str(p))
        quads.append(ox.Quad(s, pred, ox.Literal(o) if isinstance(o, str) else o, graph))

    label = f"{PUBLISHER} record {nct}"
    for p, o in ((RDF.type, ox.NamedNode(str(RECORD.RegistryRecord))), (RDFS.label, label),
                 (DCTERMS.title, record.title), (DCTERMS.identifier, nct),
                 (DCTERMS.publisher, PUBLISHER),
                 (RECORD.retrieved, ox.Literal(record.retrieved.isoformat(), datatype=_DATE)),
                 (SCHEMA.url, ox.NamedNode(record.api_url)), (CART.sha256, record.sha256),
                 (CART.text, record.text), (CART.curationFile, record.file),
                 (RECORD.recordOf, trial)):
        add(prov, node, p, o)
    for statement in record.statements:
        quads += _statement(record, statement, entities)
    if record.trial is not None:
        quads += _identity(record, entities[record.trial])
    return sort_quads(quads)


def _provenance(record: RegistryRecord, key: str, fields: Iterable[RecordField],
                ) -> list[ox.Quad]:
    """An assertion's provenance: its record and the fields it rests on."""
    nct = record.nct_id
    graph, source = record_graph(nct), record_iri(nct)
    assertion = record_assertion_iri(nct, key)
    out = [ox.Quad(assertion, _n(RDF.type), _n(RECORD.RegistryAssertion), graph),
           ox.Quad(assertion, _n(RECORD.fromRecord), source, graph),
           ox.Quad(assertion, _n(PROV.wasDerivedFrom), source, graph),
           ox.Quad(assertion, _n(CART.claimId), ox.Literal(key), graph),
           ox.Quad(assertion, _n(CART.curationFile), ox.Literal(record.file), graph)]
    for field in fields:
        f = field_iri(nct, field)
        out += [ox.Quad(assertion, _n(RECORD.hasField), f, graph),
                ox.Quad(f, _n(RDF.type), _n(RECORD.RecordField), graph),
                ox.Quad(f, _n(RECORD.inRecord), source, graph),
                ox.Quad(f, _n(RECORD.jsonPointer), ox.Literal(field.pointer), graph),
                ox.Quad(f, _n(RECORD.fieldValue), ox.Literal(field.text), graph)]
    return out


def _n(term: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(term))


def _statement(record: RegistryRecord, statement: Statement, entities: dict[str, Entity],
               ) -> list[ox.Quad]:
    nct = record.nct_id
    graph = record_assertion_iri(nct, statement.key)
    trial = registered_trial_iri(nct)
    subject = trial if statement.item is None else item_iri(nct, statement.item)
    out = _provenance(record, statement.key, (v.field for v in statement.values))
    if statement.item is None:
        out += [ox.Quad(trial, _n(RDF.type), _n(RECORD.RegisteredTrial), graph),
                ox.Quad(trial, _n(RDFS.label), ox.Literal(f"{nct} (as registered)"), graph),
                ox.Quad(trial, _n(SKOS.exactMatch), expand_curie(f"NCT:{nct}"), graph)]
    else:
        out += [ox.Quad(subject, _n(RDF.type), _n(RECORD[str(statement.cls)]), graph),
                ox.Quad(subject, _n(RECORD.aboutTrial), trial, graph)]
    for value in statement.values:
        out.append(ox.Quad(subject, _term(value.prop), _object(record, value, entities), graph))
    return out


def _identity(record: RegistryRecord, entity: Entity) -> list[ox.Quad]:
    """The record verifies its trial entity's NCT id: the one link from the registry to it."""
    nct = record.nct_id
    key = "trial-entity"
    graph = record_assertion_iri(nct, key)
    field = RecordField("/protocolSection/identificationModule/nctId", nct)
    node = entity_iri(entity)
    return [*_provenance(record, key, [field]),
            ox.Quad(node, _n(SKOS.exactMatch), expand_curie(f"NCT:{nct}"), graph),
            ox.Quad(node, _n(RECORD.registeredAs), registered_trial_iri(nct), graph),
            ox.Quad(node, _n(RECORD.verifiedBy), record_iri(nct), graph)]


def emit_records(records: dict[str, RegistryRecord], entities: dict[str, Entity]) -> Quads:
    """Every record, in NCT id order."""
    return sort_quads(q for nct in sorted(records) for q in emit_record(records[nct], entities))
