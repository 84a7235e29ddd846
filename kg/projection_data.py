"""What the property-graph projection reads from the store, in a few streamed SPARQL queries.

:func:`kg.property_graph.project_graph` needs, of a whole dataset, only: which subjects are typed
with a node class (or an outcome category), the properties of the subjects it projects, the
triples inside each assertion graph, and a handful of fields per assertion (its article, claim,
status and first quote). Each is one query whose rows are consumed as they come (never a list of
every row, never a sorted list of every quad), and what is kept is compact: interned strings and
tuples. The article text, the largest literal of the dataset, is never read.

On the on-disk index most of a query's time goes into turning stored terms back into strings, so
the queries filter only on what needs no string (a term's identity: ``?p != rdf:type``, ``?p NOT
IN (...)``); whether a term is an IRI or a literal is checked here, on the rows. One exception,
:func:`literal_types`, finds the (invalid, normally absent) rdf:type triples to a literal, which
the projection reads as properties like any other.

This module knows SPARQL and pyoxigraph; :mod:`kg.property_graph` decides what to make of it.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterator
from typing import NamedTuple

import pyoxigraph as ox

from kg.emit import graph_key
from kg.sparql_text import terms_text
from kg.store import GraphStore, StoreError
from kg.vocab import CART, PREFIXES, SPARQL_PREFIXES

Term = ox.NamedNode | ox.Literal

_TYPE = PREFIXES["rdf"] + "type"
_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
_ASSERTION = ox.NamedNode(str(CART.Assertion))

#: One row per (subject, class), for the classes asked for (a VALUES block is filled in).
_TYPED = SPARQL_PREFIXES + """
SELECT DISTINCT ?s ?t WHERE { VALUES ?t { %s } ?s rdf:type ?t }
"""

#: rdf:type triples to a literal, in any graph.
_LITERAL_TYPES = SPARQL_PREFIXES + """
SELECT ?g ?s ?o WHERE { GRAPH ?g { ?s rdf:type ?o } FILTER(isLiteral(?o)) }
"""

#: The properties of the subjects typed with one of the classes, one subject after the other:
#: the DISTINCT subquery yields each subject once, and its properties are looked up right after.
#: rdf:type and the predicates asked to be skipped are left out.
_PROPERTIES = SPARQL_PREFIXES + """
SELECT ?s ?p ?o WHERE {
  { SELECT DISTINCT ?s WHERE { VALUES ?t { %s } ?s rdf:type ?t } }
  ?s ?p ?o
  FILTER(?p NOT IN (%s))
}
"""

#: The triples of each assertion graph, rdf:type aside.
_ASSERTED = SPARQL_PREFIXES + """
SELECT ?a ?s ?p ?o WHERE {
  { SELECT DISTINCT ?a WHERE { ?a rdf:type cart:Assertion } }
  GRAPH ?a { ?s ?p ?o }
  FILTER(?p != rdf:type)
}
"""

#: Per assertion and quote, what an edge's support shows. The same graph pattern as the evidence
#: records of :func:`kg.trace.evidence_for` (an assertion without it has no record), but without
#: the article text and the other fields a record carries for display. Each triple pattern is a
#: subquery of its own so that they are joined by hashing: joined by looking each assertion up,
#: the query takes several times longer on the on-disk index (a seek per assertion and pattern).
_EVIDENCE = SPARQL_PREFIXES + """
SELECT ?a ?claim ?article ?aid ?eco ?disputed ?exact ?start WHERE {
  { SELECT ?a WHERE { ?a rdf:type cart:Assertion } }
  { SELECT ?a ?claim WHERE { ?a cart:claimId ?claim } }
  { SELECT ?a WHERE { ?a cart:curationFile ?file } }
  { SELECT ?a ?article WHERE { ?a cart:fromArticle ?article } }
  { SELECT ?a ?eco WHERE { ?a cart:evidenceType ?eco } }
  { SELECT ?a ?disputed WHERE { ?a cart:isDisputed ?disputed } }
  { SELECT ?a ?quote WHERE { ?a cart:hasQuote ?quote } }
  { SELECT ?quote ?exact WHERE { ?quote oa:exact ?exact } }
  { SELECT ?quote ?start WHERE { ?quote oa:start ?start } }
  { SELECT ?quote WHERE { ?quote oa:end ?end } }
  { SELECT ?article ?aid WHERE { ?article dcterms:identifier ?aid ; dcterms:title ?title ;
                                          cart:articleKind ?kind ; cart:text ?text } }
}
"""


class Evidence(NamedTuple):
    """What the projection shows of one assertion."""

    article: str
    article_id: str
    #: ``<article id>/<claim id>``, made once and shared by every edge the assertion backs (it
    #: sorts as (article id, claim id) among the claims of one article)
    claim: str
    disputed: bool
    #: ``inferred`` (ECO:0000305, curator inference) or ``stated``
    basis: str
    #: the exact text of the assertion's first quote (by start offset)
    quote: str | None


def _solutions(store: GraphStore, sparql: str) -> ox.QuerySolutions:
    result = store.store.query(sparql, use_default_graph_as_union=True)
    if not isinstance(result, ox.QuerySolutions):
        raise StoreError("only SELECT queries are supported here")
    return result


def _iris(iris: Collection[str], separator: str = " ") -> str:
    return terms_text((ox.NamedNode(iri) for iri in sorted(iris)), separator)


def typed(store: GraphStore, classes: Collection[str]) -> Iterator[tuple[str, str]]:
    """(subject, class) for every IRI typed with one of ``classes``, in any graph."""
    intern = sys.intern
    for solution in _solutions(store, _TYPED % _iris(classes)):
        subject, cls = solution[0], solution[1]
        if isinstance(subject, ox.NamedNode) and isinstance(cls, ox.NamedNode):
            yield intern(subject.value), cls.value


def literal_types(store: GraphStore) -> list[tuple[str, str, ox.Literal]]:
    """(graph, subject, literal) for every rdf:type triple whose object is a literal."""
    found = []
    for solution in _solutions(store, _LITERAL_TYPES):
        graph, subject, obj = solution[0], solution[1], solution[2]
        if isinstance(subject, ox.NamedNode) and isinstance(obj, ox.Literal):
            graph_name = graph.value if isinstance(graph, ox.NamedNode) else ""
            found.append((graph_name, subject.value, obj))
    return found


def properties(store: GraphStore, classes: Collection[str], skipped: Collection[str],
               wanted: Collection[str], literal_types: list[tuple[str, str, ox.Literal]],
               ) -> Iterator[tuple[str, dict[str, set[Term]]]]:
    """The properties of the ``wanted`` subjects typed with one of ``classes``, over every graph.

    Yields each subject with its predicate -> objects: IRIs and literals, rdf:type only to a
    literal (from ``literal_types``), the ``skipped`` predicates left out. A subject with no such
    property is not yielded. The query gives a subject's rows together; should they ever come in
    two runs, the subject is yielded again at the end with its properties read from the store's
    index: the last yield of a subject is the one that counts (so that the result never depends
    on the query's order).
    """
    extra: dict[str, set[Term]] = {}
    for _, subject, literal in literal_types:
        if subject in wanted:
            extra.setdefault(subject, set()).add(literal)
    sparql = _PROPERTIES % (_iris(classes), _iris({*skipped, _TYPE}, ", "))
    seen: set[str] = set()
    again: set[str] = set()
    current: str | None = None
    props: dict[str, set[Term]] = {}
    for solution in _solutions(store, sparql):
        subject, predicate, obj = solution[0], solution[1], solution[2]
        if not isinstance(subject, ox.NamedNode) or not isinstance(predicate, ox.NamedNode) \
                or not isinstance(obj, (ox.NamedNode, ox.Literal)):
            continue
        if subject.value != current:
            if current is not None and current in wanted:
                yield current, _with(props, extra.pop(current, None))
            current, props = sys.intern(subject.value), {}
            if current in seen:
                again.add(current)
            seen.add(current)
        if current in wanted:
            props.setdefault(predicate.value, set()).add(obj)
    if current is not None and current in wanted:
        yield current, _with(props, extra.pop(current, None))
    for subject in sorted(s for s in again if s in wanted):
        yield subject, _properties_of(store, subject, skipped)
    for subject, literals in sorted(extra.items()):  # subjects with no other property
        if subject not in again:
            yield subject, {_TYPE: literals}


def _with(props: dict[str, set[Term]], types: set[Term] | None) -> dict[str, set[Term]]:
    if types:
        props[_TYPE] = types
    return props


def _properties_of(store: GraphStore, subject: str,
                   skipped: Collection[str]) -> dict[str, set[Term]]:
    props: dict[str, set[Term]] = {}
    for quad in store.store.quads_for_pattern(ox.NamedNode(subject), None, None, None):
        p, o = quad.predicate.value, quad.object
        if isinstance(o, (ox.NamedNode, ox.Literal)) and p not in skipped \
                and not (p == _TYPE and isinstance(o, ox.NamedNode)):
            props.setdefault(p, set()).add(o)
    return props


def asserted(store: GraphStore, literal_types: list[tuple[str, str, ox.Literal]],
             ) -> Iterator[tuple[str, str, str | None, str | None]]:
    """What each assertion graph says, rdf:type to an IRI aside.

    (assertion, subject, predicate, object) for a triple between two IRIs, (assertion, subject,
    None, None) for a triple from an IRI to a literal. An assertion and subject may come again.
    """
    intern = sys.intern
    for solution in _solutions(store, _ASSERTED):
        a, s, p, o = solution[0], solution[1], solution[2], solution[3]
        if not isinstance(a, ox.NamedNode) or not isinstance(s, ox.NamedNode):
            continue
        if isinstance(o, ox.NamedNode) and isinstance(p, ox.NamedNode):
            yield intern(a.value), intern(s.value), intern(p.value), intern(o.value)
        elif isinstance(o, ox.Literal):
            yield intern(a.value), intern(s.value), None, None
    for graph, subject, _ in literal_types:
        if graph and _is_assertion(store, graph):
            yield intern(graph), intern(subject), None, None


def _is_assertion(store: GraphStore, iri: str) -> bool:
    quads = store.store.quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(_TYPE), _ASSERTION, None)
    return next(iter(quads), None) is not None


def evidence(store: GraphStore) -> dict[str, Evidence]:
    """The support fields of every assertion that has a quote, by assertion IRI.

    A field with several values takes the first row's; the quote is the one that starts first
    (the first met, between two that start at the same offset).
    """
    intern = sys.intern
    found: dict[str, Evidence] = {}
    starts: dict[str, int] = {}
    for solution in _solutions(store, _EVIDENCE):
        a, claim, article, aid, eco, disputed, exact, start = (solution[i] for i in range(8))
        if a is None:
            continue
        assertion = a.value
        offset = int(start.value) if start is not None and start.value else 0
        record = found.get(assertion)
        if record is None:
            article_id = intern(aid.value if aid is not None else "")
            claim_id = claim.value if claim is not None else ""
            record = Evidence(
                article=intern(article.value if article is not None else ""),
                article_id=article_id, claim=f"{article_id}/{claim_id}",
                disputed=disputed is not None and disputed.value == "true",
                basis="inferred" if eco is not None and eco.value.endswith("0000305")
                else "stated",
                quote=None)
        elif offset >= starts[assertion]:
            continue
        found[intern(assertion)] = record._replace(
            quote=exact.value if exact is not None else "")
        starts[assertion] = offset
    return found


def first_label(store: GraphStore, iri: str) -> str | None:
    """The first literal ``rdfs:label`` of an IRI in the dataset's canonical order, if any."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return None
    labels = [(graph_key(q.graph_name), str(q.object), q.object.value)
              for q in store.store.quads_for_pattern(node, _LABEL, None, None)
              if isinstance(q.object, ox.Literal)]
    return min(labels)[2] if labels else None
