"""Tracing to registry records: from an entity or a record back to the fields of the record.

The registry's counterpart of :mod:`kg.provenance.trace`: each registry assertion with the
record it comes from (ClinicalTrials.gov, the retrieval date, the API URL) and each field it rests
on (JSON Pointer and value). It reads only the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kg.core.curie import compact
from kg.core.sparql_text import terms_text
from kg.core.vocab import SPARQL_PREFIXES
from kg.store.store import GraphStore


@dataclass(frozen=True)
class RecordEvidence:
    """One registry assertion: the record it comes from, its fields and what it asserts."""

    assertion: str
    statement: str
    record: str
    nct_id: str
    title: str
    publisher: str
    retrieved: str
    url: str
    file: str
    fields: tuple[tuple[str, str], ...]
    triples: tuple[tuple[str, str, str], ...]


_INVOLVING = SPARQL_PREFIXES + """
SELECT DISTINCT ?a ?x WHERE {
  { ?a a cart:RegistryAssertion . GRAPH ?a { { ?x ?p ?o } UNION { ?s ?p ?x } } }
  UNION
  { ?x cart:registeredAs ?rt . ?a a cart:RegistryAssertion . GRAPH ?a { ?rt ?p ?o } }
}
"""

_FROM_RECORD = SPARQL_PREFIXES + """
SELECT ?a ?x WHERE { ?a a cart:RegistryAssertion ; cart:fromRecord ?x }
"""

_EVIDENCE = SPARQL_PREFIXES + """
SELECT ?a ?key ?file ?record ?nct ?title ?publisher ?retrieved ?url ?pointer ?value WHERE {
  VALUES ?a { %s }
  ?a cart:claimId ?key ; cart:curationFile ?file ; cart:fromRecord ?record ;
     cart:hasField ?field .
  ?field cart:jsonPointer ?pointer ; cart:fieldValue ?value .
  ?record dcterms:identifier ?nct ; dcterms:title ?title ; dcterms:publisher ?publisher ;
          cart:retrieved ?retrieved ; schema:url ?url .
}
"""

_TRIPLES = "SELECT ?a ?s ?p ?o WHERE { VALUES ?a { %s } GRAPH ?a { ?s ?p ?o } }"
BATCH = 200


def _short(term: ox.NamedNode | ox.Literal | None) -> str:
    if isinstance(term, ox.NamedNode):
        return compact(term.value)
    return "" if term is None else repr(term.value)


def record_evidence_for(store: GraphStore, assertions: list[ox.NamedNode]
                        ) -> list[RecordEvidence]:
    """Full evidence of the given registry assertions, by record then statement."""
    ordered = sorted(set(assertions), key=lambda a: a.value)
    found: list[RecordEvidence] = []
    for start in range(0, len(ordered), BATCH):
        values = terms_text(ordered[start:start + BATCH])
        rows: dict[str, list[tuple[ox.NamedNode | ox.Literal | None, ...]]] = {}
        for row in store.select(_EVIDENCE % values)[1]:
            rows.setdefault(row[0].value if row[0] else "", []).append(row)
        triples: dict[str, set[tuple[str, str, str]]] = {}
        for a, *spo in store.select(_TRIPLES % values)[1]:
            triples.setdefault(a.value if a else "", set()).add(
                (_short(spo[0]), _short(spo[1]), _short(spo[2])))
        for iri, group in rows.items():
            first = group[0]
            cell = [None if t is None else t.value for t in first]
            found.append(RecordEvidence(
                assertion=iri, statement=cell[1] or "", file=cell[2] or "",
                record=cell[3] or "", nct_id=cell[4] or "", title=cell[5] or "",
                publisher=cell[6] or "", retrieved=cell[7] or "", url=cell[8] or "",
                fields=tuple(sorted({(r[9].value, r[10].value) for r in group
                                     if r[9] is not None and r[10] is not None})),
                triples=tuple(sorted(triples.get(iri, ())))))
    return sorted(found, key=lambda r: (r.nct_id, r.statement))


def trace_entity_records(store: GraphStore, entity: ox.NamedNode) -> list[RecordEvidence]:
    """The registry assertions that involve the entity.

    For a trial whose record is loaded, also those that describe the trial as registered
    (identification, status, sponsor, design, conditions).
    """
    _, rows = store.select(_INVOLVING, {"x": entity})
    return record_evidence_for(store, [r[0] for r in rows if isinstance(r[0], ox.NamedNode)])


_FACT = SPARQL_PREFIXES + """
SELECT DISTINCT ?a ?s ?p ?o WHERE { ?a a cart:RegistryAssertion . GRAPH ?a { ?s ?p ?o } }
"""


def trace_fact_records(store: GraphStore, subject: ox.NamedNode, predicate: ox.NamedNode,
                       obj: ox.NamedNode | ox.Literal) -> list[RecordEvidence]:
    """The registry assertions that state one fact (subject, predicate, object)."""
    _, rows = store.select(_FACT, {"s": subject, "p": predicate, "o": obj})
    return record_evidence_for(store, [r[0] for r in rows if isinstance(r[0], ox.NamedNode)])


def trace_record(store: GraphStore, record: ox.NamedNode) -> list[RecordEvidence]:
    """Everything one registry record contributes."""
    _, rows = store.select(_FROM_RECORD, {"x": record})
    return record_evidence_for(store, [r[0] for r in rows if isinstance(r[0], ox.NamedNode)])
