"""Exports: the projection, and every format opened by something other than the code that wrote it.

Outside tools (Graphviz, Node with cytoscape.js, Chromium with chromedriver) are required: a
missing one fails the test with the install step to run (.ci/setup-tools.sh), it never skips.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import tempfile
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import MINI, ROOT, SOURCES, edit

from kg.build.build import build_dataset
from kg.cli.main import main
from kg.core.netguard import no_network
from kg.core.vocab import PREFIXES
from kg.export.export import (
    CLASS_COLOURS,
    EXPORTERS,
    NODE_PREFIXES,
    ExportError,
    edge_id,
    export_graph,
    project,
    project_graph,
    render_export,
)
from kg.export.formats import (
    DISPUTED_COLOUR,
    EDGE_COLOUR,
    colour,
    cytoscape_pieces,
    dot_pieces,
    flatten,
    jsonld_context,
    neo4j_files,
)
from kg.export.property_graph import PropertyGraph
from kg.export.xml_formats import gexf_pieces, graphml_pieces
from kg.store.files import FILE_PREFIXES, write_atomic
from kg.store.store import GraphStore

ARTIFACTS = ROOT / "tests" / "artifacts"
JS = ROOT / "tests" / "js"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SETUP = ("run .ci/setup-tools.sh (it installs graphviz, chromium, chromium-driver and, with "
         "npm ci, tests/js/node_modules)")


# --- helpers -----------------------------------------------------------------------------------


def require_tool(name: str, package: str) -> str:
    """The path of an outside tool, or a loud failure naming the install step."""
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is not installed: apt-get install {package}. Fix: {SETUP}.",
                    pytrace=False)
    return path


def store_of(sources: Path) -> GraphStore:
    result = build_dataset(sources, out=None)
    assert result.report.conforms, result.report.violations
    return GraphStore.from_quads(result.quads)


@pytest.fixture(scope="module")
def store() -> GraphStore:
    return store_of(MINI)


@pytest.fixture(scope="module")
def graph(store: GraphStore) -> nx.MultiDiGraph:
    return project_graph(store)


def render(store: GraphStore, fmt: str, **options: Any) -> bytes:
    files, _ = render_export(store, fmt, **options)
    return files[""]


def flat_nodes(graph: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    return {n: {k: flatten(v) for k, v in a.items()} for n, a in graph.nodes(data=True)}


def flat_edges(graph: nx.MultiDiGraph) -> dict[str, dict[str, Any]]:
    return {edge_id(u, v, k): {name: flatten(x) for name, x in a.items()}
            for u, v, k, a in graph.edges(keys=True, data=True)}


def canonical(quads: Any) -> list[str]:
    return sorted(str(q) for q in quads)


# --- the projection ----------------------------------------------------------------------------


def test_nodes_are_the_domain_entities_with_stable_ids(graph: nx.MultiDiGraph) -> None:
    assert sorted(graph.nodes) == [
        "cohort:a1/cohort", "drug-class:immunosuppressant", "indication:systemic-sclerosis",
        "measure:icans", "measure:pfvc", "outcome:a1/icans", "outcome:a1/pfvc", "phase:phase-1",
        "plan:a1/plan", "sponsor:acme-bio", "therapy:tx-cel", "trial:trial-one"]
    therapy = graph.nodes["therapy:tx-cel"]
    assert therapy["label"] == "testabtagene autoleucel"
    assert therapy["class"] == "Therapy"
    assert therapy["iri"] == "https://w3id.org/cart-kg/resource/therapy/tx-cel"
    assert therapy["identifiers"] == ["NCIT:C0000"]
    assert therapy["synonyms"] == ["TX-1", "tx-cel"]
    assert graph.nodes["sponsor:acme-bio"]["class"] == "Sponsor"  # not its other class
    assert graph.nodes["indication:systemic-sclerosis"]["identifiers"] == ["MONDO:0005100"]


def test_outcome_nodes_carry_their_values(graph: nx.MultiDiGraph) -> None:
    outcome = graph.nodes["outcome:a1/pfvc"]
    assert {k: outcome[k] for k in (
        "class", "category", "measure", "statistic", "value", "unit", "population",
        "population_size", "timepoint", "timepoint_months", "finding")} == {
        "class": "Outcome", "category": "efficacy",
        "measure": "percent-predicted forced vital capacity", "statistic": "median-change",
        "value": 10.0, "unit": "percent", "population": "patients with SSc",
        "population_size": 12, "timepoint": "at 6 months", "timepoint_months": 6.0,
        "finding": "Median pFVC rose by 10% at 6 months."}
    assert graph.nodes["outcome:a1/icans"]["grade"] == 3
    assert set(graph.successors("outcome:a1/pfvc")) == {
        "therapy:tx-cel", "trial:trial-one", "indication:systemic-sclerosis", "measure:pfvc",
        "drug-class:immunosuppressant"}


def test_edges_carry_predicate_sources_quote_and_status(graph: nx.MultiDiGraph) -> None:
    edge = graph.edges["trial:trial-one", "phase:phase-1", "hasPhase"]
    assert edge == {
        "predicate": "hasPhase", "label": "hasPhase",
        "iri": "https://w3id.org/cart-kg/ontology#hasPhase", "sources": 1, "origins": ["a1"],
        "articles": 1, "article_ids": ["a1"], "claims": ["a1/trial-phase"], "status": "stated",
        "quote": "the Phase 1 TRIAL-ONE trial", "quote_source": "a1"}
    disputed = graph.edges["plan:a1/plan", "sponsor:acme-bio", "plannedBy"]
    assert disputed["status"] == "disputed"
    assert disputed["disputed_in"] == ["a1"]


def test_status_is_inferred_when_the_support_is_undisputed_inference(mini: Path) -> None:
    edit(mini / "articles/a1/evidence.yaml",
         "    disputed:\n      reason: Used in tests.\n      by: [NCT:NCT00000001]\n", "")
    graph = project_graph(store_of(mini))
    edge = graph.edges["plan:a1/plan", "sponsor:acme-bio", "plannedBy"]
    assert edge["status"] == "inferred"
    assert "disputed_in" not in edge


def test_sources_count_independent_articles_and_the_quote_is_the_first(mini: Path) -> None:
    # a second article with the same text and claims: every fact now has two sources
    shutil.copytree(mini / "articles/a1", mini / "articles/a0")
    text = (mini / "articles/a0/article.txt").read_bytes()
    assert hashlib.sha256(text).hexdigest() in (mini / "articles/a0/article.yaml").read_text()
    edit(mini / "articles/a0/evidence.yaml", "quote: the Phase 1 TRIAL-ONE trial",
         "quote: In the Phase 1 TRIAL-ONE trial")
    graph = project_graph(store_of(mini))
    edge = graph.edges["trial:trial-one", "phase:phase-1", "hasPhase"]
    assert (edge["sources"], edge["origins"]) == (2, ["a0", "a1"])
    assert (edge["articles"], edge["article_ids"]) == (2, ["a0", "a1"])
    assert edge["claims"] == ["a0/trial-phase", "a1/trial-phase"]
    assert (edge["quote"], edge["quote_source"]) == ("In the Phase 1 TRIAL-ONE trial", "a0")
    assert graph.nodes["therapy:tx-cel"]["article_ids"] == ["a0", "a1"]
    # the same article, saying it summarises a1: two articles, one independent origin
    edit(mini / "articles/a0/article.yaml", "kind:", "derived_from: [{article: a1}]\nkind:")
    edge = project_graph(store_of(mini)).edges["trial:trial-one", "phase:phase-1", "hasPhase"]
    assert (edge["sources"], edge["origins"], edge["articles"]) == (1, ["a1"], 2)


@pytest.mark.parametrize(("options", "nodes", "edges"), [
    ({}, 12, 17),  # outcomes as nodes, linked to therapy, trial, indication, measure, drug class
    ({"outcomes": "edges"}, 10, 11),  # 2 outcomes become 2 therapy -> indication edges
    ({"outcomes": "none"}, 10, 9),  # outcomes and their 8 links left out
    ({"articles": True}, 13, 29),  # + the article, with a 'reports' edge to each of 12 nodes
    ({"articles": True, "outcomes": "edges"}, 11, 21),
])
def test_projection_options(store: GraphStore, options: dict[str, Any], nodes: int,
                            edges: int) -> None:
    graph = project_graph(store, **options)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (nodes, edges)


def test_outcomes_folded_into_edges_carry_the_outcome_values(store: GraphStore) -> None:
    graph = project_graph(store, outcomes="edges")
    edge = graph.edges["therapy:tx-cel", "indication:systemic-sclerosis", "outcome:a1/pfvc"]
    assert edge["predicate"] == "hasOutcome"
    assert (edge["measure"], edge["value"], edge["unit"], edge["timepoint"]) == (
        "percent-predicted forced vital capacity", 10.0, "percent", "at 6 months")
    assert edge["trial"] == ["TRIAL-ONE"]
    assert edge["achieved_without"] == ["immunosuppressant"]
    assert edge["quote"] == "Median pFVC increased by 10% at 6 months without immunosuppressants."
    assert edge["status"] == "stated" and edge["sources"] == 1


def test_articles_as_nodes_report_what_they_support(store: GraphStore) -> None:
    graph = project_graph(store, articles=True)
    article = graph.nodes["article:a1"]
    assert (article["class"], article["title"], article["date"]) == (
        "Article", "Acme Bio reports TRIAL-ONE", "2025-10-25")
    reports = graph.edges["article:a1", "trial:trial-one", "reports"]
    assert reports["claims"] == ["a1/cohort", "a1/pfvc", "a1/trial-phase", "a1/trial-sponsor"]
    assert reports["quote"] == "tx-cel was given to 12 patients with SSc"


def test_unknown_outcome_mode_is_an_error(store: GraphStore) -> None:
    with pytest.raises(ExportError, match="not one of nodes, edges, none"):
        project_graph(store, outcomes="sideways")


# --- every format ------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(EXPORTERS))
def test_every_format_is_deterministic(store: GraphStore, fmt: str) -> None:
    # a second store loaded in the opposite order must give the same bytes
    again = GraphStore.from_quads(list(reversed(store.quads())))
    first, _ = render_export(store, fmt, articles=True)
    second, _ = render_export(again, fmt, articles=True)
    assert first == second


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
@pytest.mark.parametrize("options", [{}, {"outcomes": "edges", "articles": True}])
def test_xml_exports_read_back_by_networkx(store: GraphStore, tmp_path: Path, fmt: str,
                                           options: dict[str, Any]) -> None:
    graph = project_graph(store, **options)
    path = tmp_path / f"graph.{fmt}"
    path.write_bytes(render(store, fmt, **options))
    if fmt == "graphml":
        back = nx.read_graphml(path, force_multigraph=True)
        edges = {k: a for _, _, k, a in back.edges(keys=True, data=True)}
    else:
        back = nx.read_gexf(path)
        edges = {a.pop("id"): a for _, _, a in back.edges(data=True)}
        for node, attrs in back.nodes(data=True):
            colour = CLASS_COLOURS[attrs["class"]]
            rgb = {k: int(colour[i:i + 2], 16) for k, i in (("r", 1), ("g", 3), ("b", 5))}
            assert attrs.pop("viz") == {"color": {**rgb, "a": 1.0}}, node
    assert (back.number_of_nodes(), back.number_of_edges()) == (
        graph.number_of_nodes(), graph.number_of_edges())
    assert dict(back.nodes(data=True)) == flat_nodes(graph)
    assert edges == flat_edges(graph)


def test_dot_renders_to_svg_with_graphviz(store: GraphStore, graph: nx.MultiDiGraph,
                                          tmp_path: Path) -> None:
    dot = require_tool("dot", "graphviz")
    path = tmp_path / "graph.dot"
    path.write_bytes(render(store, "dot"))
    done = subprocess.run([dot, "-Tsvg", str(path)], capture_output=True, check=False)
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    svg = ElementTree.fromstring(done.stdout)
    groups = [g.get("class", "").split() for g in svg.iter("{http://www.w3.org/2000/svg}g")]
    assert sum("node" in c for c in groups) == graph.number_of_nodes()
    assert sum("edge" in c for c in groups) == graph.number_of_edges()
    titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
    assert set(graph.nodes) <= titles


def test_dot_escapes_quotes_backslashes_and_newlines(tmp_path: Path) -> None:
    dot = require_tool("dot", "graphviz")
    tricky = nx.MultiDiGraph(name='say "hi"')
    tricky.add_node('node "x"', label='a "quoted" C:\\path\\n {x} <y> ; -> é\nsecond line',
                    **{"class": "Therapy"})
    tricky.add_node("graph", label="\\", **{"class": "Trial"})
    tricky.add_edge('node "x"', "graph", key="k", label='ends with \\', quote='"')
    path = tmp_path / "tricky.dot"
    path.write_bytes(b"".join(dot_pieces(PropertyGraph.from_networkx(tricky))))
    done = subprocess.run([dot, "-Tsvg", str(path)], capture_output=True, check=False)
    assert done.returncode == 0 and done.stderr == b"", done.stderr.decode()
    svg = ElementTree.fromstring(done.stdout)
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert 'a "quoted" C:\\path\\n {x} <y> ; -> é' in texts
    assert "second line" in texts and "\\" in texts and "ends with \\" in texts
    titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
    assert {'node "x"', "graph"} <= titles


@pytest.mark.parametrize("options", [{}, {"outcomes": "edges", "articles": True}])
def test_cytoscape_json_loads_in_cytoscape_js(store: GraphStore, tmp_path: Path,
                                              options: dict[str, Any]) -> None:
    node = require_tool("node", "nodejs npm")
    if not (JS / "node_modules" / "cytoscape").is_dir():
        pytest.fail(f"cytoscape.js is not installed in {JS}. Fix: (cd tests/js && npm ci), "
                    f"or {SETUP}.", pytrace=False)
    graph = project_graph(store, **options)
    path = tmp_path / "graph.cyjs"
    path.write_bytes(render(store, "cytoscape", **options))
    done = subprocess.run([node, str(JS / "load_cytoscape.js"), str(path)], capture_output=True,
                          check=False, timeout=60, cwd=JS)
    assert done.returncode == 0, done.stderr.decode()
    loaded = json.loads(done.stdout)
    assert loaded["problems"] == []
    assert (loaded["nodes"], loaded["edges"], loaded["dangling"]) == (
        graph.number_of_nodes(), graph.number_of_edges(), 0)
    classes: dict[str, int] = {}
    for _, attrs in graph.nodes(data=True):
        classes[attrs["class"]] = classes.get(attrs["class"], 0) + 1
    assert loaded["classes"] == classes
    for cls, rgb in loaded["colours"].items():
        colour = CLASS_COLOURS[cls]
        assert rgb == "rgb({},{},{})".format(*(int(colour[i:i + 2], 16) for i in (1, 3, 5)))
    first = loaded["firstEdge"]
    u, v, k, attrs = next(iter(graph.edges(keys=True, data=True)))
    assert first == {"id": edge_id(u, v, k), "source": u, "target": v,
                     "quote": attrs["quote"], "sources": attrs["sources"]}


_NEO4J_TYPES = r"(int|long|float|double|boolean|string|date)(\[\])?"


def test_neo4j_csv_follows_admin_import_conventions(store: GraphStore,
                                                    graph: nx.MultiDiGraph,
                                                    tmp_path: Path) -> None:
    result = export_graph(store, "neo4j", tmp_path / "neo4j")
    assert sorted(p.name for p in result.paths) == ["nodes.csv", "relationships.csv"]
    nodes = list(csv.reader(io.StringIO((tmp_path / "neo4j/nodes.csv").read_text("utf-8"))))
    rels = list(csv.reader(io.StringIO(
        (tmp_path / "neo4j/relationships.csv").read_text("utf-8"))))
    assert nodes[0][:2] == ["id:ID", ":LABEL"]
    assert rels[0][:3] == [":START_ID", ":END_ID", ":TYPE"]
    for header in (nodes[0][2:], rels[0][3:]):
        for column in header:
            assert re.fullmatch(rf"[A-Za-z_][A-Za-z0-9_]*(:{_NEO4J_TYPES})?", column), column
    ids = [row[0] for row in nodes[1:]]
    assert len(ids) == len(set(ids)) == graph.number_of_nodes()
    assert all(re.fullmatch(r"[A-Za-z]+", row[1]) for row in nodes[1:])
    assert len(rels) - 1 == graph.number_of_edges()
    assert all(row[0] in ids and row[1] in ids for row in rels[1:])
    assert all(re.fullmatch(r"[A-Za-z]+", row[2]) for row in rels[1:])
    for rows in (nodes, rels):  # typed values parse as their type
        for i, column in enumerate(rows[0]):
            for row in rows[1:]:
                if column.endswith(":int") and row[i]:
                    int(row[i])
                if column.endswith(":double") and row[i]:
                    float(row[i])
    header = rels[0]
    phase = next(r for r in rels[1:] if r[2] == "hasPhase")
    assert phase[header.index("sources:int")] == "1"
    assert phase[header.index("article_ids:string[]")] == "a1"
    assert phase[header.index("quote")] == "the Phase 1 TRIAL-ONE trial"


def test_neo4j_list_columns_fall_back_to_strings_when_an_item_holds_the_delimiter() -> None:
    graph = nx.MultiDiGraph()
    graph.add_node("a", **{"class": "Therapy", "synonyms": ["x; y", "z"], "claims": ["a1/c"]})
    nodes = b"".join(neo4j_files(PropertyGraph.from_networkx(graph))["nodes.csv"]
                     ).decode().splitlines()
    assert nodes == ["id:ID,:LABEL,class,synonyms,claims:string[]",
                     "a,Therapy,Therapy,x; y; z,a1/c"]


@pytest.mark.parametrize(("fmt", "rdf_format", "union"), [
    ("trig", ox.RdfFormat.TRIG, False),
    ("nquads", ox.RdfFormat.N_QUADS, False),
    ("turtle", ox.RdfFormat.TURTLE, True),  # the union of all graphs
    ("jsonld", ox.RdfFormat.JSON_LD, False),
])
def test_rdf_exports_reparse_to_the_dataset(store: GraphStore, fmt: str,
                                            rdf_format: ox.RdfFormat, union: bool) -> None:
    with no_network():
        parsed = list(ox.parse(render(store, fmt), format=rdf_format))
    assert not any(isinstance(t, ox.BlankNode) for q in parsed
                   for t in (q.subject, q.object, q.graph_name))
    if union:
        assert canonical({q.triple for q in parsed}) == canonical(
            {q.triple for q in store.quads()})
    else:
        assert canonical(parsed) == canonical(store.quads())


@pytest.fixture(scope="module")
def indexed(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    """The real corpus built to disk, opened as ``cartkg export`` opens it (the index unopened)."""
    out = tmp_path_factory.mktemp("build")
    build_dataset(SOURCES, out=out)
    return GraphStore.from_file(out)


@pytest.mark.parametrize("fmt", ["html", "cytoscape"])
def test_exports_from_a_build_folder_read_its_shards_and_equal_those_from_the_whole_store(
        indexed: GraphStore, fmt: str) -> None:
    """The projection reads the shards, the page each article's evidence from its own shard
    (GraphStore.article_part): the same bytes as from the whole dataset in memory."""
    assert indexed.shards
    in_memory = GraphStore.from_quads(indexed.quads())
    assert render(indexed, fmt) == render(in_memory, fmt)


def test_an_article_part_is_the_articles_own_shard_or_none(indexed: GraphStore) -> None:
    article_id = "002_6a53bef826e0de7a"
    article = ox.NamedNode(f"https://w3id.org/cart-kg/resource/article/{article_id}")
    part = indexed.article_part(article, article_id)
    assert part is not None
    shard = next(path for path, _ in indexed.shards if path.stem == article_id)
    assert len(part) == len(list(ox.parse(path=str(shard), format=ox.RdfFormat.N_QUADS)))
    other = next(path.stem for path, _ in indexed.shards
                 if path.parent.name == "articles" and path.stem != article_id)
    assert indexed.article_part(article, other) is None  # that shard does not hold the article
    assert indexed.article_part(article, "no-such-article") is None
    assert GraphStore.from_quads(indexed.quads()).article_part(article, article_id) is None


def _all_at_once(quads: tuple[ox.Quad, ...], fmt: str) -> bytes:
    """The reference: the whole dataset given to Oxigraph's writer in one call."""
    if fmt == "nquads":
        return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    if fmt == "trig":
        data = ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=FILE_PREFIXES)
    else:
        triples = sorted({q.triple for q in quads},
                         key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        data = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=FILE_PREFIXES)
    lines = data.split(b"\n")
    prefixes = [line for line in lines if line.startswith(b"@prefix")]
    return b"\n".join(sorted(prefixes) + lines[len(prefixes):])


