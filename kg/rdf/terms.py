"""The building blocks of the RDF output.

IRIs minted from stable keys, typed literals, the collector of one named graph's triples, and a
time as written.

:mod:`kg.rdf.emit` and :mod:`kg.rdf.given` build every assertion from these.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import XSD

from kg.core import vocab
from kg.core.model import Timepoint
from kg.core.vocab import RESOURCE


def named(term: URIRef | str) -> ox.NamedNode:
    """An Oxigraph IRI from an rdflib term or a string."""
    return ox.NamedNode(str(term))


_XSD_INTEGER = named(XSD.integer)
_XSD_DECIMAL = named(XSD.decimal)
_XSD_BOOLEAN = named(XSD.boolean)
XSD_DATE = named(XSD.date)

Object = ox.NamedNode | ox.Literal
Ent = Callable[[str | None], ox.NamedNode | None]



def mint(kind: str, *keys: str) -> ox.NamedNode:
    """Mint the IRI of a resource the project owns from its stable keys."""
    return ox.NamedNode(str(RESOURCE) + "/".join((kind, *keys)))


def integer(value: int) -> ox.Literal:
    """An ``xsd:integer`` literal."""
    return ox.Literal(str(value), datatype=_XSD_INTEGER)


def decimal(value: Decimal) -> ox.Literal:
    """An ``xsd:decimal`` literal in canonical form (``10``, ``13.5``)."""
    text = format(value.normalize(), "f")
    return ox.Literal(text, datatype=_XSD_DECIMAL)


def boolean(value: bool) -> ox.Literal:
    """An ``xsd:boolean`` literal."""
    return ox.Literal("true" if value else "false", datatype=_XSD_BOOLEAN)


class Graph:
    """Collects the triples of one named graph."""

    def __init__(self, name: ox.NamedNode) -> None:
        self.name = name
        self.quads: list[ox.Quad] = []

    def add(self, s: ox.NamedNode, p: URIRef, o: Object | URIRef | str | None) -> None:
        """Add (s, p, o) to the graph; an absent object (None) adds nothing."""
        if o is None:
            return
        if isinstance(o, URIRef):
            o = named(o)
        elif isinstance(o, str):
            o = ox.Literal(o)
        self.quads.append(ox.Quad(s, named(p), o, self.name))


def emit_time(g: Graph, node: ox.NamedNode, role: vocab.TimeRole, t: Timepoint) -> None:
    """A time as written, and its derived months, as properties prefixed by the time's role.

    The parts: text, value, unit, qualifier, origin, statistic and range.
    """

    def prop(part: str) -> URIRef:
        return vocab.time_property(role, part)

    g.add(node, prop("Text"), t.text)
    g.add(node, prop("Qualifier"), t.qualifier)
    g.add(node, prop("From"), t.since)
    if t.value is not None and t.unit is not None and t.months is not None:
        g.add(node, prop("Value"), decimal(t.value))
        g.add(node, prop("Unit"), vocab.TIME_UNITS[t.unit])
        g.add(node, prop("Months"), decimal(t.months))
    if role.summary:
        if t.statistic is not None:
            g.add(node, prop("Statistic"), vocab.STATISTICS[t.statistic])
        if t.low is not None and t.high is not None:
            g.add(node, prop("Min"), decimal(t.low))
            g.add(node, prop("Max"), decimal(t.high))
