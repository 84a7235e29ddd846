"""The projected property graph, held leaner than networkx for the writers of the exports.

A networkx ``MultiDiGraph`` keeps, for every edge, its own attribute dict, a dict of keys per
pair of nodes, and both a successor and a predecessor entry: at 10,000 articles (113,092 nodes,
456,640 edges) the graph was more than half of the memory an export took. A
:class:`PropertyGraph` keeps what the writers read and nothing else: the nodes with their
attribute dicts, in insertion order, and the edges as a list of tuples whose attributes are two
dicts shared by many edges (what the relation is, and the support of the assertions behind it).
The writers read it in networkx's order, so that the bytes they write do not depend on which of
the two holds the graph; :meth:`PropertyGraph.to_networkx` and
:meth:`PropertyGraph.from_networkx` convert between them.

networkx is imported inside the conversions, so that importing this module stays instant.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

#: An edge as held: source, target, key, its attributes, then more attributes (its support).
Edge = tuple[str, str, str, Mapping[str, Any], Mapping[str, Any]]

_NONE: Mapping[str, Any] = {}


class PropertyGraph:
    """A directed multigraph with attributes, read by the writers as networkx would give it.

    Nodes are ids (strings) with an attribute dict each; edges are (source, target, key) with the
    attributes of two mappings, the first then the second, which the graph shares rather than
    copies: many edges may hold the same ones, and none may be changed once added. Each
    (source, target, key) is added once. ``graph`` holds the graph's own attributes.
    """

    def __init__(self, **attrs: Any):
        self.graph: dict[str, Any] = dict(attrs)
        self._nodes: dict[str, dict[str, Any]] = {}
        self._edges: list[Edge] = []
        self._ordered = True

    def add_node(self, node: str, attrs: dict[str, Any]) -> None:
        """Add a node with ``attrs`` (held, not copied), or add them to the node's attributes."""
        found = self._nodes.get(node)
        if found is None:
            self._nodes[node] = attrs
        else:
            found.update(attrs)

    def add_edge(self, source: str, target: str, key: str, attrs: Mapping[str, Any],
                 more: Mapping[str, Any] = _NONE) -> None:
        """Add an edge; a node it names that is not in the graph yet is added without attributes.

        Its attributes are those of ``attrs`` then ``more``, held as they are (not copied).
        """
        for node in (source, target):
            if node not in self._nodes:
                self._nodes[node] = {}
        self._edges.append((source, target, key, attrs, more))
        self._ordered = False

    def number_of_nodes(self) -> int:
        """How many nodes the graph has."""
        return len(self._nodes)

    def number_of_edges(self) -> int:
        """How many edges the graph has."""
        return len(self._edges)

    def nodes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """(node, attributes) in insertion order, as ``graph.nodes(data=True)`` gives them."""
        return iter(self._nodes.items())

    def edges(self) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
        """(source, target, key, attributes), as networkx's ``edges(keys=True, data=True)``.

        In networkx's order: by source in node order, then by target in the order its first edge
        from that source was added, then in the order added. Each attribute dict is made as it
        is given (its two parts merged): changing it does not change the graph.
        """
        self._order()
        for source, target, key, attrs, more in self._edges:
            yield source, target, key, {**attrs, **more}

    def _order(self) -> None:
        """Put the edges in networkx's order, once; they usually are already."""
        if not self._ordered and not self._in_order():
            by_source: dict[str, dict[str, list[Edge]]] = {}
            for edge in self._edges:
                by_source.setdefault(edge[0], {}).setdefault(edge[1], []).append(edge)
            self._edges = [edge for node in self._nodes
                           for group in by_source.pop(node, {}).values() for edge in group]
        self._ordered = True

    def _in_order(self) -> bool:
        """Whether the edges are in networkx's order already.

        They are when each source's edges come together, sources in node order, and the edges
        from one source to one target together: what adding the nodes in order, then the edges
        sorted by source, target and key gives.
        """
        nodes = iter(self._nodes)
        source: str | None = None
        target = ""
        done: set[str] = set()  # the targets of ``source`` that are behind
        for u, v, *_ in self._edges:
            if u != source:
                if u not in nodes:  # consumes the nodes up to ``u``: none of them comes again
                    return False
                source, target, done = u, v, set()
            elif v != target:
                if v in done:
                    return False
                done.add(target)
                target = v
        return True

    def to_networkx(self) -> nx.MultiDiGraph:
        """The same graph as a networkx ``MultiDiGraph`` (each edge with a dict of its own)."""
        import networkx as nx

        graph = nx.MultiDiGraph(**self.graph)
        graph.add_nodes_from(self._nodes.items())
        for source, target, key, attrs in self.edges():
            graph.add_edge(source, target, key, **attrs)
        return graph

    @classmethod
    def from_networkx(cls, graph: nx.MultiDiGraph) -> PropertyGraph:
        """A networkx multigraph as a property graph, for the writers (its dicts are shared)."""
        found = cls(**graph.graph)
        for node, attrs in graph.nodes(data=True):
            found.add_node(node, attrs)
        for source, target, key, attrs in graph.edges(keys=True, data=True):
            found.add_edge(source, target, key, attrs)
        return found