@pytest.mark.parametrize("fmt", ["nquads", "trig", "turtle"])
def test_rdf_exports_streamed_a_graph_at_a_time_are_one_serialisation(
        indexed: GraphStore, tmp_path: Path, fmt: str) -> None:
    """Written a graph (Turtle: a subject) at a time, the file is what one call would write."""
    out = tmp_path / f"cart-kg.{fmt}"
    export_graph(indexed, fmt, out)
    assert out.read_bytes() == _all_at_once(indexed.quads(), fmt)
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left


def test_a_store_streams_its_graphs_and_its_union_in_canonical_order(indexed: GraphStore
                                                                    ) -> None:
    graphs = list(indexed.graphs())
    assert len(graphs) == len(set(indexed.store.named_graphs())) > 50
    assert all(len({q.graph_name for q in graph}) == 1 for graph in graphs)
    assert tuple(q for graph in graphs for q in graph) == indexed.quads()
    subjects = list(indexed.subjects())
    assert all(len({t.subject for t in triples}) == 1 for triples in subjects)
    assert [t for triples in subjects for t in triples] == sorted(
        {q.triple for q in indexed.quads()},
        key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def test_the_default_graph_comes_first_then_named_graphs_in_n_triples_order() -> None:
    # <http://e/g-2> sorts before <http://e/g>, as '-' sorts before '>'; JSON-LD follows it too
    quads = [ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal(v), g)
             for v, g in [("b", ox.NamedNode("http://e/g-2")), ("c", ox.DefaultGraph()),
                          ("a", ox.NamedNode("http://e/g"))]]
    store = GraphStore.from_quads(quads)
    assert [graph[0].object.value for graph in store.graphs()] == ["c", "b", "a"]
    assert [q.object.value for q in store.quads()] == ["c", "b", "a"]
    document = json.loads(render(store, "jsonld"))["@graph"]
    assert [item.get("@id") for item in document] == ["http://e/s", "http://e/g-2",
                                                      "http://e/g"]


