"""Writers for the export formats: a projected property graph (or the quads) in, bytes out.

Each writer is deterministic: the same graph gives the same bytes. Lists are joined with
:data:`LIST_SEPARATOR` where a format cannot hold them (GraphML, GEXF, DOT); Cytoscape.js JSON
keeps them as arrays and the Neo4j CSV as ``string[]`` columns.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import resources
from typing import TYPE_CHECKING, Any

from kg.core.curie import converter
from kg.export.projection import CLASS_COLOURS, ExportError, edge_id

if TYPE_CHECKING:
    import pyoxigraph as ox

    from kg.export.property_graph import PropertyGraph

#: How list values are joined for formats that cannot hold lists.
LIST_SEPARATOR = "; "
#: Neo4j's default array delimiter (``--array-delimiter``).
NEO4J_ARRAY_DELIMITER = ";"
#: Attributes shown first, in this order, where a format has columns.
LEADING = ("label", "class", "iri", "identifiers", "synonyms", "definition", "predicate",
           "status", "sources", "origins", "articles", "article_ids", "claims", "quote",
           "quote_source", "said_by")
STATUS_STYLES = {"stated": "solid", "inferred": "dashed", "disputed": "dashed"}
DISPUTED_COLOUR = "#C00000"
EDGE_COLOUR = "#808080"


def flatten(value: Any) -> Any:
    """A list as one string (items joined by :data:`LIST_SEPARATOR`); anything else unchanged."""
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return value


def columns(rows: Iterable[dict[str, Any]]) -> list[str]:
    """Every attribute name of the rows: :data:`LEADING` ones first, then the rest sorted."""
    names = {name for row in rows for name in row}
    return [n for n in LEADING if n in names] + sorted(names - set(LEADING))


def colour(cls: str) -> str:
    """The colour of a node class, grey for an unknown one."""
    return CLASS_COLOURS.get(cls, "#CCCCCC")


# --- Cytoscape.js ------------------------------------------------------------------------------


_CYTOSCAPE_STYLE: list[dict[str, Any]] = [
    {"selector": "node", "style": {"label": "data(label)", "font-size": 10}},
    *({"selector": f"node.{cls}", "style": {"background-color": shade}}
      for cls, shade in CLASS_COLOURS.items()),
    {"selector": "edge", "style": {"label": "data(label)", "font-size": 8,
                                   "curve-style": "bezier", "target-arrow-shape": "triangle",
                                   "line-color": EDGE_COLOUR, "target-arrow-color": EDGE_COLOUR}},
    {"selector": "edge.inferred", "style": {"line-style": "dashed"}},
    {"selector": "edge.disputed", "style": {"line-style": "dashed",
                                            "line-color": DISPUTED_COLOUR,
                                            "target-arrow-color": DISPUTED_COLOUR}},
]


def cytoscape_pieces(graph: PropertyGraph) -> Iterator[bytes]:
    """Cytoscape.js JSON (``cy.json()`` shape); Cytoscape desktop imports it as ``.cyjs``.

    ``elements`` holds the nodes and edges with their data, then comes a style. Written an
    element at a time, one element a line (see :func:`_json_list`); the rest is indented.
    """
    nodes = ({"data": {"id": node, **attrs}, "classes": attrs.get("class", "")}
             for node, attrs in graph.nodes())
    edges = ({"data": {"id": edge_id(u, v, key), "source": u, "target": v, "key": key, **attrs},
              "classes": attrs.get("status", "")}
             for u, v, key, attrs in graph.edges())
    shell = {"format_version": "1.0", "generated_by": "cart-kg",
             "target_cytoscapejs_version": "~3.0",
             "data": {"name": graph.graph.get("name", "cart-kg")},
             "elements": {"nodes": [_MARK], "edges": [_MARK]}, "style": _CYTOSCAPE_STYLE}
    text = json.dumps(shell, ensure_ascii=False, indent=1) + "\n"
    before_nodes, between, after_edges = text.split(json.dumps(_MARK))
    yield before_nodes.removesuffix("[\n   ").encode("utf-8")
    yield from _json_list(nodes, 3)
    yield between.removeprefix("\n  ]").removesuffix("[\n   ").encode("utf-8")
    yield from _json_list(edges, 3)
    yield after_edges.removeprefix("\n  ]").encode("utf-8")


#: A placeholder where a list is streamed into a JSON document.
_MARK = "\x00list"


def _json_list(items: Iterable[Any], level: int) -> Iterator[bytes]:
    """A JSON list at ``level`` of an indented document, an item a line.

    Each item is written on one line by the json module's C encoder (it cannot indent; the
    pure-Python one that can took three quarters of a Cytoscape export's writing): the file
    reads and diffs an element a line.
    """
    inside = "\n" + " " * level
    first = True
    for item in items:
        text = json.dumps(item, ensure_ascii=False)
        yield (("[" if first else ",") + inside + text).encode("utf-8")
        first = False
    yield b"[]" if first else ("\n" + " " * (level - 1) + "]").encode("utf-8")


# --- Graphviz DOT ------------------------------------------------------------------------------


def dot_quote(value: object) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, newlines as ``\\n``."""
    text = str(flatten(value))
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return '"' + "".join(c if c >= " " or c == "\t" else " " for c in text) + '"'


