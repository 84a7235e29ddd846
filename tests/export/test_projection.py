"""The property-graph projection reads what it needs in two passes over the quads, and projects
exactly what its specification says.

:func:`specified_graph` below is that specification, written for clarity over speed: it reads
every quad of the store in canonical order and the full evidence record of every assertion
(:func:`kg.provenance.trace.evidence_for`), then applies the rules of
:func:`kg.export.projection.project_graph`'s docstring. The projection, which gathers the same facts
in two passes over the dataset's parts (:mod:`kg.export.projection_data`), must give the very same
graph: same nodes and edges in the same order, same attributes in the same order, with the same
values and types.
"""

from __future__ import annotations

import random
import shutil
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from conftest import EVIDENCE, MINI

from kg.build.analyses import ANALYSES
from kg.build.build import build_dataset
from kg.build.summary import BuildResult
from kg.core.vocab import CART, PREFIXES
from kg.export.projection import (
    _CATEGORIES,
    _FOLDED,
    NODE_CLASSES,
    NODE_SUPPORT,
    _attributes,
    _local,
    node_id,
    project,
    project_graph,
)
from kg.export.property_graph import PropertyGraph
from kg.provenance.evidence import fact_support
from kg.provenance.trace import EvidenceRecord, evidence_for
from kg.store.store import GraphStore, StoreError, read_quads

MODES = [(articles, outcomes) for articles in (False, True)
         for outcomes in ("nodes", "edges", "none")]
TYPE = PREFIXES["rdf"] + "type"
LABEL = PREFIXES["rdfs"] + "label"
OA = "http://www.w3.org/ns/oa#"


# --- the specification ---------------------------------------------------------------------------


def specified_graph(store: GraphStore, *, articles: bool, outcomes: str) -> nx.MultiDiGraph:
    """The projection as specified, from every quad of the store."""
    # canonical order: the first label of an IRI is the one it shows; the derived analyses
    # (graph:analyses) are not projected
    quads = tuple(q for q in store.quads() if q.graph_name != ANALYSES)
    assertions = {q.subject.value for q in quads
                  if q.predicate.value == TYPE and q.object == ox.NamedNode(str(CART.Assertion))}
    types: dict[str, set[str]] = defaultdict(set)
    props: dict[str, dict[str, set[Any]]] = defaultdict(lambda: defaultdict(set))
    labels: dict[str, str] = {}
    said: dict[str, set[tuple[str, str, Any]]] = defaultdict(set)  # assertion -> its triples
    for q in quads:
        s, p, o = q.subject, q.predicate.value, q.object
        if not isinstance(s, ox.NamedNode) or not isinstance(o, (ox.NamedNode, ox.Literal)):
            continue
        if p == TYPE and isinstance(o, ox.NamedNode):
            types[s.value].add(o.value)
            continue
        props[s.value][p].add(o)
        if p == LABEL and isinstance(o, ox.Literal):
            labels.setdefault(s.value, o.value)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in assertions:
            said[q.graph_name.value].add((s.value, p, o))

    def label(iri: str) -> str:
        return labels.get(iri, node_id(iri))

    def category(iri: str) -> str | None:
        return min((_CATEGORIES[t] for t in types[iri] if t in _CATEGORIES), default=None)

    # a node's class is the first of NODE_CLASSES it is typed with
    classes = {iri: next(name for c, name in NODE_CLASSES.items() if c in found)
               for iri, found in types.items() if found & NODE_CLASSES.keys()}
    nodes = {iri: cls for iri, cls in classes.items()
             if (cls != "Article" or articles) and (cls != "Outcome" or outcomes == "nodes")}
    # an assertion mentions the subjects and IRI objects of its graph's triples
    mentions = {a: {s for s, _, _ in triples} | {o.value for _, _, o in triples
                                                  if isinstance(o, ox.NamedNode)}
                for a, triples in said.items()}
    records = {r.assertion: r for r in evidence_for(store, [ox.NamedNode(a) for a in said])}
    origins = specified_origins(store)

    def supported_by(iri: str) -> set[str]:
        """The assertions that mention a node, and for an article those of its claims."""
        return {a for a, mentioned in mentions.items()
                if iri in mentioned or (a in records and records[a].article == iri)}

    graph = nx.MultiDiGraph(name="cart-kg")
    for iri in sorted(nodes, key=node_id):
        attrs = {"label": label(iri), "class": nodes[iri], "iri": iri,
                 **_attributes(props[iri], category(iri), label)}
        support = specified_support([records[a] for a in supported_by(iri) if a in records],
                                    origins)
        attrs.update((k, v) for k, v in support.items() if k in NODE_SUPPORT)
        graph.add_node(node_id(iri), **attrs)

    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    backing: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for a, triples in said.items():  # the triples of assertion graphs between two nodes
        for s, p, o in triples:
            if isinstance(o, ox.NamedNode) and s in nodes and o.value in nodes:
                key = (node_id(s), node_id(o.value), _local(p))
                edges[key] = {"predicate": _local(p), "label": _local(p), "iri": p}
                backing[key].add(a)
    if outcomes == "edges":  # each outcome: an edge from its therapy to each of its indications
        for outcome in (iri for iri, cls in classes.items() if cls == "Outcome"):
            values = _attributes(props[outcome], category(outcome), label)
            values["outcome_label"] = values.pop("label", node_id(outcome))
            for predicate, name in _FOLDED.items():
                if props[outcome][predicate]:
                    values[name] = sorted(label(o.value) for o in props[outcome][predicate])
            for therapy in sorted(o.value for o in props[outcome][str(CART.forTherapy)]):
                for indication in sorted(o.value for o in props[outcome][str(CART.forIndication)]):
                    key = (node_id(therapy), node_id(indication), node_id(outcome))
                    edges[key] = {"predicate": "hasOutcome",
                                  "label": values.get("measure", "outcome"),
                                  "outcome": node_id(outcome), **values}
                    backing[key] |= {a for a, mentioned in mentions.items() if outcome in mentioned}
    if articles:  # an article reports every node its claims mention
        for a, mentioned in mentions.items():
            article = records[a].article if a in records else None
            for iri in mentioned & nodes.keys() if article in nodes else ():
                key = (node_id(str(article)), node_id(iri), "reports")
                edges[key] = {"predicate": "reports", "label": "reports"}
                backing[key].add(a)
    for key in sorted(edges):
        graph.add_edge(*key, **edges[key],
                       **specified_support([records[a] for a in backing[key] if a in records],
                                           origins))
    return graph