def test_a_streamed_export_that_fails_midway_leaves_nothing(tmp_path: Path) -> None:
    def pieces() -> Iterator[bytes]:
        yield b"<http://e/s> <http://e/p> <http://e/o> .\n"
        raise OSError(28, "No space left on device")

    out = tmp_path / "cart-kg.nq"
    with pytest.raises(OSError):
        write_atomic(out, pieces())
    assert list(tmp_path.iterdir()) == []


def test_jsonld_parses_offline_with_rdflib(store: GraphStore) -> None:
    import rdflib

    def term(node: Any) -> Any:
        if isinstance(node, rdflib.URIRef):
            return ox.NamedNode(str(node))
        assert isinstance(node, rdflib.Literal), node  # no blank nodes
        if node.language:
            return ox.Literal(str(node), language=node.language)
        return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype or XSD_STRING)))

    dataset = rdflib.Dataset()
    with no_network():
        dataset.parse(data=render(store, "jsonld"), format="json-ld")
    parsed = [ox.Quad(term(s), term(p), term(o), term(g)) for s, p, o, g in dataset.quads()]
    assert canonical(parsed) == canonical(store.quads())


def test_jsonld_context_is_shipped_and_matches_the_vocabulary() -> None:
    context = jsonld_context()
    expected = {**PREFIXES, **NODE_PREFIXES}
    for term, namespace in expected.items():
        value = context[term]
        assert (value if isinstance(value, str) else value["@id"]) == namespace, term
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]["kg.export"]
    assert {"context.jsonld", "page.html"} <= set(package_data)


