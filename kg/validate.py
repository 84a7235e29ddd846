"""SHACL validation of a dataset -> a report whose every line names the curation file and claim.

pyshacl is the validator of record. The shapes (``ontology/shapes.ttl``) include the provenance
integrity rules (a quote's offsets slice its article's text exactly; the text matches its SHA-256),
so any graph is checked, whoever produced it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.emit import Quads, term_value
from kg.vocab import CART, compact

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHAPES = PROJECT_ROOT / "ontology" / "shapes.ttl"


@dataclass(frozen=True)
class Violation:
    """One validation result, with where it came from in the sources."""

    severity: str
    focus: str
    path: str
    message: str
    file: str
    claim: str
    shape: str = ""
    assertion: str = ""

    def __str__(self) -> str:
        origin = f"{self.file} claim '{self.claim}'" if self.claim else self.file
        if self.assertion and self.assertion != self.focus:
            origin += f", assertion {self.assertion}"
        return f"{self.severity}: {self.focus} {self.path}: {self.message} [{origin}]"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a dataset."""

    conforms: bool
    triples: int
    violations: tuple[Violation, ...] = field(default_factory=tuple)


def to_rdflib(term: ox.NamedNode | ox.Literal | ox.BlankNode | ox.Triple) -> Node:
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


def union_graph(quads: Iterable[ox.Quad]) -> Graph:
    """The union of all graphs of the dataset, as an rdflib graph for pyshacl."""
    graph = Graph()
    for q in quads:
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


def load_shapes(path: Path = SHAPES) -> Graph:
    """Parse the SHACL shapes."""
    return Graph().parse(path, format="turtle")


def _origins(quads: Quads) -> dict[str, tuple[str, str, str]]:
    """Map every node to the curation file and claim it came from."""
    meta: dict[str, dict[str, str]] = {}
    quote_of: dict[str, str] = {}
    for q in quads:
        p = q.predicate.value
        if p in (str(CART.curationFile), str(CART.claimId)):
            meta.setdefault(term_value(q.subject), {})[p] = term_value(q.object)
        elif p == str(CART.hasQuote):
            quote_of.setdefault(term_value(q.object), term_value(q.subject))

    def origin(node: str) -> tuple[str, str, str]:
        m = meta.get(node, {})
        claim = m.get(str(CART.claimId), "")
        return m.get(str(CART.curationFile), ""), claim, node if claim else ""

    origins = {node: origin(node) for node in meta}
    for quote, assertion in quote_of.items():
        origins[quote] = origin(assertion)
    for q in quads:
        graph = q.graph_name
        if isinstance(graph, ox.NamedNode) and graph.value in meta:
            origins.setdefault(term_value(q.subject), origin(graph.value))
    return origins


def validate_dataset(quads: Quads, shapes: Graph | None = None) -> ValidationReport:
    """Validate the dataset against the shapes; map each result back to its curation source."""
    from pyshacl import validate

    data = union_graph(quads)
    conforms, results, _ = validate(data, shacl_graph=shapes if shapes is not None
                                    else load_shapes(), inference="none", advanced=True,
                                    allow_warnings=True)
    origins = _origins(quads)
    violations = []
    for result in results.subjects(SH.resultSeverity, None):
        def one(p: URIRef, result: Node = result) -> str:
            value = results.value(result, p)
            return "" if value is None else str(value)

        focus = one(SH.focusNode)
        path = one(SH.resultPath)
        file, claim, assertion = origins.get(focus, ("", "", ""))
        violations.append(Violation(
            severity=compact(one(SH.resultSeverity)).removeprefix("sh:"),
            focus=compact(focus), path=compact(path) if path else "-",
            message=one(SH.resultMessage) or "violates " + compact(one(SH.sourceShape)),
            file=file, claim=claim, shape=compact(one(SH.sourceShape)),
            assertion=compact(assertion) if assertion else "",
        ))
    violations.sort(key=lambda v: (v.file, v.claim, v.focus, v.path, v.message))
    return ValidationReport(conforms=bool(conforms), triples=len(data),
                            violations=tuple(violations))
