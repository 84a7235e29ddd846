"""GraphML and GEXF, written a node or an edge at a time.

networkx's writers build the whole document as one XML tree (and :mod:`kg.export.formats` used to
copy the graph with its lists flattened first): three copies of a graph that, at 10,000 articles,
is already most of the memory an export may take. These writers first read the attribute names
and types (the keys GraphML and GEXF declare before the graph), then write each node and each
edge as its own small element. The bytes are those networkx writes (same key ids, same order,
same indentation, same escaping: each element goes through ElementTree), which the tests check
against networkx itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, SubElement, tostring

from kg.export.formats import DISPUTED_COLOUR, EDGE_COLOUR, colour, flatten
from kg.export.projection import edge_id

if TYPE_CHECKING:
    from kg.export.property_graph import PropertyGraph

_YFILES = "http://www.yworks.com/xml/graphml"
_DECLARATION = "<?xml version='1.0' encoding='utf-8'?>\n"
_MARK = "\x00"


# --- a streamed XML tree -----------------------------------------------------------------------


class _Open:
    """An element written as it goes: its start tag, then each child, then its end tag."""

    def __init__(self, tag: str, attrib: dict[str, str], children: Iterable[Element | _Open]):
        self.tag, self.attrib, self.children = tag, attrib, children


def _indent(element: Element, level: int) -> None:
    """Pretty-print in place, as networkx's writers do (two spaces a level)."""
    space = "\n" + "  " * level
    if len(element):
        if not element.text or not element.text.strip():
            element.text = space + "  "
        if not element.tail or not element.tail.strip():
            element.tail = space
        child = element
        for child in element:
            _indent(child, level + 1)
        if not child.tail or not child.tail.strip():
            child.tail = space
    elif level and (not element.tail or not element.tail.strip()):
        element.tail = space


def _write(node: Element | _Open, level: int, tail: str) -> Iterator[str]:
    """The text of one element at ``level`` followed by ``tail``, its children streamed."""
    if isinstance(node, Element):
        _indent(node, level)
        node.tail = tail
        yield tostring(node, encoding="unicode")
        return
    shell = Element(node.tag, node.attrib)
    shell.text = _MARK
    start, end = tostring(shell, encoding="unicode").split(_MARK)
    children = iter(node.children)
    child = next(children, None)
    if child is None:
        yield tostring(Element(node.tag, node.attrib), encoding="unicode") + tail
        return
    yield start + "\n" + "  " * (level + 1)
    for following in children:
        yield from _write(child, level + 1, "\n" + "  " * (level + 1))
        child = following
    yield from _write(child, level + 1, "\n" + "  " * level)
    yield end + tail


#: Characters XML 1.0 does not allow anywhere, even escaped: the C0 controls other than tab and
#: line breaks, lone surrogates, U+FFFE and U+FFFF. ElementTree writes them as they are.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _document(root: _Open) -> Iterator[bytes]:
    """The document's bytes; a character XML cannot hold (in a label) is written as U+FFFD."""
    yield _DECLARATION.encode("utf-8")
    for text in _write(root, 0, "\n"):  # networkx indents the root too: a newline after it
        yield _NOT_XML.sub("\ufffd", text).encode("utf-8")
    yield b"\n"


def _flat_edges(graph: PropertyGraph) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for u, v, key, attrs in graph.edges():
        yield u, v, edge_id(u, v, key), {k: flatten(x) for k, x in attrs.items()}


def _flat_nodes(graph: PropertyGraph) -> Iterator[tuple[str, dict[str, Any]]]:
    for node, attrs in graph.nodes():
        yield node, {k: flatten(v) for k, v in attrs.items()}


# --- GraphML -----------------------------------------------------------------------------------


def graphml_pieces(graph: PropertyGraph) -> Iterator[bytes]:
    """GraphML with typed keys, plus yFiles labels and colours so that yEd shows them."""
    from networkx.readwrite.graphml import GraphMLWriter

    typer = GraphMLWriter()
    namespaces = {"xmlns": typer.NS_GRAPHML, "xmlns:xsi": typer.NS_XSI,
                  "xsi:schemaLocation": typer.SCHEMALOCATION, "xmlns:y": _YFILES}
    graph_data = {k: v for k, v in graph.graph.items() if k not in ("node_default",
                                                                    "edge_default")}
    keys: dict[tuple[str, str, str], str] = {}

    def key(name: str, value: Any, scope: str) -> str:
        found = (name, typer.get_xml_type(type(value)), scope)
        return keys.setdefault(found, f"d{len(keys)}")

    for name, value in graph_data.items():
        key(str(name), value, "graph")
    for _, attrs in _flat_nodes(graph):
        for name, value in attrs.items():
            key(name, value, "node")
    for *_, attrs in _flat_edges(graph):
        for name, value in attrs.items():
            key(name, value, "edge")

    def data(element: Element, name: str, value: Any, scope: str) -> None:
        SubElement(element, "data", key=key(str(name), value, scope)).text = str(value)

    def nodes() -> Iterator[Element]:
        for node, attrs in _flat_nodes(graph):
            element = Element("node", id=str(node))
            for name, value in attrs.items():
                data(element, name, value, "node")
            shape = SubElement(SubElement(element, "data", key="yfiles_node"), "y:ShapeNode")
            SubElement(shape, "y:Fill", color=colour(attrs.get("class", "")),
                       transparent="false")
            SubElement(shape, "y:NodeLabel").text = str(attrs.get("label", ""))
            yield element

    def edges() -> Iterator[Element]:
        for u, v, key_id, attrs in _flat_edges(graph):
            element = Element("edge", source=str(u), target=str(v), id=key_id)
            for name, value in attrs.items():
                data(element, name, value, "edge")
            status = attrs.get("status", "stated")
            line = SubElement(SubElement(element, "data", key="yfiles_edge"), "y:PolyLineEdge")
            SubElement(line, "y:LineStyle", type="line" if status == "stated" else "dashed",
                       color=DISPUTED_COLOUR if status == "disputed" else EDGE_COLOUR)
            SubElement(line, "y:Arrows", source="none", target="standard")
            SubElement(line, "y:EdgeLabel").text = str(attrs.get("label", ""))
            yield element

    def graph_data_elements() -> Iterator[Element]:
        for name, value in graph_data.items():
            element = Element("data", key=key(str(name), value, "graph"))
            element.text = str(value)
            yield element

    declared = [Element("key", {"for": "node", "id": "yfiles_node",
                                "yfiles.type": "nodegraphics"}),
                Element("key", {"for": "edge", "id": "yfiles_edge",
                                "yfiles.type": "edgegraphics"})]
    for (name, xml_type, scope), key_id in reversed(keys.items()):
        declared.append(Element("key", {"id": key_id, "for": scope, "attr.name": name,
                                        "attr.type": xml_type}))
    body = _Open("graph", {"edgedefault": "directed"},
                 _chain(nodes(), edges(), graph_data_elements()))
    return _document(_Open("graphml", namespaces, [*declared, body]))


