"""Validation: the Python integrity checks give exactly what the SHACL-SPARQL shapes give."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from conftest import MINI
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import SH

from kg.build.build import build_dataset
from kg.rdf.emit import sort_quads
from kg.validation.datagraph import union_graph
from kg.validation.validate import (
    PYTHON_CHECKED,
    integrity_violations,
    load_shapes,
    validate_dataset,
)

OA_START = "http://www.w3.org/ns/oa#start"
TEXT = "https://w3id.org/cart-kg/ontology#text"


def _tamper(quads: tuple[ox.Quad, ...], what: str) -> tuple[ox.Quad, ...]:
    out = []
    done = False
    for q in quads:
        if not done and what == "offset" and q.predicate.value == OA_START:
            q = ox.Quad(q.subject, q.predicate, ox.Literal(
                str(int(q.object.value) + 1), datatype=q.object.datatype), q.graph_name)
            done = True
        elif what == "text" and q.predicate.value == TEXT:
            q = ox.Quad(q.subject, q.predicate, ox.Literal(
                q.object.value.replace("12 patients", "13 patients")), q.graph_name)
        out.append(q)
    return sort_quads(out)


def _sparql_only_shapes() -> Graph:
    shapes = load_shapes()
    keep = Graph()
    for prefix, ns in shapes.namespaces():
        keep.bind(prefix, ns)
    names = {f"https://w3id.org/cart-kg/shapes#{n}" for n in PYTHON_CHECKED}
    for s in list(shapes.subjects()):
        if str(s) in names:
            for t in shapes.triples((s, None, None)):
                keep.add(t)
            for constraint in shapes.objects(s, SH.sparql):
                for t in shapes.triples((constraint, None, None)):
                    keep.add(t)
    # the prefix declarations the constraints point to
    for t in shapes.triples((None, SH.declare, None)):
        keep.add(t)
        for u in shapes.triples((t[2], None, None)):
            keep.add(u)
    return keep


@pytest.mark.parametrize("what", ["none", "offset", "text"])
def test_python_integrity_checks_match_the_shacl_sparql_shapes(what: str) -> None:
    quads = _tamper(build_dataset(MINI, out=None).quads, what)
    python = {(shape, focus) for shape, focus, _ in integrity_violations(quads)}
    _, results, _ = validate(union_graph(quads), shacl_graph=_sparql_only_shapes(),
                             inference="none", advanced=True)
    shacl = {(str(results.value(r, SH.sourceShape)).rsplit("#", 1)[-1],
              str(results.value(r, SH.focusNode)))
             for r in results.subjects(SH.resultSeverity, None)}
    assert python == shacl
    assert bool(python) == (what != "none")
    assert validate_dataset(quads).conforms == (what == "none")
