"""The data graph pyshacl validates: the union of a dataset's graphs, in a lean in-memory store.

rdflib's default store keeps, for every triple, the graphs it is in, and pays for that on every
add and every look-up. pyshacl looks triples up thousands of times per article (about a third of
its time in the build went to the store). Validation needs the union of the graphs only, so
:class:`TripleIndex` keeps three plain indexes (subject, predicate, object first) and nothing
else: the same triples, the same answers, in about half the time (docs/decisions/0007).
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.store import Store
from rdflib.term import Node

from kg.validation.prepared_queries import PreparedQueries

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Term = ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple
_Index = dict[Node, dict[Node, dict[Node, None]]]


def to_rdflib(term: Term) -> Node:
    """Convert an Oxigraph term to rdflib."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)  # rdflib treats "x"^^xsd:string and "x" as different
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"{term} in the dataset: a dataset must not hold blank nodes or quoted triples")


def _put(index: _Index, a: Node, b: Node, c: Node) -> None:
    inner = index.get(a)
    if inner is None:
        index[a] = {b: {c: None}}
        return
    leaf = inner.get(b)
    if leaf is None:
        inner[b] = {c: None}
    else:
        leaf[c] = None


def _drop(index: _Index, a: Node, b: Node, c: Node) -> None:
    inner = index[a]
    leaf = inner[b]
    del leaf[c]
    if not leaf:
        del inner[b]
        if not inner:
            del index[a]


class TripleIndex(Store):
    """A set of triples indexed by subject, predicate and object; one graph, no contexts.

    It says it is context- and graph-aware because pyshacl wraps the data graph in an rdflib
    Dataset, which asks for that; every triple is in the one graph, whatever context a caller
    names.
    Insertion-ordered dicts keep the order of answers the order the triples came in.
    """

    context_aware = True
    formula_aware = False
    transaction_aware = False
    graph_aware = True

    def __init__(self) -> None:
        super().__init__()
        self._spo: _Index = {}
        self._pos: _Index = {}
        self._osp: _Index = {}
        self._size = 0
        self._namespaces: dict[str, URIRef] = {}
        self._prefixes: dict[URIRef, str] = {}

    def add(self, triple: Any, context: Any = None, quoted: bool = False) -> None:
        """Add one triple (the context is ignored)."""
        s, p, o = triple
        po = self._spo.get(s)
        if po is not None and o in po.get(p, ()):
            return
        _put(self._spo, s, p, o)
        _put(self._pos, p, o, s)
        _put(self._osp, o, s, p)
        self._size += 1

    def addN(self, quads: Iterable[Any]) -> None:
        """Add triples given as quads (their graphs are ignored)."""
        for s, p, o, _ in quads:
            self.add((s, p, o))

    def remove(self, triple: Any, context: Any = None) -> None:
        """Remove the triples that match a pattern."""
        for (s, p, o), _ in list(self.triples(triple)):
            _drop(self._spo, s, p, o)
            _drop(self._pos, p, o, s)
            _drop(self._osp, o, s, p)
            self._size -= 1

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
        """The triples that match a pattern (None matches anything), each with no contexts."""
        s, p, o = triple_pattern
        none = iter(())
        if s is not None:
            po = self._spo.get(s)
            if po is None:
                return
            if p is not None:
                objects = po.get(p)
                if objects is None:
                    return
                if o is not None:
                    if o in objects:
                        yield (s, p, o), none
                    return
                for obj in list(objects):
                    yield (s, p, obj), none
                return
            for pred, objects in list(po.items()):
                if o is None:
                    for obj in list(objects):
                        yield (s, pred, obj), none
                elif o in objects:
                    yield (s, pred, o), none
            return
        if p is not None:
            os_ = self._pos.get(p)
            if os_ is None:
                return
            if o is not None:
                for subj in list(os_.get(o, ())):
                    yield (subj, p, o), none
                return
            for obj, subjects in list(os_.items()):
                for subj in list(subjects):
                    yield (subj, p, obj), none
            return
        if o is not None:
            for subj, predicates in list(self._osp.get(o, {}).items()):
                for pred in list(predicates):
                    yield (subj, pred, o), none
            return
        for subj, po in list(self._spo.items()):
            for pred, objects in list(po.items()):
                for obj in list(objects):
                    yield (subj, pred, obj), none

    def __len__(self, context: Any = None) -> int:
        return self._size

    def contexts(self, triple: Any = None) -> Generator[Graph, None, None]:
        """No named graphs: this store holds one graph."""
        yield from ()

    def add_graph(self, graph: Graph) -> None:
        """Nothing to do: this store holds one graph."""

    def remove_graph(self, graph: Graph) -> None:
        """Nothing to do: this store holds one graph."""

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        """Bind a prefix to a namespace, exactly as rdflib's own memory stores do."""
        bound_namespace = self._namespaces.get(prefix)
        bound_prefix = self._prefixes.get(namespace)
        if bound_prefix is None and bound_namespace is not None:
            bound_prefix = self._prefixes.get(bound_namespace)
        if override:
            if bound_prefix is not None:
                del self._namespaces[bound_prefix]
            if bound_namespace is not None:
                del self._prefixes[bound_namespace]
            self._prefixes[namespace] = prefix
            self._namespaces[prefix] = namespace
        else:
            kept_namespace = namespace if bound_namespace is None else bound_namespace
            kept_prefix = prefix if bound_prefix is None else bound_prefix
            self._prefixes[kept_namespace] = kept_prefix
            self._namespaces[kept_prefix] = kept_namespace

    def namespace(self, prefix: str) -> URIRef | None:
        """The namespace bound to a prefix."""
        return self._namespaces.get(prefix)

    def prefix(self, namespace: URIRef) -> str | None:
        """The prefix bound to a namespace."""
        return self._prefixes.get(namespace)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        """Every (prefix, namespace) binding."""
        yield from list(self._namespaces.items())


class DataGraph(Graph):
    """The graph pyshacl validates: its SPARQL queries are prepared once per process.

    pyshacl runs the shapes' SPARQL targets through ``Graph.query`` by their text; this graph
    hands them to :class:`~kg.validation.prepared_queries.PreparedQueries`, so that each text is
    parsed once. Only this graph is affected: rdflib's processor for every other graph is left as
    it is.
    """

    def query(self, query_object: Any, processor: Any = "sparql", *args: Any,
              **kwargs: Any) -> Any:
        """Run a query, with a prepared-query processor unless another is asked for."""
        if processor == "sparql":
            processor = PreparedQueries(self)  # type: ignore[no-untyped-call]
        return super().query(query_object, processor, *args, **kwargs)


def union_graph(quads: Iterable[ox.Quad]) -> Graph:
    """The union of all graphs of the dataset, as an rdflib graph for pyshacl."""
    store = TripleIndex()
    terms: dict[Term, Node] = {}

    def term(t: Term) -> Node:
        found = terms.get(t)
        if found is None:
            found = terms[t] = to_rdflib(t)
        return found

    add = store.add
    for q in quads:
        add((term(q.subject), term(q.predicate), term(q.object)))
    return DataGraph(store=store)
