"""SHACL validation of a dataset -> a report whose every line names the curation file and claim.

pyshacl is the validator of record. The shapes (``ontology/shapes.ttl``) include the provenance
integrity rules (a quote's offsets slice its article's text exactly; the text matches its SHA-256),
so any graph is checked, whoever produced it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from kg.core.curie import compact
from kg.core.record_vocab import RECORD
from kg.core.resources import shapes_path
from kg.core.vocab import CART
from kg.rdf.emit import Quads, term_value
from kg.validation.datagraph import TripleIndex, union_graph
from kg.validation.record_check import record_nodes, record_violations

SHAPES = shapes_path()


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


def load_shapes(path: Path = SHAPES) -> Graph:
    """Parse the SHACL shapes."""
    return Graph().parse(path, format="turtle")


#: What links an assertion to its evidence: an article's quotes, a registry record's fields.
_EVIDENCE_LINKS = (str(CART.hasQuote), str(RECORD.hasField))


def _origins(quads: Quads) -> dict[str, tuple[str, str, str]]:
    """Map every node to the curation file and claim it came from."""
    meta: dict[str, dict[str, str]] = {}
    quote_of: dict[str, str] = {}
    for q in quads:
        p = q.predicate.value
        if p in (str(CART.curationFile), str(CART.claimId)):
            meta.setdefault(term_value(q.subject), {})[p] = term_value(q.object)
        elif p in _EVIDENCE_LINKS:
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


#: SHACL-SPARQL shapes that :func:`integrity_violations` checks in Python instead (same rule, same
#: message), because pyshacl runs them at ~23 ms a focus node (docs/decisions/0004).
PYTHON_CHECKED = ("QuoteTextShape", "ArticleChecksumShape", "RecordChecksumShape")
_SHAPES_NS = "https://w3id.org/cart-kg/shapes#"


def core_shapes(shapes: Graph) -> Graph:
    """The shapes pyshacl runs.

    Those that :func:`integrity_violations` checks in Python are left out, property shapes
    are given their node shape's targets (:func:`flatten_property_shapes`), and the branches of
    ``sh:or``, ``sh:xone``, ``sh:and`` and ``sh:not`` a message (:func:`name_branches`).
    """
    core = Graph(store=TripleIndex())  # pyshacl looks the shapes up as often as the data
    skipped = {URIRef(_SHAPES_NS + name) for name in PYTHON_CHECKED}
    for triple in shapes:
        if triple[0] not in skipped:
            core.add(triple)
    flatten_property_shapes(core)
    name_branches(core)
    return core


#: The message given to the blank branches of logical constraints (see :func:`name_branches`).
BRANCH_MESSAGE = Literal("a branch of a logical constraint (never reported)")


def name_branches(shapes: Graph) -> None:
    """Give every blank shape inside ``sh:or``, ``sh:xone``, ``sh:and`` or ``sh:not`` a message.

    pyshacl checks each branch of a logical constraint on each focus node and builds a full
    result for every branch that fails (e.g. two of the three outcome categories), then drops
    those results: a logical constraint reports with its own shape's message. Without a message
    of its own, pyshacl composes one for each dropped result (7% of pyshacl's time when six rules
    still used ``sh:or``, docs/decisions/0007). Same results, same messages.
    """
    branches: set[Node] = set(shapes.objects(None, SH["not"]))
    for logical in (SH["or"], SH.xone, SH["and"]):
        for members in shapes.objects(None, logical):
            branches.update(Collection(shapes, members))
    targeted = {s for p in _TARGETS for s in shapes.subjects(p, None)}
    for branch in branches:
        if isinstance(branch, BNode) and branch not in targeted \
                and shapes.value(branch, SH.message) is None:
            shapes.add((branch, SH.message, BRANCH_MESSAGE))


def shape_name(shapes: Graph, shape: Node) -> str:
    """The name of the shape a result comes from: a named shape, or the one holding it."""
    for owner in (shapes.value(shape, RDFS.isDefinedBy), shapes.value(None, SH.property, shape),
                  shape):
        if isinstance(owner, URIRef):
            return compact(str(owner))
    return "a blank shape"


def path_text(graph: Graph, path: Node | None) -> str:
    """A SHACL property path as text: ``cart:hasQuote/oa:hasSource``, ``^cart:x``, ``-``."""
    if path is None:
        return "-"
    if isinstance(path, URIRef):
        return compact(str(path))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + path_text(graph, inverse)
    steps = list(Collection(graph, path)) if graph.value(path, RDF.first) is not None else []
    return "/".join(path_text(graph, step) for step in steps) or "a complex path"


_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


def flatten_property_shapes(shapes: Graph) -> None:
    """Give each property shape of a targeted node shape the node shape's targets (in place).

    SHACL validates a node shape's ``sh:property`` shapes against the node shape's focus nodes;
    a property shape with those targets of its own has exactly the same focus nodes, results,
    severities and messages (its results name it as their source shape either way). pyshacl,
    though, runs a nested property shape once per focus node and a targeted one once for all of
    them: about twice as fast on this project's data (docs/decisions/0005). Node shapes that
    other shapes refer to (``sh:node``, ``sh:or``, ...) are left as they are.
    """
    referenced = {o for _, p, o in shapes if p != SH.property}
    for node in set(shapes.subjects(RDF.type, SH.NodeShape)):
        targets = [(p, o) for p in _TARGETS for o in shapes.objects(node, p)]
        if not targets or node in referenced:
            continue
        for prop in list(shapes.objects(node, SH.property)):
            shapes.remove((node, SH.property, prop))
            shapes.add((prop, RDFS.isDefinedBy, node))  # for reports: see shape_name
            shapes.add((prop, RDF.type, SH.PropertyShape))
            for p, o in targets:
                shapes.add((prop, p, o))


def _int(term: ox.NamedNode | ox.Literal | None) -> int | None:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else None
    except ValueError:
        return None


def integrity_violations(quads: Quads) -> list[tuple[str, str, str]]:
    """Quotes whose offsets no longer slice their article's text; texts that fail their SHA-256.

    The same rules as the SHACL-SPARQL shapes ``cartsh:QuoteTextShape`` and
    ``cartsh:ArticleChecksumShape``, in code points, on any graph; and the registry records'
    rules (:func:`kg.validation.record_check.record_violations`). Returns (shape, focus, message).
    """
    text: dict[str, str] = {}
    sha: dict[str, str] = {}
    quote: dict[str, dict[str, ox.NamedNode | ox.Literal]] = {}
    wanted = {str(CART.text): "text", str(CART.sha256): "sha",
              "http://www.w3.org/ns/oa#exact": "exact", "http://www.w3.org/ns/oa#start": "start",
              "http://www.w3.org/ns/oa#end": "end", "http://www.w3.org/ns/oa#hasSource": "source"}
    for q in quads:
        role = wanted.get(q.predicate.value)
        if role is None or not isinstance(q.object, (ox.NamedNode, ox.Literal)):
            continue
        subject = term_value(q.subject)
        if role == "text":
            text[subject] = q.object.value
        elif role == "sha":
            sha[subject] = q.object.value
        else:
            quote.setdefault(subject, {})[role] = q.object
    found = record_violations(quads)
    records = record_nodes(quads)  # checked above, with a message of their own
    for article, digest in sorted(sha.items()):
        if article in text and article not in records and re.fullmatch(r"[0-9a-f]{64}", digest):
            computed = hashlib.sha256(text[article].encode("utf-8")).hexdigest()
            if computed != digest:
                found.append(("ArticleChecksumShape", article,
                              f"The article's sha256 {digest} is not the SHA-256 of its text, "
                              f"which is {computed}: article.txt changed after it was curated, "
                              "or the sha256 in article.yaml is wrong."))
    for node, props in sorted(quote.items()):
        start, end = _int(props.get("start")), _int(props.get("end"))
        source, exact = props.get("source"), props.get("exact")
        if start is None or end is None or source is None or exact is None \
                or not 0 <= start < end or source.value not in text:
            continue  # malformed quotes are the SHACL Core shapes' to report
        body = text[source.value]
        if end > len(body) or body[start:end] != exact.value:
            found.append(("QuoteTextShape", node,
                          f"The quote's offsets {start}-{end} do not select its exact text "
                          f"\"{exact.value}\" in the text of {source.value}: the article text "
                          "changed, or the offsets or the quote are wrong. Rebuild from the "
                          "curation files; the loader computes offsets itself."))
    return found


def shacl_violations(quads: Quads, shapes: Graph, context: Iterable[ox.Quad] = (),
                     ) -> tuple[bool, list[Violation]]:
    """Validate ``quads`` (with ``context`` quads present but not checked for integrity).

    pyshacl checks every shape it is given (see :func:`core_shapes`); the two
    provenance-integrity rules are checked by :func:`integrity_violations`. ``context`` is what
    the quads refer to from elsewhere, e.g. the registry entities an article's claims name, so
    that ``sh:class`` constraints see their classes. Each result names its curation file and
    claim. Returns (conforms, violations).
    """
    from pyshacl import validate

    everything = (*quads, *context)
    data = union_graph(everything)
    conforms, results, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                    inplace=True, allow_warnings=True)
    found = integrity_violations(quads)
    severities = list(results.subjects(SH.resultSeverity, None))
    # mapping nodes to their files costs as much as a tenth of the validation: only when needed
    origins = _origins(everything) if found or severities else {}
    violations = []
    for shape, focus, message in found:
        file, claim, assertion = origins.get(focus, ("", "", ""))
        violations.append(Violation(
            severity="Violation", focus=compact(focus), path="-", message=message, file=file,
            claim=claim, shape=f"cartsh:{shape}",
            assertion=compact(assertion) if assertion else ""))
    conforms = bool(conforms) and not violations
    for result in severities:
        def one(p: URIRef, result: Node = result) -> str:
            value = results.value(result, p)
            return "" if value is None else str(value)

        focus = one(SH.focusNode)
        path = path_text(results, results.value(result, SH.resultPath))
        shape = shape_name(shapes, results.value(result, SH.sourceShape))
        file, claim, assertion = origins.get(focus, ("", "", ""))
        violations.append(Violation(
            severity=compact(one(SH.resultSeverity)).removeprefix("sh:"),
            focus=compact(focus), path=path,
            message=one(SH.resultMessage) or f"violates {shape}",
            file=file, claim=claim, shape=shape,
            assertion=compact(assertion) if assertion else "",
        ))
    return conforms, sorted_violations(violations)


def sorted_violations(violations: Iterable[Violation]) -> list[Violation]:
    """Violations without repeats, in report order (file, claim, focus, path, message)."""
    return sorted(set(violations), key=lambda v: (v.file, v.claim, v.focus, v.path, v.message,
                                                  v.severity, v.shape, v.assertion))


def validate_dataset(quads: Quads, shapes: Graph | None = None) -> ValidationReport:
    """Validate a whole dataset at once against the shapes (see :func:`shacl_violations`).

    This is how ``cartkg validate FILE`` checks a graph from anywhere. ``cartkg build`` validates
    the same shapes part by part (see :mod:`kg.build.parts`), with the same results.
    """
    conforms, violations = shacl_violations(
        quads, core_shapes(shapes if shapes is not None else load_shapes()))
    return ValidationReport(conforms=conforms, triples=len({q.triple for q in quads}),
                            violations=tuple(violations))