# --- the HTML page in headless Chromium --------------------------------------------------------

CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                  "--window-size=1400,900")


@pytest.fixture
def browser() -> Iterator[Any]:
    chromium = require_tool("chromium", "chromium")
    chromedriver = require_tool("chromedriver", "chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is not installed. Fix: pip install -e '.[dev]'", pytrace=False)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    with tempfile.TemporaryDirectory(prefix="cartkg-chromium-") as profile:
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        driver = webdriver.Chrome(options=options, service=Service(executable_path=chromedriver))
        try:
            yield driver
        finally:
            driver.quit()


def _wait(driver: Any, script: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for: {script}")


_EDGE_POINT = """
const [id] = arguments, net = cartkg.network, edge = net.body.edges[id];
for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8]) {
  const p = net.canvasToDOM(edge.edgeType.getPoint(t));
  if (net.getNodeAt(p) === undefined && net.getEdgeAt(p) === id) { return [p.x, p.y]; }
}
return null;
"""
_NODE_POINT = "const p = cartkg.network.getPositions([arguments[0]])[arguments[0]];" \
              "const d = cartkg.network.canvasToDOM(p); return [d.x, d.y];"


def _click_at(driver: Any, x: float, y: float) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    canvas = driver.find_element(By.CSS_SELECTOR, "#network canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(x - size["width"] / 2), int(y - size["height"] / 2)).click().perform()


def test_html_renders_offline_and_a_click_shows_the_evidence(store: GraphStore,
                                                             graph: nx.MultiDiGraph,
                                                             tmp_path: Path,
                                                             browser: Any) -> None:
    from selenium.webdriver.common.by import By

    page = render(store, "html")
    assert not re.search(rb"<(script|link|img)[^>]+(src|href)=", page)  # nothing to fetch
    path = tmp_path / "cart-kg.html"
    path.write_bytes(page)
    browser.get(path.as_uri())
    _wait(browser, "return window.cartkg && window.cartkg.ready")
    assert browser.execute_script("return [cartkg.nodes.length, cartkg.edges.length]") == [
        graph.number_of_nodes(), graph.number_of_edges()]
    _wait(browser, """
        const c = document.querySelector('#network canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 0; i < d.length; i += 4) { if (d[i + 3] > 0) n++; }
        return n > 1000;""")  # the graph is drawn
    assert browser.execute_script(
        "return performance.getEntriesByType('resource').length") == 0

    # a click on an edge shows its quote, its article and its status
    edge = edge_id("trial:trial-one", "phase:phase-1", "hasPhase")
    point = browser.execute_script(_EDGE_POINT, edge)
    assert point is not None, "no clickable point on the edge"
    _click_at(browser, *point)
    details = browser.find_element(By.ID, "details")
    _wait(browser, "return document.getElementById('details').textContent"
                   ".includes('the Phase 1 TRIAL-ONE trial')")
    text = details.text
    assert "TRIAL-ONE → hasPhase → Phase 1" in text
    assert "Acme Bio reports TRIAL-ONE" in text and "claim trial-phase" in text
    assert "stated" in text
    mark = details.find_element(By.TAG_NAME, "mark")
    assert mark.text == "the Phase 1 TRIAL-ONE trial"
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "html-view.png"))

    # a click on a node shows the evidence of every claim about it: here inferred and disputed
    _click_at(browser, *browser.execute_script(_NODE_POINT, "plan:a1/plan"))
    _wait(browser, "return document.getElementById('details').textContent"
                   ".includes('Used in tests.')")
    text = details.text
    assert "disputed" in text and "Disputed: Used in tests. (disputed by NCT:NCT00000001)" in text
    assert "Inferred: The article says Acme Bio will start a registrational trial." in text

    # filters: by class, then by source article
    browser.find_element(By.CSS_SELECTOR, "#class-filter input[value=Outcome]").click()
    assert browser.execute_script("return [cartkg.nodes.length, cartkg.edges.length]") == [
        10, 9]
    browser.find_element(By.CSS_SELECTOR, "#article-filter input[value=a1]").click()
    assert browser.execute_script("return cartkg.nodes.length") == 0
    browser.find_element(By.ID, "articles-all").click()
    browser.find_element(By.ID, "classes-all").click()
    assert browser.execute_script("return cartkg.nodes.length") == graph.number_of_nodes()
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


