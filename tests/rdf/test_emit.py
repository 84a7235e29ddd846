"""Records -> RDF: deterministic IRIs, no blank nodes, one named graph per claim, same bytes."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import MINI
from rdflib import Dataset
from rdflib.compare import isomorphic

from kg.curation.sources import load_sources
from kg.rdf.emit import emit_dataset, sort_quads
from kg.store.files import DATASET_FILES, serialize, write_dataset
from kg.store.store import read_quads

RES = "https://w3id.org/cart-kg/resource/"


@pytest.fixture(scope="module")
def quads() -> tuple[ox.Quad, ...]:
    return emit_dataset(load_sources(MINI))


def test_each_claim_is_its_own_named_graph(quads: tuple[ox.Quad, ...]) -> None:
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    claims = {g for g in graphs if g.startswith(RES + "assertion/")}
    assert claims == {f"{RES}assertion/a1/{c}" for c in
                      ("trial-phase", "trial-sponsor", "cohort", "pfvc", "icans", "plan")}
    assert "https://w3id.org/cart-kg/graph/provenance/a1" in graphs
    assert "https://w3id.org/cart-kg/graph/registry" in graphs


def test_no_blank_nodes_anywhere(quads: tuple[ox.Quad, ...]) -> None:
    for q in quads:
        for term in (q.subject, q.object, q.graph_name):
            assert not isinstance(term, ox.BlankNode), q


def test_quote_iri_comes_from_article_and_offsets(quads: tuple[ox.Quad, ...]) -> None:
    text = (MINI / "articles/a1/article.txt").read_text(encoding="utf-8")
    start = text.index("Two patients had grade-3 ICANS.")
    end = start + len("Two patients had grade-3 ICANS.")
    quote = f"{RES}quote/a1/{start}-{end}"
    assert any(q.subject.value == quote for q in quads if isinstance(q.subject, ox.NamedNode))


def test_outcome_carries_value_unit_population_and_timepoint(quads: tuple[ox.Quad, ...]) -> None:
    node = ox.NamedNode(f"{RES}outcome/a1/pfvc")
    props = {q.predicate.value.split("#")[-1]: q.object for q in quads if q.subject == node}
    assert props["value"] == ox.Literal("10", datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#decimal"))
    assert props["hasUnit"] == ox.NamedNode("http://qudt.org/vocab/unit/PERCENT")
    assert props["populationDescription"] == ox.Literal("patients with SSc")
    assert props["timepointText"] == ox.Literal("at 6 months")


def test_two_builds_give_byte_identical_files(tmp_path: Path) -> None:
    first = write_dataset(emit_dataset(load_sources(MINI)), tmp_path / "one")
    second = write_dataset(emit_dataset(load_sources(MINI)), tmp_path / "two")
    for role in DATASET_FILES:
        assert first[role].read_bytes() == second[role].read_bytes(), role


def test_sorting_is_independent_of_input_order(quads: tuple[ox.Quad, ...]) -> None:
    assert sort_quads(reversed(quads)) == quads


@pytest.mark.parametrize("role", ["trig", "nquads"])
def test_dataset_files_round_trip_in_pyoxigraph_and_rdflib(
    tmp_path: Path, quads: tuple[ox.Quad, ...], role: str
) -> None:
    path = write_dataset(quads, tmp_path)[role]
    assert read_quads(path) == quads
    rdflib_ds = Dataset()
    rdflib_ds.parse(data=path.read_text(encoding="utf-8"),
                    format="trig" if role == "trig" else "nquads")
    expected = Dataset()
    expected.parse(data=serialize(quads, "nquads").decode(), format="nquads")
    assert len(rdflib_ds) == len(expected) == len(quads)
    for graph in expected.graphs():
        assert isomorphic(graph, rdflib_ds.graph(graph.identifier)), graph.identifier


def test_union_turtle_holds_each_triple_once(tmp_path: Path, quads: tuple[ox.Quad, ...]) -> None:
    path = write_dataset(quads, tmp_path)["union"]
    triples = list(ox.parse(path.read_bytes(), format=ox.RdfFormat.TURTLE))
    assert len(triples) == len({q.triple for q in quads})


def test_excluding_an_article_removes_exactly_its_graphs(quads: tuple[ox.Quad, ...]) -> None:
    corpus = load_sources(MINI)
    without = emit_dataset(corpus, exclude=frozenset({"a1"}))
    removed = set(quads) - set(without)
    assert set(without) < set(quads)
    assert {q.graph_name.value for q in removed} == {
        g.value for g in {q.graph_name for q in quads} if isinstance(g, ox.NamedNode)
        and not g.value.endswith("/registry")}