def _dot_attributes(attrs: dict[str, Any]) -> str:
    return ", ".join(f"{dot_quote(k)}={dot_quote(v)}" for k, v in attrs.items())


def dot_pieces(graph: PropertyGraph) -> Iterator[bytes]:
    """Graphviz DOT: nodes filled with their class colour, every attribute kept; a line a piece."""
    yield "\n".join([
        f"digraph {dot_quote(graph.graph.get('name', 'cart-kg'))} {{",
        '  graph [charset="UTF-8", rankdir="LR", overlap="false", fontname="Helvetica"];',
        '  node [shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10"];',
        '  edge [fontname="Helvetica", fontsize="8", color="#808080"];\n',
    ]).encode("utf-8")
    for node, attrs in graph.nodes():
        shown = {"fillcolor": colour(attrs.get("class", "")), "tooltip": attrs.get("iri", node),
                 **attrs}
        yield f"  {dot_quote(node)} [{_dot_attributes(shown)}];\n".encode()
    for u, v, key, attrs in graph.edges():
        status = attrs.get("status", "stated")
        shown = {"key": key, "style": STATUS_STYLES.get(status, "solid"), **attrs}
        if status == "disputed":
            shown["color"] = DISPUTED_COLOUR
        yield f"  {dot_quote(u)} -> {dot_quote(v)} [{_dot_attributes(shown)}];\n".encode()
    yield b"}\n"


# --- Neo4j admin import ------------------------------------------------------------------------


class _Neo4jType:
    """The typed-header suffix of a column, from its values one at a time.

    ``:int``, ``:double``, ``:boolean`` or ``:string[]`` when every value given is one; a list
    column whose items hold the array delimiter is written as plain (joined) strings.
    """

    def __init__(self) -> None:
        self.seen = False
        self.booleans = self.ints = self.numbers = self.lists = True

    def add(self, value: Any) -> None:
        if value is None:
            return
        self.seen = True
        is_bool = isinstance(value, bool)
        self.booleans &= is_bool
        self.ints &= isinstance(value, int) and not is_bool
        self.numbers &= isinstance(value, (int, float)) and not is_bool
        self.lists &= isinstance(value, (list, tuple)) and not any(
            NEO4J_ARRAY_DELIMITER in str(item) for item in value)

    @property
    def suffix(self) -> str:
        if not self.seen:
            return ""
        for kind, holds in ((":boolean", self.booleans), (":int", self.ints),
                            (":double", self.numbers), (":string[]", self.lists)):
            if holds:
                return kind
        return ""


def _neo4j_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == ":string[]":
        return NEO4J_ARRAY_DELIMITER.join(str(v) for v in value)
    if kind == ":boolean":
        return "true" if value else "false"
    return str(flatten(value))


