"""What the evidence analyses need from one part, read from its quads when the part is built.

The analyses (:mod:`kg.build.analyses`) compare claims across articles, so they are computed
once every part is built. Each part contributes a small summary of its quads (an :data:`Inputs`),
kept with the part in the build cache: when one article changes, only its summary is read again
and the analyses are derived from the summaries, without reading the other parts' shards.

A summary is kept as one JSON text a part (:func:`pack`): at 10,000 articles the summaries as
Python tuples took several hundred megabytes in the build's process, as texts 134 MB, and the
cache reads and writes texts at once. RDF terms are kept as (kind, value, datatype or language)
triples (:func:`plain`), turned back by :func:`term`.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from kg.core.vocab import CART, EVIDENCE_TYPES, RESOURCE
from kg.rdf.emit import REGISTRY_GRAPH, term_value

#: One part's summary: (articles, claims, facts, outcomes), each a tuple of tuples.
#: - article: (IRI, id, IRIs of the sources it derives from)
#: - claim: (assertion IRI, article IRI, claim id, stated, disputed)
#: - fact: (subject IRI, predicate IRI, object term, assertion IRI)
#: - outcome: (IRI, assertion IRI, fields as (name, term) pairs, indication IRIs)
Inputs = tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]
#: A term as plain values: ("I", iri, "") for an IRI, ("L", text, datatype-or-@lang) otherwise.
Plain = tuple[str, str, str]

_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
_IDENTIFIER = "http://purl.org/dc/terms/identifier"
_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
_ARTICLE = str(CART.Article)
_OUTCOME = str(CART.Outcome)
_INDICATION = str(CART.Indication)
_STATED = str(EVIDENCE_TYPES["stated"])
_ARTICLE_PREFIX = str(RESOURCE) + "article/"
#: The outcome fields that decide which reports are the same result (and the value).
OUTCOME_FIELDS = {str(CART[name]): name for name in (
    "forTherapy", "hasMeasure", "hasStatistic", "value", "hasUnit", "grade", "timepointMonths",
    "timepointQualifier", "dataCutoff", "reportsEndpoint", "populationDescription")}
_FOR_INDICATION = str(CART.forIndication)


def plain(t: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> Plain:
    """A term as plain strings (an IRI interned: the same IRIs recur in every part)."""
    if isinstance(t, ox.NamedNode):
        return ("I", sys.intern(t.value), "")
    if isinstance(t, ox.Literal):
        return ("L", t.value, f"@{t.language}" if t.language else t.datatype.value)
    return ("B", str(t), "")


def term(p: Plain | list[str]) -> ox.NamedNode | ox.Literal:
    """The RDF term of :func:`plain`'s strings (a blank node comes back as a literal of its id)."""
    kind, value, extra = p
    if kind == "I":
        return ox.NamedNode(value)
    if extra.startswith("@"):
        return ox.Literal(value, language=extra[1:])
    return ox.Literal(value, datatype=ox.NamedNode(extra)) if extra else ox.Literal(value)


def read_inputs(quads: Iterable[ox.Quad], is_entity: Callable[[str], bool]) -> Inputs:
    """The summary of a part's quads (one article's, or any set of articles').

    A fact is a triple of a claim's assertion graph whose subject is a registry entity
    (``is_entity``); an outcome is a node typed ``cart:Outcome`` in an assertion graph.
    """
    quads = list(quads)
    by_subject: dict[str, dict[str, list[Any]]] = {}
    for q in quads:
        if isinstance(q.subject, ox.NamedNode):
            by_subject.setdefault(q.subject.value, {}).setdefault(q.predicate.value, []).append(
                q.object)

    def one(props: dict[str, list[Any]], name: str) -> str | None:
        values = props.get(name)
        return values[0].value if values else None

    claims = []
    for subject, props in by_subject.items():
        article = one(props, str(CART.fromArticle))
        if article is None:
            continue
        claims.append((subject, article, one(props, str(CART.claimId)) or "",
                       one(props, str(CART.evidenceType)) == _STATED,
                       one(props, str(CART.isDisputed)) == "true"))
    assertions = {c[0] for c in claims}
    articles = tuple(sorted(
        (subject, one(props, _IDENTIFIER) or "",
         tuple(sorted(t.value for t in props.get(_DERIVED, ()) if isinstance(t, ox.NamedNode))))
        for subject, props in by_subject.items()
        if any(isinstance(t, ox.NamedNode) and t.value == _ARTICLE for t in props.get(_TYPE, ()))))
    facts = []
    outcomes: dict[str, str] = {}
    for q in quads:
        graph = q.graph_name
        if not isinstance(graph, ox.NamedNode) or graph.value not in assertions:
            continue
        if not isinstance(q.subject, ox.NamedNode):
            continue
        subject = q.subject.value
        if is_entity(subject):
            facts.append((sys.intern(subject), sys.intern(q.predicate.value), plain(q.object),
                          graph.value))
        if q.predicate.value == _TYPE and isinstance(q.object, ox.NamedNode) \
                and q.object.value == _OUTCOME:
            outcomes[subject] = graph.value
    reports = []
    for outcome, assertion in outcomes.items():
        props = by_subject[outcome]
        fields = tuple((OUTCOME_FIELDS[p], plain(values[0]))
                       for p, values in sorted(props.items()) if p in OUTCOME_FIELDS and values)
        indications = tuple(sorted(t.value for t in props.get(_FOR_INDICATION, ())))
        reports.append((outcome, assertion, fields, indications))
    return (articles, tuple(sorted(claims)), tuple(sorted(facts)), tuple(sorted(reports)))


#: The registry's summary: (broader links (narrower, broader) between indications, labels
#: (entity IRI, label)): what the analyses need to group by indication and to order their results.
Registry = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]


def pack(summary: Inputs | Registry) -> str:
    """A summary as the JSON text a part keeps (the same summary, the same text)."""
    return json.dumps(summary, separators=(",", ":"))


def unpack(text: str) -> Any:
    """A summary from its text (lists where :func:`pack` was given tuples)."""
    return json.loads(text) if text else [[], [], [], []]


def summary_digest(text: str) -> str:
    """A digest of a part's summary text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def read_registry(quads: Iterable[ox.Quad]) -> Registry:
    """The registry graph's ``skos:broader`` links between indications, and its labels."""
    registry = ox.NamedNode(str(REGISTRY_GRAPH))
    quads = [q for q in quads if q.graph_name == registry]
    indications = {term_value(q.subject) for q in quads if q.predicate.value == _TYPE
                   and term_value(q.object) == _INDICATION}
    broader = tuple(sorted((term_value(q.subject), term_value(q.object)) for q in quads
                           if q.predicate.value == _BROADER
                           and term_value(q.subject) in indications
                           and isinstance(q.object, ox.NamedNode)))
    labels: dict[str, str] = {}
    for q in quads:
        if q.predicate.value == _LABEL and isinstance(q.subject, ox.NamedNode):
            label = term_value(q.object)
            labels[q.subject.value] = min(label, labels.get(q.subject.value, label))
    return broader, tuple(sorted(labels.items()))


def registry_entities(quads: Iterable[ox.Quad]) -> frozenset[str]:
    """The registry entities: the subjects with a label in the registry graph."""
    registry = ox.NamedNode(str(REGISTRY_GRAPH))
    return frozenset(term_value(q.subject) for q in quads
                     if q.graph_name == registry and q.predicate.value == _LABEL
                     and isinstance(q.subject, ox.NamedNode))