#: Each article's independent origin, as facts_by_number_of_sources.rq finds it: the ends of
#: its prov:wasDerivedFrom chain (by identifier, else IRI; the least), or the article itself.
ORIGINS = """
PREFIX cart: <https://w3id.org/cart-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?art (COALESCE(?root_min, ?art_id) AS ?origin) WHERE {
  {
    SELECT ?art ?art_id (MIN(?root_name) AS ?root_min)
    WHERE {
      ?art a cart:Article ; dcterms:identifier ?art_id .
      OPTIONAL { ?art prov:wasDerivedFrom+ ?root
                 FILTER NOT EXISTS { ?root prov:wasDerivedFrom ?up }
                 OPTIONAL { ?root dcterms:identifier ?root_id }
                 BIND(COALESCE(?root_id, STR(?root)) AS ?root_name) }
    }
    GROUP BY ?art ?art_id
  }
}
"""


def specified_origins(store: GraphStore) -> dict[str, str]:
    """The origin of each article, by article IRI."""
    return {row[0].value: row[1].value for row in store.select(ORIGINS)[1]
            if row[0] is not None and row[1] is not None}


def specified_support(records: list[EvidenceRecord], origins: dict[str, str]) -> dict[str, Any]:
    """Sources, articles, claims, status, quote and speakers of the assertions behind an edge or
    a node."""
    if not records:
        return {"sources": 0, "articles": 0}
    records = sorted(records, key=lambda r: (r.article_id, r.claim_id))
    statuses = {"disputed" if r.disputed else r.basis for r in records}
    # the independent origins of the stated claims (inferred ones add none)
    stated = sorted({origins[r.article] for r in records if r.basis == "stated"})
    attrs: dict[str, Any] = {"sources": len(stated), **({"origins": stated} if stated else {}),
        "articles": len({r.article_id for r in records}),
        "article_ids": sorted({r.article_id for r in records}),
        "claims": [f"{r.article_id}/{r.claim_id}" for r in records],
        # stated wins over inferred, which wins over disputed
        "status": next(s for s in ("stated", "inferred", "disputed") if s in statuses),
    }
    quoted = [r for r in records if r.quotes]
    if quoted:  # the first quote (by start) of the first assertion (by article, then claim)
        attrs["quote"] = quoted[0].quotes[0].exact
        attrs["quote_source"] = quoted[0].article_id
    if any(r.disputed for r in records):
        attrs["disputed_in"] = sorted({r.article_id for r in records if r.disputed})
    said = sorted({r.said_by for r in records if r.said_by})
    if said:
        attrs["said_by"] = said
    return attrs