# --- the command -------------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build")
    code, output = run("build", "--sources", str(MINI), "--out", str(out))
    assert code == 0, output
    return out


def test_export_help_lists_every_format_with_an_example() -> None:
    code, out = run("export", "--help")
    assert code == 0
    assert "Example" in out and "cartkg export" in out
    for name, exporter in EXPORTERS.items():
        assert name in out and exporter.description in " ".join(out.split())


@pytest.mark.parametrize("fmt", list(EXPORTERS))
def test_export_writes_each_format(dataset: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / EXPORTERS[fmt].filename
    code, out = run("export", "--format", fmt, "-o", str(target), "--data", str(dataset))
    assert code == 0, out
    assert f"wrote {target}" in out
    assert target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]  # no temporary left


def test_export_with_options_reports_the_counts(dataset: Path, tmp_path: Path) -> None:
    code, out = run("export", "--format", "graphml", "-o", str(tmp_path / "g.graphml"),
                    "--articles", "--outcomes", "edges", "--data", str(dataset))
    assert code == 0, out
    assert "(11 nodes, 21 edges)" in out


@pytest.mark.parametrize(("args", "message"), [
    # unknown format: click lists the choices
    (["--format", "pdf"], "Invalid value for '--format'"),
    # missing dataset
    (["--format", "graphml", "--data", "missing.nq"], "run `cartkg build` first"),
    # unwritable path: its folder is a file
    (["--format", "graphml", "-o", "{tmp}/blocker/graph.graphml"], "cannot write"),
    # a single-file format given a folder
    (["--format", "dot", "-o", "{tmp}"], "is a folder"),
    # the neo4j folder is a file
    (["--format", "neo4j", "-o", "{tmp}/blocker"], "is a file"),
])
def test_export_errors_exit_2_and_write_nothing(dataset: Path, tmp_path: Path,
                                                args: list[str], message: str) -> None:
    (tmp_path / "blocker").write_text("not a folder")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "--data" not in argv:
        argv += ["--data", str(dataset)]
    code, out = run("export", *argv)
    assert code == 2, out
    assert message in out
    assert "Traceback" not in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]
    assert (tmp_path / "blocker").read_text() == "not a folder"


