"""Writers for the export formats: a projected property graph (or the quads) in, bytes out.

Each writer is deterministic: the same graph gives the same bytes. Lists are joined with
:data:`LIST_SEPARATOR` where a format cannot hold them (GraphML, GEXF, DOT); Cytoscape.js JSON
keeps them as arrays and the Neo4j CSV as ``string[]`` columns.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, SubElement

from kg.property_graph import CLASS_COLOURS, ExportError, edge_id

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

#: How list values are joined for formats that cannot hold lists.
LIST_SEPARATOR = "; "
#: Neo4j's default array delimiter (``--array-delimiter``).
NEO4J_ARRAY_DELIMITER = ";"
#: Attributes shown first, in this order, where a format has columns.
LEADING = ("label", "class", "iri", "identifiers", "synonyms", "definition", "predicate",
           "status", "sources", "source_ids", "claims", "quote", "quote_source")
STATUS_STYLES = {"stated": "solid", "inferred": "dashed", "disputed": "dashed"}
DISPUTED_COLOUR = "#C00000"
EDGE_COLOUR = "#808080"
_YFILES = "http://www.yworks.com/xml/graphml"


def flatten(value: Any) -> Any:
    """A list as one string (items joined by :data:`LIST_SEPARATOR`); anything else unchanged."""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return value


def flat_graph(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with every list flattened and every edge keyed by :func:`kg.export.edge_id`."""
    import networkx as nx

    flat = nx.MultiDiGraph(name=graph.graph.get("name", "cart-kg"))
    for node, attrs in graph.nodes(data=True):
        flat.add_node(node, **{k: flatten(v) for k, v in attrs.items()})
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        flat.add_edge(u, v, key=edge_id(u, v, key), **{k: flatten(x) for k, x in attrs.items()})
    return flat


def columns(rows: Iterable[dict[str, Any]]) -> list[str]:
    """Every attribute name of the rows: :data:`LEADING` ones first, then the rest sorted."""
    names = {name for row in rows for name in row}
    return [n for n in LEADING if n in names] + sorted(names - set(LEADING))


def _colour(cls: str) -> str:
    return CLASS_COLOURS.get(cls, "#CCCCCC")


# --- GraphML -----------------------------------------------------------------------------------


def graphml_bytes(graph: nx.MultiDiGraph) -> bytes:
    """GraphML with typed keys, plus yFiles labels and colours so that yEd shows them."""
    from networkx.readwrite.graphml import GraphMLWriter

    flat = flat_graph(graph)
    writer = GraphMLWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph_element(flat)
    root = writer.xml
    root.set("xmlns:y", _YFILES)
    root.insert(0, Element("key", {"for": "edge", "id": "yfiles_edge",
                                   "yfiles.type": "edgegraphics"}))
    root.insert(0, Element("key", {"for": "node", "id": "yfiles_node",
                                   "yfiles.type": "nodegraphics"}))
    graph_element = root.find("graph")
    assert graph_element is not None
    for element, (_, attrs) in zip(graph_element.iter("node"), flat.nodes(data=True),
                                   strict=True):
        shape = SubElement(SubElement(element, "data", key="yfiles_node"), "y:ShapeNode")
        SubElement(shape, "y:Fill", color=_colour(attrs.get("class", "")), transparent="false")
        SubElement(shape, "y:NodeLabel").text = str(attrs.get("label", ""))
    for element, (_, _, attrs) in zip(graph_element.iter("edge"), flat.edges(data=True),
                                      strict=True):
        status = attrs.get("status", "stated")
        line = SubElement(SubElement(element, "data", key="yfiles_edge"), "y:PolyLineEdge")
        SubElement(line, "y:LineStyle", type="line" if status == "stated" else "dashed",
                   color=DISPUTED_COLOUR if status == "disputed" else EDGE_COLOUR)
        SubElement(line, "y:Arrows", source="none", target="standard")
        SubElement(line, "y:EdgeLabel").text = str(attrs.get("label", ""))
    buffer = io.BytesIO()
    writer.dump(buffer)
    return buffer.getvalue() + b"\n"