def facts(graph: nx.MultiDiGraph | PropertyGraph) -> tuple[Any, ...]:
    """Everything a writer can see of a graph, in order, with each value's type."""
    def typed(attrs: dict[str, Any]) -> list[tuple[str, str, Any]]:
        return [(k, type(v).__name__, v) for k, v in attrs.items()]

    if isinstance(graph, PropertyGraph):
        nodes, edges = graph.nodes(), graph.edges()
    else:
        nodes, edges = graph.nodes(data=True), graph.edges(keys=True, data=True)
    return (graph.graph, [(n, typed(a)) for n, a in nodes],
            [(u, v, k, typed(a)) for u, v, k, a in edges])


def assert_as_specified(store: GraphStore, modes: Iterable[tuple[bool, str]] = MODES) -> None:
    """The projection is as specified, as the writers read it and in networkx."""
    for articles, outcomes in modes:
        projected = project(store, articles=articles, outcomes=outcomes)
        expected = facts(specified_graph(store, articles=articles, outcomes=outcomes))
        assert expected[2], "edges"
        assert facts(projected) == expected, (articles, outcomes)
        assert facts(projected.to_networkx()) == expected, (articles, outcomes)


# --- corpora -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(real_build: BuildResult) -> GraphStore:
    return GraphStore.from_quads(real_build.quads)


@pytest.fixture(scope="module")
def synthetic(synthetic_build: Path) -> GraphStore:
    """The synthetic corpus, loaded in memory (no shards: the store's quads are read)."""
    return GraphStore.from_quads(read_quads(synthetic_build))


@pytest.fixture(scope="module")
def mini() -> GraphStore:
    return GraphStore.from_quads(build_dataset(MINI, out=None).quads)


@pytest.fixture(scope="module")
def sourced() -> GraphStore:
    """The evidence test corpus: news items that summarise a press release, an attribution."""
    return GraphStore.from_quads(build_dataset(EVIDENCE, out=None).quads)


# --- the projection is its specification ---------------------------------------------------------


def test_the_real_corpus_projects_as_specified(real: GraphStore) -> None:
    assert_as_specified(real)


def test_a_synthetic_corpus_projects_as_specified(synthetic: GraphStore) -> None:
    assert_as_specified(synthetic)


def test_the_test_corpus_projects_as_specified(mini: GraphStore) -> None:
    assert_as_specified(mini)


def test_the_evidence_corpus_projects_as_specified(sourced: GraphStore) -> None:
    assert_as_specified(sourced)


@pytest.mark.parametrize(("corpus", "least"), [
    ("sourced", 3),  # the trial's sponsor (four articles, two origins) and its two endpoints
    ("real", 40),  # the three real articles
])
def test_edges_count_independent_origins_as_the_evidence_report_does(
        corpus: str, least: int, request: pytest.FixtureRequest) -> None:
    """A fact's edge has the origins and articles of :func:`fact_support`: one way to count."""
    store = request.getfixturevalue(corpus)
    graph = project_graph(store)
    edges = {(graph.nodes[u]["iri"], a["iri"], graph.nodes[v]["iri"]): a
             for u, v, a in graph.edges(data=True) if "iri" in a}
    linked = [f for f in fact_support(store) if (f.subject, f.predicate, f.object) in edges]
    assert len(linked) >= least  # the facts between two nodes (the others link to a literal)
    for fact in linked:
        edge = edges[(fact.subject, fact.predicate, fact.object)]
        assert (edge["sources"], edge.get("origins", []), edge["article_ids"]) == (
            fact.sources, list(fact.origins), list(fact.articles)), fact.label


@pytest.mark.parametrize(("edge", "expected"), [
    # four articles, two origins: s2-news summarises s1-release and s3-news summarises s2-news;
    # the paper s4-paper derives from nothing
    (("trial:trial-one", "sponsor:acme-bio", "sponsoredBy"),
     {"sources": 2, "origins": ["s1-release", "s4-paper"], "articles": 4,
      "article_ids": ["s1-release", "s2-news", "s3-news", "s4-paper"],
      "said_by": ["Acme Bio"]}),
    # a statement attributed to a person, with role and affiliation
    (("plan:s1-release/registrational-trial", "sponsor:acme-bio", "plannedBy"),
     {"sources": 1, "origins": ["s1-release"], "articles": 1, "article_ids": ["s1-release"],
      "said_by": ["Jane Roe (Chief Executive Officer, Acme Bio)"]}),
])
def test_an_edge_carries_its_origins_articles_and_speakers(
        sourced: GraphStore, edge: tuple[str, str, str], expected: dict[str, Any]) -> None:
    attrs = project_graph(sourced).edges[edge]
    assert {k: attrs.get(k) for k in expected} == expected


