"""The lean store pyshacl validates the build's data in answers exactly as rdflib's own store."""

from __future__ import annotations

import itertools
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from kg.validation.datagraph import TripleIndex, to_rdflib, union_graph
from kg.validation.validate import core_shapes, load_shapes

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "tests" / "data" / "shapes").glob("*.ttl"))
EX = "https://example.org/"


def _quads(path: Path) -> tuple[ox.Quad, ...]:
    return tuple(ox.Quad(t.subject, t.predicate, t.object)
                 for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE))


def _reference(quads: tuple[ox.Quad, ...]) -> Graph:
    graph = Graph()  # rdflib's default Memory store
    for q in quads:
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


@pytest.fixture(scope="module")
def small() -> tuple[ox.Quad, ...]:
    s, t = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "t")
    p, q = ox.NamedNode(EX + "p"), ox.NamedNode(EX + "q")
    return (ox.Quad(s, p, t), ox.Quad(s, p, ox.Literal("x")), ox.Quad(s, q, t),
            ox.Quad(t, p, s), ox.Quad(t, q, ox.Literal("1", datatype=ox.NamedNode(
                "http://www.w3.org/2001/XMLSchema#integer"))),
            ox.Quad(s, p, t, ox.NamedNode(EX + "g")))  # the same triple in another graph


def test_every_triple_pattern_gives_the_same_triples_as_rdflibs_store(
        small: tuple[ox.Quad, ...]) -> None:
    lean, reference = union_graph(small), _reference(small)
    assert len(lean) == len(reference) == 5
    terms: list[Node | None] = [None, URIRef(EX + "s"), URIRef(EX + "t"), URIRef(EX + "p"),
                                URIRef(EX + "q"), Literal("x"), URIRef(EX + "absent")]
    for pattern in itertools.product(terms, repeat=3):
        assert sorted(lean.triples(pattern)) == sorted(reference.triples(pattern)), pattern


def test_adding_twice_keeps_one_triple_and_removing_empties_the_indexes(
        small: tuple[ox.Quad, ...]) -> None:
    graph = union_graph(small + small)
    assert len(graph) == 5
    graph.remove((URIRef(EX + "s"), None, None))
    assert len(graph) == 2
    assert set(graph.subjects()) == {URIRef(EX + "t")}
    graph.remove((None, None, None))
    assert len(graph) == 0 and list(graph.triples((None, URIRef(EX + "p"), None))) == []
    store = graph.store
    assert isinstance(store, TripleIndex)
    assert store._spo == store._pos == store._osp == {}


def test_namespace_bindings_behave_as_in_rdflibs_store() -> None:
    lean, reference = Graph(store=TripleIndex()), Graph()
    for graph in (lean, reference):
        graph.bind("ex", EX)
        graph.bind("ex", EX + "other/")
        graph.bind("ex2", EX, override=False)
        graph.bind("cart", "https://w3id.org/cart-kg/ontology#", override=False)
    assert sorted(lean.namespaces()) == sorted(reference.namespaces())
    assert lean.qname(URIRef(EX + "other/x")) == reference.qname(URIRef(EX + "other/x"))


def test_blank_nodes_are_refused_with_a_clear_error() -> None:
    quad = ox.Quad(ox.BlankNode("b"), ox.NamedNode(EX + "p"), ox.Literal("x"))
    with pytest.raises(TypeError, match="must not hold blank nodes"):
        union_graph([quad])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_pyshacl_reports_the_same_on_the_lean_store(example: Path) -> None:
    """Full report graphs, messages included, on every shape example (valid and invalid)."""
    shapes = core_shapes(load_shapes())
    quads = _quads(example)
    lean = validate(union_graph(quads), shacl_graph=shapes, inference="none", advanced=True,
                    inplace=True)
    reference = validate(_reference(quads), shacl_graph=shapes, inference="none", advanced=True,
                         inplace=True)
    assert lean[0] == reference[0]
    assert isomorphic(lean[1], reference[1]), lean[2]
    assert sorted(lean[2].splitlines()) == sorted(reference[2].splitlines())