# --- GEXF --------------------------------------------------------------------------------------


def gexf_bytes(graph: nx.MultiDiGraph) -> bytes:
    """GEXF 1.2 with typed attributes and each node coloured by its class (``viz:color``)."""
    from networkx.readwrite.gexf import GEXFWriter

    flat = flat_graph(graph)
    for _, attrs in flat.nodes(data=True):
        colour = _colour(attrs.get("class", ""))
        attrs["viz"] = {"color": {"r": int(colour[1:3], 16), "g": int(colour[3:5], 16),
                                  "b": int(colour[5:7], 16), "a": 1.0}}
    for _, _, key, attrs in flat.edges(keys=True, data=True):
        attrs["id"] = key
    writer = GEXFWriter(graph=flat, encoding="utf-8", prettyprint=True, version="1.2draft")
    meta = writer.xml.find("meta")
    if meta is not None:  # networkx stamps today's date: drop it so the output is reproducible
        meta.attrib.pop("lastmodifieddate", None)
        creator = meta.find("creator")
        if creator is not None:
            creator.text = "cart-kg"
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue() + b"\n"


# --- Cytoscape.js ------------------------------------------------------------------------------


def cytoscape_document(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """The Cytoscape.js document: ``elements`` (nodes and edges with their data) and a style."""
    nodes = [{"data": {"id": node, **attrs}, "classes": attrs.get("class", "")}
             for node, attrs in graph.nodes(data=True)]
    edges = [{"data": {"id": edge_id(u, v, key), "source": u, "target": v, "key": key, **attrs},
              "classes": attrs.get("status", "")}
             for u, v, key, attrs in graph.edges(keys=True, data=True)]
    style: list[dict[str, Any]] = [
        {"selector": "node", "style": {"label": "data(label)", "font-size": 10}},
        *({"selector": f"node.{cls}", "style": {"background-color": colour}}
          for cls, colour in CLASS_COLOURS.items()),
        {"selector": "edge", "style": {"label": "data(label)", "font-size": 8,
                                       "curve-style": "bezier", "target-arrow-shape": "triangle",
                                       "line-color": EDGE_COLOUR,
                                       "target-arrow-color": EDGE_COLOUR}},
        {"selector": "edge.inferred", "style": {"line-style": "dashed"}},
        {"selector": "edge.disputed", "style": {"line-style": "dashed",
                                                "line-color": DISPUTED_COLOUR,
                                                "target-arrow-color": DISPUTED_COLOUR}},
    ]
    return {"format_version": "1.0", "generated_by": "cart-kg",
            "target_cytoscapejs_version": "~3.0",
            "data": {"name": graph.graph.get("name", "cart-kg")},
            "elements": {"nodes": nodes, "edges": edges}, "style": style}


def cytoscape_bytes(graph: nx.MultiDiGraph) -> bytes:
    """Cytoscape.js JSON (``cy.json()`` shape); Cytoscape desktop imports it as ``.cyjs``."""
    text = json.dumps(cytoscape_document(graph), ensure_ascii=False, indent=1)
    return (text + "\n").encode("utf-8")


# --- Graphviz DOT ------------------------------------------------------------------------------


def dot_quote(value: object) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as ``\\n``."""
    text = str(flatten(value))
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return '"' + "".join(c if c >= " " or c == "\t" else " " for c in text) + '"'


def _dot_attributes(attrs: dict[str, Any]) -> str:
    return ", ".join(f"{dot_quote(k)}={dot_quote(v)}" for k, v in attrs.items())


def dot_bytes(graph: nx.MultiDiGraph) -> bytes:
    """Graphviz DOT: nodes filled with their class colour, every attribute kept."""
    lines = [
        f"digraph {dot_quote(graph.graph.get('name', 'cart-kg'))} {{",
        '  graph [charset="UTF-8", rankdir="LR", overlap="false", fontname="Helvetica"];',
        '  node [shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10"];',
        '  edge [fontname="Helvetica", fontsize="8", color="#808080"];',
    ]
    for node, attrs in graph.nodes(data=True):
        shown = {"fillcolor": _colour(attrs.get("class", "")), "tooltip": attrs.get("iri", node),
                 **attrs}
        lines.append(f"  {dot_quote(node)} [{_dot_attributes(shown)}];")
    for u, v, key, attrs in graph.edges(keys=True, data=True):
        status = attrs.get("status", "stated")
        shown = {"key": key, "style": STATUS_STYLES.get(status, "solid"), **attrs}
        if status == "disputed":
            shown["color"] = DISPUTED_COLOUR
        lines.append(f"  {dot_quote(u)} -> {dot_quote(v)} [{_dot_attributes(shown)}];")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- Neo4j admin import ------------------------------------------------------------------------


def _neo4j_type(values: Sequence[Any]) -> str:
    """The typed-header suffix for a column: ``:int``, ``:double``, ``:boolean``, ``:string[]``.

    A list column whose items hold the array delimiter is written as plain (joined) strings.
    """
    present = [v for v in values if v is not None]
    if not present:
        return ""
    if all(isinstance(v, bool) for v in present):
        return ":boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return ":int"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in present):
        return ":double"
    if all(isinstance(v, (list, tuple)) for v in present) and not any(
            NEO4J_ARRAY_DELIMITER in str(item) for v in present for item in v):
        return ":string[]"
    return ""


def _neo4j_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == ":string[]":
        return NEO4J_ARRAY_DELIMITER.join(str(v) for v in value)
    if kind == ":boolean":
        return "true" if value else "false"
    return str(flatten(value))


def _neo4j_table(rows: list[dict[str, Any]],
                 names: list[str]) -> tuple[list[str], list[list[str]]]:
    """The typed header and the cells of the attribute columns ``names``."""
    kinds = [_neo4j_type([row.get(name) for row in rows]) for name in names]
    header = [name + kind for name, kind in zip(names, kinds, strict=True)]
    cells = [[_neo4j_cell(row.get(name), kind) for name, kind in zip(names, kinds, strict=True)]
             for row in rows]
    return header, cells


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def neo4j_files(graph: nx.MultiDiGraph) -> dict[str, bytes]:
    """The CSV files for ``neo4j-admin database import``, with typed headers.

    ``nodes.csv`` starts ``id:ID,:LABEL,...`` and ``relationships.csv`` starts
    ``:START_ID,:END_ID,:TYPE,...``; lists are ``string[]`` columns joined by ``;``.
    """
    node_rows = [attrs for _, attrs in graph.nodes(data=True)]
    header, cells = _neo4j_table(node_rows, columns(node_rows))
    nodes = [[node, attrs.get("class", "Node"), *row]
             for (node, attrs), row in zip(graph.nodes(data=True), cells, strict=True)]
    edge_attrs = [attrs for _, _, attrs in graph.edges(data=True)]
    edge_rows = [{"key": key, **attrs} for _, _, key, attrs in graph.edges(keys=True, data=True)]
    edge_header, edge_cells = _neo4j_table(edge_rows, ["key", *columns(edge_attrs)])
    edges = [[u, v, attrs.get("predicate", key), *row]
             for (u, v, key, attrs), row in zip(graph.edges(keys=True, data=True), edge_cells,
                                                strict=True)]
    return {"nodes.csv": _csv(["id:ID", ":LABEL", *header], nodes),
            "relationships.csv": _csv([":START_ID", ":END_ID", ":TYPE", *edge_header], edges)}


# --- JSON-LD -----------------------------------------------------------------------------------

_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context shipped with the package (``kg/context.jsonld``)."""
    text = resources.files("kg").joinpath("context.jsonld").read_text(encoding="utf-8")
    context: dict[str, Any] = json.loads(text)["@context"]
    return context


def _context_prefixes(context: dict[str, Any]) -> dict[str, str]:
    """The terms of a context that JSON-LD 1.1 expands as prefixes of compact IRIs."""
    prefixes = {}
    for term, value in context.items():
        if term.startswith("@"):
            continue
        if isinstance(value, str) and value.endswith(_GEN_DELIMS):
            prefixes[term] = value
        elif isinstance(value, dict) and value.get("@prefix") is True:
            prefixes[term] = str(value["@id"])
    return prefixes


class _Compactor:
    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = sorted(prefixes.items(), key=lambda item: -len(item[1]))

    def __call__(self, iri: str) -> str:
        for term, namespace in self.prefixes:
            local = iri[len(namespace):]
            if iri.startswith(namespace) and local and not local.startswith("//"):
                return f"{term}:{local}"
        return iri


def _jsonld_object(term: ox.NamedNode | ox.Literal, compact: _Compactor) -> Any:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"@id": compact(term.value)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == _XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": compact(term.datatype.value)}


def jsonld_pieces(graphs: Iterable[Sequence[ox.Quad]]) -> Iterator[bytes]:
    """JSON-LD 1.1 of a dataset, a graph at a time: one ``@graph`` per named graph, context inline.

    ``graphs`` holds each graph's quads, in canonical order (see
    :meth:`kg.store.GraphStore.graphs`); only one graph is held in memory. The context is the
    package's ``kg/context.jsonld``, so the file expands offline. Subjects, predicates and values
    are sorted, so the same quads give the same bytes: the pieces joined are the whole document
    written with ``json.dumps(..., indent=1)``.
    """
    context = jsonld_context()
    compact = _Compactor(_context_prefixes(context))
    head = json.dumps({"@context": context, "@graph": []}, ensure_ascii=False, indent=1)
    yield head.removesuffix("]\n}").encode("utf-8")
    first = True
    for quads in graphs:
        for item in _jsonld_items(quads, compact):
            text = json.dumps(item, ensure_ascii=False, indent=1).replace("\n", "\n  ")
            yield (("\n  " if first else ",\n  ") + text).encode("utf-8")
            first = False
    yield b"]\n}\n" if first else b"\n ]\n}\n"


def _jsonld_items(quads: Sequence[ox.Quad], compact: _Compactor) -> list[dict[str, Any]]:
    """The items of the document's ``@graph`` for one graph's quads.

    The default graph's node objects, or one named graph object holding its node objects.
    """
    import pyoxigraph as ox

    subjects: dict[str, dict[str, list[Any]]] = {}
    for q in quads:
        if not isinstance(q.subject, ox.NamedNode) or not isinstance(
                q.object, (ox.NamedNode, ox.Literal)):
            raise ExportError(f"cannot write {q} as JSON-LD: only IRIs and literals are "
                              "expected (the dataset has no blank nodes).")
        node = subjects.setdefault(q.subject.value, {})
        if q.predicate.value == _RDF_TYPE and isinstance(q.object, ox.NamedNode):
            node.setdefault("@type", []).append(compact(q.object.value))
        else:
            node.setdefault(compact(q.predicate.value), []).append(
                (str(q.object), _jsonld_object(q.object, compact)))
    objects = []
    for subject in sorted(subjects):
        props = subjects[subject]
        obj: dict[str, Any] = {"@id": compact(subject)}
        if "@type" in props:
            types = sorted(set(props["@type"]))
            obj["@type"] = types[0] if len(types) == 1 else types
        for predicate in sorted(p for p in props if p != "@type"):
            values = [v for _, v in sorted(props[predicate], key=lambda pair: pair[0])]
            obj[predicate] = values[0] if len(values) == 1 else values
        objects.append(obj)
    graph = quads[0].graph_name if quads else None
    if not isinstance(graph, ox.NamedNode):
        return objects
    return [{"@id": compact(graph.value), "@graph": objects}]