# --- written a node or an edge at a time, with the bytes of networkx's own writers -------------


def _flat(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    flat = nx.MultiDiGraph(name=graph.graph["name"])
    for node, attrs in graph.nodes(data=True):
        flat.add_node(node, **{k: flatten(v) for k, v in attrs.items()})
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        flat.add_edge(u, v, key=edge_id(u, v, key), **{k: flatten(x) for k, x in attrs.items()})
    return flat


def networkx_graphml(graph: nx.MultiDiGraph) -> bytes:
    """The reference: networkx's GraphML writer on the flattened graph, plus the yFiles data."""
    from networkx.readwrite.graphml import GraphMLWriter

    flat = _flat(graph)
    writer = GraphMLWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph_element(flat)
    root = writer.xml
    root.set("xmlns:y", "http://www.yworks.com/xml/graphml")
    root.insert(0, ElementTree.Element("key", {"for": "edge", "id": "yfiles_edge",
                                               "yfiles.type": "edgegraphics"}))
    root.insert(0, ElementTree.Element("key", {"for": "node", "id": "yfiles_node",
                                               "yfiles.type": "nodegraphics"}))
    element = root.find("graph")
    assert element is not None
    for node, (_, attrs) in zip(element.iter("node"), flat.nodes(data=True), strict=True):
        shape = ElementTree.SubElement(ElementTree.SubElement(node, "data", key="yfiles_node"),
                                       "y:ShapeNode")
        ElementTree.SubElement(shape, "y:Fill", color=colour(attrs["class"]), transparent="false")
        ElementTree.SubElement(shape, "y:NodeLabel").text = str(attrs["label"])
    for edge, (_, _, attrs) in zip(element.iter("edge"), flat.edges(data=True), strict=True):
        status = attrs.get("status", "stated")
        line = ElementTree.SubElement(ElementTree.SubElement(edge, "data", key="yfiles_edge"),
                                      "y:PolyLineEdge")
        ElementTree.SubElement(line, "y:LineStyle",
                               type="line" if status == "stated" else "dashed",
                               color=DISPUTED_COLOUR if status == "disputed" else EDGE_COLOUR)
        ElementTree.SubElement(line, "y:Arrows", source="none", target="standard")
        ElementTree.SubElement(line, "y:EdgeLabel").text = str(attrs.get("label", ""))
    buffer = io.BytesIO()
    writer.dump(buffer)
    return buffer.getvalue() + b"\n"


def networkx_gexf(graph: nx.MultiDiGraph) -> bytes:
    """The reference: networkx's GEXF writer, nodes coloured, without the date it stamps."""
    from networkx.readwrite.gexf import GEXFWriter

    flat = _flat(graph)
    for _, attrs in flat.nodes(data=True):
        shade = colour(attrs["class"])
        attrs["viz"] = {"color": {"r": int(shade[1:3], 16), "g": int(shade[3:5], 16),
                                  "b": int(shade[5:7], 16), "a": 1.0}}
    for _, _, key, attrs in flat.edges(keys=True, data=True):
        attrs["id"] = key
    writer = GEXFWriter(graph=flat, encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    assert meta is not None
    meta.attrib.pop("lastmodifieddate")
    creator = meta.find("creator")
    assert creator is not None
    creator.text = "cart-kg"
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue() + b"\n"


@pytest.mark.parametrize("options", [{}, {"articles": True, "outcomes": "edges"},
                                     {"outcomes": "none"}])
@pytest.mark.parametrize(("write", "reference"), [(graphml_pieces, networkx_graphml),
                                                  (gexf_pieces, networkx_gexf)])
def test_xml_formats_written_an_element_at_a_time_are_what_networkx_writes(
        options: dict[str, Any], write: Any, reference: Any) -> None:
    graph = project(GraphStore.from_quads(build_dataset(SOURCES, out=None).quads), **options)
    assert b"".join(write(graph)) == reference(graph.to_networkx())


def test_cytoscape_written_an_element_at_a_time_is_one_json_document_an_element_a_line(
        graph: nx.MultiDiGraph) -> None:
    text = b"".join(cytoscape_pieces(PropertyGraph.from_networkx(graph))).decode()
    document = json.loads(text)
    assert len(document["elements"]["nodes"]) == graph.number_of_nodes()
    assert len(document["elements"]["edges"]) == graph.number_of_edges()
    lines = [json.loads(line.strip().removeprefix("[").rstrip(",")) for line in text.splitlines()
             if line.lstrip("[ ").startswith('{"data"')]
    assert lines == document["elements"]["nodes"] + document["elements"]["edges"]
    assert text.endswith("\n") and "\n \"style\": [\n" in text  # the rest stays indented
    empty = b"".join(cytoscape_pieces(PropertyGraph(name="x"))).decode()
    assert json.loads(empty)["elements"] == {"nodes": [], "edges": []}
    assert empty == json.dumps(json.loads(empty), ensure_ascii=False, indent=1) + "\n"


def test_a_neo4j_export_that_fails_midway_writes_neither_file(
        store: GraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(graph: PropertyGraph) -> dict[str, Iterator[bytes]]:
        files = neo4j_files(graph)

        def broken() -> Iterator[bytes]:
            yield next(files["relationships.csv"])
            raise OSError(28, "No space left on device", str(tmp_path / "neo4j"))

        return {"nodes.csv": files["nodes.csv"], "relationships.csv": broken()}

    monkeypatch.setattr("kg.export.formats.neo4j_files", failing)
    with pytest.raises(ExportError, match="No space left on device"):
        export_graph(store, "neo4j", tmp_path / "neo4j")
    assert list((tmp_path / "neo4j").iterdir()) == []


def test_a_failed_render_leaves_the_old_file_untouched(store: GraphStore, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "graph.graphml"
    target.write_text("old")

    def broken(job: object) -> dict[str, bytes]:
        raise ExportError("broken on purpose")

    monkeypatch.setitem(EXPORTERS, "graphml", EXPORTERS["graphml"].__class__(
        "broken", "x", broken))
    with pytest.raises(ExportError, match="broken on purpose"):
        export_graph(store, "graphml", target)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.graphml"]