def _chain(*parts: Iterable[Element]) -> Iterator[Element]:
    for part in parts:
        yield from part


# --- GEXF --------------------------------------------------------------------------------------

#: Attributes networkx's GEXF writer turns into XML attributes of the element, not attvalues.
_NODE_XML = ("label", "pid", "start", "end")
_EDGE_XML = ("label", "weight", "type", "start", "end")


def gexf_pieces(graph: PropertyGraph) -> Iterator[bytes]:
    """GEXF 1.2 with typed attributes and each node coloured by its class (``viz:color``)."""
    from networkx.readwrite.gexf import GEXF

    gexf = GEXF()
    gexf.construct_types()
    gexf.set_version("1.2draft")
    declared: dict[tuple[str, str], tuple[str, str]] = {}

    def attr_id(scope: str, title: str, value: Any) -> str:
        if type(value) not in gexf.xml_type:
            raise TypeError(f"attribute value type is not allowed: {type(value)}")
        found = declared.setdefault((scope, title), (str(len(declared)),
                                                     gexf.xml_type[type(value)]))
        return found[0]

    def node_items() -> Iterator[tuple[Element, dict[str, Any]]]:
        for node, attrs in _flat_nodes(graph):
            values = dict(attrs)
            kw = {"id": str(values.pop("id", node)), "label": str(values.pop("label", node))}
            kw.update((name, str(values.pop(name))) for name in _NODE_XML[1:] if name in values)
            element = Element("node", kw)
            shade = colour(str(attrs.get("class", "")))
            SubElement(element, "viz:color", r=str(int(shade[1:3], 16)),
                       g=str(int(shade[3:5], 16)), b=str(int(shade[5:7], 16)), a="1.0")
            yield element, values

    def edge_items() -> Iterator[tuple[Element, dict[str, Any]]]:
        for u, v, key_id, attrs in _flat_edges(graph):
            values = {**attrs, "key": key_id}
            kw = {"id": key_id}
            kw.update((name, str(values.pop(name))) for name in _EDGE_XML if name in values)
            yield Element("edge", {"source": str(u), "target": str(v), **kw}), values

    items: Iterable[tuple[Element, dict[str, Any]]]
    for scope, items in (("node", node_items()), ("edge", edge_items())):
        for _, values in items:
            for title, value in values.items():
                attr_id(scope, "networkx_key" if title == "key" else title, value)

    def attvalues(element: Element, scope: str, values: dict[str, Any]) -> None:
        if not values:
            return
        holder = SubElement(element, "attvalues")
        for title, value in values.items():
            name = "networkx_key" if title == "key" else title
            text = str(value).lower() if isinstance(value, bool) else str(value)
            if isinstance(value, float):
                text = {"inf": "INF", "nan": "NaN", "-inf": "-INF"}.get(text, text)
            SubElement(holder, "attvalue", {"for": attr_id(scope, name, value), "value": text})

    def nodes() -> Iterator[Element]:
        for element, values in node_items():
            attvalues(element, "node", values)
            yield element

    def edges() -> Iterator[Element]:
        for element, values in edge_items():
            attvalues(element, "edge", values)
            yield element

    def attributes(scope: str) -> Element:
        element = Element("attributes", {"mode": "static", "class": scope})
        for (of, title), (number, xml_type) in declared.items():
            if of == scope:
                SubElement(element, "attribute", id=number, title=title, type=xml_type)
        return element

    meta = Element("meta")
    SubElement(meta, "creator").text = "cart-kg"
    scopes = [scope for scope in ("edge", "node") if any(of == scope for of, _ in declared)]
    body = _Open("graph", {"defaultedgetype": "directed", "mode": "static",
                           "name": str(graph.graph.get("name", ""))},
                 [*(attributes(scope) for scope in scopes),
                  _Open("nodes", {}, nodes()), _Open("edges", {}, edges())])
    root = {"xmlns:viz": gexf.NS_VIZ, "xmlns": gexf.NS_GEXF, "xmlns:xsi": gexf.NS_XSI,
            "xsi:schemaLocation": gexf.SCHEMALOCATION, "version": gexf.VERSION}
    return _document(_Open("gexf", root, [meta, body]))