def test_a_claim_of_curator_inference_adds_no_origin(real: GraphStore) -> None:
    graph = project_graph(real)
    edge = graph.edges["cohort:000_5ef16d2ca6f7ae03/study-71-cohort", "trial:breakfree-1",
                       "inTrial"]
    assert (edge["status"], edge["sources"], edge["articles"]) == ("inferred", 0, 1)
    assert "origins" not in edge


def test_the_projection_does_not_depend_on_the_order_of_the_quads(
        synthetic: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Quads in any order, cut in parts anyhow (a subject's properties, an assertion's graph and
    its quotes in several parts) give the same graph."""
    parts = GraphStore.parts
    rng = random.Random(0)

    def shuffled(store: GraphStore, predicate: str | None = None, *,
                 analyses: bool = True) -> Iterator[list[ox.Quad]]:
        quads = [q for part in parts(store, predicate, analyses=analyses) for q in part]
        rng.shuffle(quads)
        cuts = sorted(rng.sample(range(1, len(quads)), 7))
        yield from (quads[i:j] for i, j in zip([0, *cuts], [*cuts, len(quads)], strict=True))

    monkeypatch.setattr(GraphStore, "parts", shuffled)
    assert_as_specified(synthetic, [(True, "nodes"), (False, "edges")])


def test_a_built_dataset_projects_as_specified_from_its_shards(
        synthetic_build: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From a build's folder the projection parses the shards, never the index's look-ups."""
    store = GraphStore.from_file(synthetic_build)
    assert len(store.shards) == 32  # the registry, 30 articles and the analyses
    expected = {mode: facts(specified_graph(store, articles=mode[0], outcomes=mode[1]))
                for mode in MODES}

    def forbidden(*args: object, **kwargs: object) -> Any:
        raise AssertionError("the projection must read the shards")

    monkeypatch.setattr(GraphStore, "store", property(forbidden))
    for (articles, outcomes), graph in expected.items():
        assert facts(project_graph(store, articles=articles, outcomes=outcomes)) == graph


def test_a_shard_changed_after_the_store_was_opened_is_an_error_that_says_so(
        synthetic_build: Path, tmp_path: Path) -> None:
    folder = tmp_path / "dataset"
    shutil.copytree(synthetic_build / "dataset", folder)
    store = GraphStore.from_file(folder).open()
    shard = folder / "articles" / sorted(p.name for p in (folder / "articles").iterdir())[3]
    shard.write_bytes(shard.read_bytes().replace(b"\n", b"\n\n", 1))
    with pytest.raises(StoreError, match=rf"{shard.name}: not the shard its manifest lists.*"
                                         r"Fix: rebuild the dataset"):
        project(store)
    shard.unlink()
    with pytest.raises(StoreError, match=rf"{shard.name}: cannot be read.*Fix: rebuild"):
        project(store)


def test_the_first_quote_is_the_one_that_starts_first(mini: GraphStore) -> None:
    """An assertion with two quotes shows the earlier one, whichever the store gives first."""
    edge = ("trial:trial-one", "phase:phase-1", "hasPhase")
    before = project_graph(mini).edges[edge]
    claim = before["claims"][0]
    [assertion] = [r for r in evidence_for(mini, _assertions(mini))
                   if f"{r.article_id}/{r.claim_id}" == claim]
    quote = assertion.quotes[0]
    extra = ox.NamedNode(assertion.assertion + "/earlier-quote")
    graph = ox.NamedNode("https://w3id.org/cart-kg/graph/test")
    added = [ox.Quad(ox.NamedNode(assertion.assertion), ox.NamedNode(str(CART.hasQuote)), extra,
                     graph),
             ox.Quad(extra, ox.NamedNode(OA + "exact"), ox.Literal("an earlier quote"), graph),
             ox.Quad(extra, ox.NamedNode(OA + "start"), ox.Literal(str(quote.start - 1),
                     datatype=ox.NamedNode(PREFIXES["xsd"] + "integer")), graph),
             ox.Quad(extra, ox.NamedNode(OA + "end"), ox.Literal(str(quote.start),
                     datatype=ox.NamedNode(PREFIXES["xsd"] + "integer")), graph)]
    store = GraphStore.from_quads([*mini.quads(), *added])
    assert before["quote"] == quote.exact != "an earlier quote"
    assert project_graph(store).edges[edge]["quote"] == "an earlier quote"
    assert_as_specified(store, [(False, "nodes")])


def test_an_outcome_of_two_categories_shows_the_first_by_name(mini: GraphStore) -> None:
    outcome = ox.NamedNode("https://w3id.org/cart-kg/resource/outcome/a1/pfvc")
    assert project_graph(mini).nodes["outcome:a1/pfvc"]["category"] == "efficacy"
    store = GraphStore.from_quads([*mini.quads(), ox.Quad(
        outcome, ox.NamedNode(TYPE), ox.NamedNode(str(CART.SafetyOutcome)),
        ox.NamedNode("https://w3id.org/cart-kg/graph/test"))])
    for outcomes in ("nodes", "edges"):
        assert_as_specified(store, [(False, outcomes)])
    assert project_graph(store).nodes["outcome:a1/pfvc"]["category"] == "efficacy"


def _assertions(store: GraphStore) -> list[ox.NamedNode]:
    _, rows = store.select(f"SELECT ?a WHERE {{ ?a a <{CART.Assertion}> }}")
    return [r[0] for r in rows if isinstance(r[0], ox.NamedNode)]


def test_the_projection_reads_the_dataset_twice_a_part_at_a_time_and_never_each_record(
        synthetic: GraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """What makes it scale: two passes over the parts (the first over the rdf:type quads only),
    no list of every quad, no query at all, no query per assertion."""
    expected = facts(specified_graph(synthetic, articles=True, outcomes="edges"))

    def forbidden(*args: object, **kwargs: object) -> Any:
        raise AssertionError("the projection must not call this")

    monkeypatch.setattr(GraphStore, "quads", forbidden)
    monkeypatch.setattr(GraphStore, "select", forbidden)
    monkeypatch.setattr("kg.provenance.trace.evidence_for", forbidden)
    passes: list[str | None] = []
    parts = GraphStore.parts

    def counted(store: GraphStore, predicate: str | None = None, *,
                analyses: bool = True) -> Any:
        passes.append(predicate)
        assert not analyses, "the derived analyses are not read"
        return parts(store, predicate, analyses=analyses)

    monkeypatch.setattr(GraphStore, "parts", counted)
    assert facts(project_graph(synthetic, articles=True, outcomes="edges")) == expected
    assert passes == [TYPE, None]


def test_article_nodes_are_supported_by_their_claims_and_report_what_they_mention(
        synthetic: GraphStore) -> None:
    """Invariants that hold whatever the corpus."""
    graph = project_graph(synthetic, articles=True)
    for node, attrs in graph.nodes(data=True):
        if attrs["class"] == "Article":
            assert attrs["articles"] == 1 and attrs["article_ids"] == [attrs["article_id"]]
            assert all(c.startswith(attrs["article_id"] + "/") for c in attrs["claims"])
            reported = [v for _, v, k in graph.out_edges(node, keys=True) if k == "reports"]
            assert reported, node
    for _, _, attrs in graph.edges(data=True):
        assert attrs["articles"] == len(attrs["article_ids"]) >= 1
        assert attrs["sources"] == len(attrs.get("origins", [])) <= attrs["articles"]
        assert attrs["status"] in ("stated", "inferred", "disputed")
        assert attrs["quote_source"] in attrs["article_ids"]
        if attrs["status"] == "disputed":
            assert attrs["disputed_in"] == attrs["article_ids"]


# --- the graph the writers read ------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_a_property_graph_gives_its_edges_in_networkx_order(seed: int) -> None:
    """Whatever the order edges are added in, and with nodes only their edges name."""
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(8)]
    expected = nx.MultiDiGraph(name="x")
    lean = PropertyGraph(name="x")
    for node in rng.sample(names, 5):
        expected.add_node(node, label=node.upper())
        lean.add_node(node, {"label": node.upper()})
    added = [(rng.choice(names), rng.choice(names), rng.choice("abc")) for _ in range(30)]
    if seed % 2:
        added.sort()
    for u, v, key in dict.fromkeys(added):  # each edge once
        attrs, support = {"predicate": key}, {"sources": rng.randint(0, 3)}
        expected.add_edge(u, v, key, **attrs, **support)
        lean.add_edge(u, v, key, attrs, support)
    assert facts(lean) == facts(expected)
    assert facts(lean.to_networkx()) == facts(expected)
    assert facts(PropertyGraph.from_networkx(expected)) == facts(expected)
    assert (lean.number_of_nodes(), lean.number_of_edges()) == (
        expected.number_of_nodes(), expected.number_of_edges())