def _neo4j_csv(rows: Callable[[], Iterator[tuple[list[str], dict[str, Any]]]],
               leading: list[str], names: list[str]) -> Iterator[bytes]:
    """A CSV with typed headers: each row's leading cells, then its attribute columns ``names``.

    ``rows`` is read twice: once for the column types, once to write.
    """
    kinds = {name: _Neo4jType() for name in names}
    for _, values in rows():
        for name in names:
            kinds[name].add(values.get(name))
    suffixes = [kinds[name].suffix for name in names]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*leading, *(n + k for n, k in zip(names, suffixes, strict=True))])
    for cells, values in rows():
        writer.writerow([*cells, *(_neo4j_cell(values.get(name), kind)
                                   for name, kind in zip(names, suffixes, strict=True))])
        if buffer.tell() > 1 << 16:  # a row may hold thousands of claims: flush by size
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def neo4j_files(graph: PropertyGraph) -> dict[str, Iterator[bytes]]:
    """The CSV files for ``neo4j-admin database import``, with typed headers, a row at a time.

    ``nodes.csv`` starts ``id:ID,:LABEL,...`` and ``relationships.csv`` starts
    ``:START_ID,:END_ID,:TYPE,...``; lists are ``string[]`` columns joined by ``;``.
    """
    def nodes() -> Iterator[tuple[list[str], dict[str, Any]]]:
        for node, attrs in graph.nodes():
            yield [node, attrs.get("class", "Node")], attrs

    def edges() -> Iterator[tuple[list[str], dict[str, Any]]]:
        for u, v, key, attrs in graph.edges():
            yield [u, v, attrs.get("predicate", key)], {"key": key, **attrs}

    node_columns = columns(attrs for _, attrs in graph.nodes())
    edge_columns = ["key", *columns(attrs for *_, attrs in graph.edges())]
    return {"nodes.csv": _neo4j_csv(nodes, ["id:ID", ":LABEL"], node_columns),
            "relationships.csv": _neo4j_csv(edges, [":START_ID", ":END_ID", ":TYPE"],
                                            edge_columns)}


# --- JSON-LD -----------------------------------------------------------------------------------

_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def jsonld_context() -> dict[str, Any]:
    """The JSON-LD context shipped with the package (``kg/context.jsonld``)."""
    text = resources.files("kg.export").joinpath("context.jsonld").read_text(encoding="utf-8")
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
    """A context's prefixes as a CURIE converter; an IRI no prefix covers stays whole."""

    def __init__(self, prefixes: dict[str, str]):
        self.converter = converter(prefixes)
        self.known: dict[str, str] = {}  # an export compacts the same IRIs again and again

    def __call__(self, iri: str) -> str:
        found = self.known.get(iri)
        if found is None:
            found = self.known[iri] = self._compact(iri)
        return found

    def _compact(self, iri: str) -> str:
        short = self.converter.compress(iri)
        if short is None or short.endswith(":") or short.split(":", 1)[1].startswith("//"):
            return iri
        return short


def _jsonld_object(term: ox.NamedNode | ox.Literal, compact: Callable[[str], str]) -> Any:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"@id": compact(term.value)}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == _XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": compact(term.datatype.value)}


def jsonld_compactor() -> Callable[[str], str]:
    """What turns an IRI into the CURIE or term of the package's JSON-LD context."""
    return _Compactor(_context_prefixes(jsonld_context()))


def jsonld_items(graphs: Iterable[Sequence[ox.Quad]], compact: Callable[[str], str]) -> bytes:
    """The ``@graph`` items of these graphs, in order: a line each, joined by ``,`` + new line.

    A piece of :func:`jsonld_document`: pieces may be rendered in any process, then joined.
    """
    return _ITEM_SEPARATOR.join(json.dumps(item, ensure_ascii=False).encode("utf-8")
                                for quads in graphs for item in _jsonld_items(quads, compact))


_ITEM_SEPARATOR = b",\n  "


def jsonld_document(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """JSON-LD 1.1 of a dataset around its items: one ``@graph`` item per named graph.

    ``pieces`` are :func:`jsonld_items` of the graphs in canonical order (see
    :meth:`kg.store.store.GraphStore.graphs`), an empty one adding nothing; only a piece is held in
    memory. The context is the package's ``kg/context.jsonld``, inline, so the file expands
    offline. Subjects, predicates and values are sorted, so the same quads give the same bytes.
    The document is indented, with each item of ``@graph`` on one line (written by the json
    module's C encoder, as in :func:`_json_list`).
    """
    head = json.dumps({"@context": jsonld_context(), "@graph": []}, ensure_ascii=False, indent=1)
    yield head.removesuffix("]\n}").encode("utf-8")
    first = True
    for piece in pieces:
        if piece:
            yield b"\n  " if first else _ITEM_SEPARATOR
            yield piece
            first = False
    yield b"]\n}\n" if first else b"\n ]\n}\n"


def _jsonld_items(quads: Sequence[ox.Quad], compact: Callable[[str], str],
                  ) -> list[dict[str, Any]]:
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
