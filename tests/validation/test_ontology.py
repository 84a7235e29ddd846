"""The ontology (ontology/cart.ttl) and the SHACL shapes (ontology/shapes.ttl).

Each file under tests/data/shapes/ is a small graph that states its expected result in its leading
comment lines, one per line:

    # expect: conforms
    # expect: violation <shape> [<path>]
    # expect: warning <shape> [<path>]

<shape> is the node shape that must report (for a property shape, the node shape that holds it);
<path> is the sh:resultPath that must appear, as a CURIE or a sequence of CURIEs joined by "/".
Validation must report exactly the listed results (as a set) and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
import pytest
from pyshacl import validate
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from kg.core.analysis_vocab import ANALYSIS
from kg.core.given import DOSE_UNITS, ENDPOINT_ROLES, TRIAL_DESIGNS, TRIAL_STATUSES
from kg.core.record_vocab import RECORD
from kg.core.vocab import (
    ARTICLE_KINDS,
    CART,
    DIRECTIONS,
    ENTITY_KINDS,
    EVIDENCE_TYPES,
    OUTCOME_CATEGORIES,
    PLAN_KINDS,
    PREDICATES,
    PREFIXES,
    STATISTICS,
    TIMEPOINT_QUALIFIERS,
    UNITS,
)
from kg.validation.datagraph import union_graph
from kg.validation.validate import core_shapes, integrity_violations

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology" / "cart.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
EXAMPLES = sorted((ROOT / "tests" / "data" / "shapes").glob("*.ttl"))

CARTSH = Namespace("https://w3id.org/cart-kg/shapes#")
CART_NS = str(CART._NS)
#: The terms of the namespace: CART's own and those it inherits (kg/core/vocab_trials.py), and
#: the registry records' (kg/core/record_vocab.py).
TERMS = sorted({name for cls in (*CART.mro(), *RECORD.mro(), *ANALYSIS.mro())
                for name in getattr(cls, "__annotations__", {}) if not name.startswith("_")})
CURIES = {**PREFIXES, "cartsh": str(CARTSH)}
SEVERITIES = {"violation": SH.Violation, "warning": SH.Warning}

#: What each kind of term is declared as.
TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.Concept)

#: Predicates of a node shape that are not themselves constraints on the focus node.
NOT_NODE_CONSTRAINTS = {
    SH.targetClass,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.targetNode,
    SH.target,
    SH.property,
    SH.sparql,
    SH.severity,
    SH.message,
    SH.deactivated,
}


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Result:
    """A validation result reduced to what an example header states."""

    severity: URIRef
    shape: URIRef
    path: tuple[URIRef, ...] | None


def _expand(curie: str, source: Path) -> URIRef:
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in CURIES:
        raise ValueError(f"{source.name}: unknown CURIE {curie!r} in its expect header")
    return URIRef(CURIES[prefix] + local)


def _read_header(source: Path) -> set[Result]:
    """Parse the leading ``# expect:`` lines of an example; an empty set means it conforms."""
    expected: set[Result] = set()
    conforms = False
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = re.fullmatch(r"# expect: (.+)", line)
        if match is None:
            continue
        words = match.group(1).split()
        if words == ["conforms"]:
            conforms = True
        elif words[0] in SEVERITIES and len(words) in (2, 3):
            path = None
            if len(words) == 3:
                path = tuple(_expand(step, source) for step in words[2].split("/"))
            expected.add(Result(SEVERITIES[words[0]], _expand(words[1], source), path))
        else:
            raise ValueError(f"{source.name}: cannot read header line {line!r}")
    if conforms == bool(expected):
        raise ValueError(f"{source.name}: expect either 'conforms' or violations/warnings")
    return expected


def _owner(shapes: Graph, shape: Node) -> URIRef:
    """The named node shape a result comes from (the holder of a blank property shape)."""
    if isinstance(shape, URIRef):
        return shape
    owners = set(shapes.subjects(SH.property, shape))
    assert len(owners) == 1, f"property shape {shape} has owners {owners}"
    (owner,) = owners
    assert isinstance(owner, URIRef)
    return owner


def _path(shapes: Graph, result_path: Node | None, shape: Node) -> tuple[URIRef, ...] | None:
    if result_path is None:
        return None
    if isinstance(result_path, URIRef):
        return (result_path,)
    # A sequence path: read it from the property shape that reported it.
    declared = shapes.value(shape, SH.path)
    assert isinstance(declared, BNode), f"unexpected result path {result_path}"
    return tuple(URIRef(step) for step in Collection(shapes, declared))


def _results(shapes: Graph, report: Graph) -> set[Result]:
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        source = report.value(result, SH.sourceShape)
        severity = report.value(result, SH.resultSeverity)
        assert isinstance(severity, URIRef)
        found.add(
            Result(
                severity,
                _owner(shapes, source),
                _path(shapes, report.value(result, SH.resultPath), source),
            )
        )
    return found


def _cart_terms(graph: Graph) -> set[str]:
    """The local names of the cart-namespace IRIs used anywhere in ``graph``."""
    return {
        str(t)[len(CART_NS) :]
        for triple in graph
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(CART_NS)
    }


def _node_shapes(shapes: Graph) -> list[URIRef]:
    return sorted(s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))


def _focus_nodes(shapes: Graph, shape: URIRef, data: Graph) -> set[Node]:
    """The focus nodes of a shape's targets in ``data`` (no inference, as in validation)."""
    nodes: set[Node] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        nodes |= set(data.subjects(RDF.type, cls))
    for prop in shapes.objects(shape, SH.targetSubjectsOf):
        nodes |= set(data.subjects(prop, None))
    for prop in shapes.objects(shape, SH.targetObjectsOf):
        nodes |= set(data.objects(None, prop))
    for target in shapes.objects(shape, SH.target):  # SPARQL targets (SHACL-AF)
        prefixes = {str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
                    for d in shapes.objects(shapes.value(target, SH.prefixes), SH.declare)}
        select = str(shapes.value(target, SH.select))
        nodes |= {row[0] for row in data.query(select, initNs=prefixes)}  # type: ignore[index]
    return nodes


def _property_shape(shapes: Graph, path: URIRef) -> Node:
    """The one property shape of a node shape on ``path`` that carries an sh:in list."""
    found = [ps for ps in shapes.subjects(SH.path, path)
             if shapes.value(ps, SH["in"]) and shapes.value(None, SH.property, ps)]
    assert len(found) == 1, f"expected one sh:in property shape on {path}, found {len(found)}"
    return found[0]


def _in_list(shapes: Graph, path: URIRef) -> list[Node]:
    return list(Collection(shapes, shapes.value(_property_shape(shapes, path), SH["in"])))


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


# --------------------------------------------------------------------------- ontology


def test_ontology_parses_in_rdflib_and_oxigraph(ontology: Graph) -> None:
    triples = list(pyoxigraph.parse(path=ONTOLOGY, format=pyoxigraph.RdfFormat.TURTLE))
    assert len(triples) == len(ontology) > 0
    assert (URIRef(CART_NS.rstrip("#")), RDF.type, OWL.Ontology) in ontology


def test_ontology_header(ontology: Graph) -> None:
    header = URIRef(CART_NS.rstrip("#"))
    for prop in (DCTERMS.title, DCTERMS.description, DCTERMS.license):
        assert ontology.value(header, prop) is not None, prop


@pytest.mark.parametrize("name", TERMS)
def test_term_is_declared_with_label_and_definition(ontology: Graph, name: str) -> None:
    term = URIRef(CART_NS + name)
    assert set(ontology.objects(term, RDF.type)) & set(TERM_TYPES), f"{name} has no type"
    for prop in (RDFS.label, SKOS.definition):
        values = list(ontology.objects(term, prop))
        assert len(values) == 1, f"{name}: {len(values)} values of {prop}"
        assert isinstance(values[0], Literal) and values[0].language == "en"
        assert str(values[0]).strip()


def test_ontology_uses_no_term_outside_the_vocabulary(ontology: Graph) -> None:
    assert _cart_terms(ontology) == set(TERMS)


@pytest.mark.parametrize(
    ("values", "cls"),
    [
        (STATISTICS, CART.Statistic),
        ({k: v for k, v in UNITS.items() if v.startswith(CART_NS)}, CART.Unit),
        (PLAN_KINDS, CART.PlanKind),
        (TRIAL_DESIGNS, CART.TrialDesign),
        (TRIAL_STATUSES, CART.TrialStatus),
        ({k: v for k, v in DOSE_UNITS.items() if v.startswith(CART_NS)}, CART.Unit),
    ],
    ids=["statistics", "units", "plan-kinds", "trial-designs", "trial-statuses", "dose-units"],
)
def test_controlled_values_are_concepts_in_a_scheme(
    ontology: Graph, values: dict[str, URIRef], cls: URIRef
) -> None:
    for key, concept in values.items():
        assert {SKOS.Concept, cls} <= set(ontology.objects(concept, RDF.type))
        assert ontology.value(concept, SKOS.notation) == Literal(key)
        scheme = ontology.value(concept, SKOS.inScheme)
        assert (scheme, RDF.type, SKOS.ConceptScheme) in ontology
        assert not str(scheme).startswith(CART_NS)
        assert (scheme, SKOS.hasTopConcept, concept) in ontology


@pytest.mark.parametrize("name", sorted(PREDICATES))
def test_fact_predicates_have_the_declared_domain_and_range(ontology: Graph, name: str) -> None:
    predicate = PREDICATES[name]
    classes = {ENTITY_KINDS[k].cls for k in predicate.object}
    if not predicate.object:
        assert (predicate.term, RDF.type, OWL.DatatypeProperty) in ontology
        assert ontology.value(predicate.term, RDFS.range) == XSD.string
    elif classes == {CART.Sponsor, CART.Organization}:
        assert ontology.value(predicate.term, RDFS.range) == CART.Organization
    else:
        assert ontology.value(predicate.term, RDFS.range) == classes.pop()
    subjects = {ENTITY_KINDS[k].cls for k in predicate.subject}
    domain = ontology.value(predicate.term, RDFS.domain)
    assert domain == (subjects.pop() if len(subjects) == 1 else None)


def test_outcome_categories_are_subclasses_of_outcome(ontology: Graph) -> None:
    for cls in OUTCOME_CATEGORIES.values():
        assert (cls, RDFS.subClassOf, CART.Outcome) in ontology
    assert (CART.Sponsor, RDFS.subClassOf, CART.Organization) in ontology


# --------------------------------------------------------------------------- shapes


def test_shapes_parse_and_use_only_vocabulary_terms(shapes: Graph) -> None:
    assert len(list(pyoxigraph.parse(path=SHAPES, format=pyoxigraph.RdfFormat.TURTLE))) == len(
        shapes
    )
    assert _cart_terms(shapes) <= set(TERMS), _cart_terms(shapes) - set(TERMS)


def test_every_shape_and_constraint_has_a_message(shapes: Graph) -> None:
    with_node_constraints = [
        shape
        for shape in _node_shapes(shapes)
        if any(
            p.startswith(str(SH)) and p not in NOT_NODE_CONSTRAINTS
            for p in shapes.predicates(shape, None)
        )
    ]
    constraints = [
        *with_node_constraints,
        *shapes.objects(None, SH.property),
        *shapes.objects(None, SH.sparql),
    ]
    missing = [c for c in constraints if shapes.value(c, SH.message) is None]
    assert not missing


def test_registry_shape_targets_every_registry_kind(shapes: Graph) -> None:
    targets = set(shapes.objects(CARTSH.RegistryEntityShape, SH.targetClass))
    assert targets == {kind.cls for kind in ENTITY_KINDS.values()}


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (CART.hasStatistic, list(STATISTICS.values())),
        (CART.hasUnit, list(UNITS.values())),
        (CART.planKind, list(PLAN_KINDS.values())),
        (CART.evidenceType, list(EVIDENCE_TYPES.values())),
        (CART.direction, [Literal(v) for v in DIRECTIONS]),
        (CART.timepointQualifier, [Literal(v) for v in TIMEPOINT_QUALIFIERS]),
        (CART.articleKind, [Literal(v) for v in ARTICLE_KINDS]),
        (CART.defaultCategory, [Literal(v) for v in OUTCOME_CATEGORIES]),
        (CART.hasDesign, list(TRIAL_DESIGNS.values())),
        (CART.trialStatus, list(TRIAL_STATUSES.values())),
        (CART.endpointRole, [Literal(v) for v in ENDPOINT_ROLES]),
    ],
    ids=lambda v: v.split("#")[-1] if isinstance(v, URIRef) else "allowed",
)
def test_shape_value_lists_match_the_vocabulary(
    shapes: Graph, path: URIRef, allowed: list[Node]
) -> None:
    assert _in_list(shapes, path) == allowed


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_example_gives_its_expected_result(shapes: Graph, example: Path) -> None:
    expected = _read_header(example)
    named = set(_node_shapes(shapes))
    assert {e.shape for e in expected} <= named, "the header names an unknown shape"
    data = Graph().parse(example, format="turtle")
    assert len(list(pyoxigraph.parse(path=example, format=pyoxigraph.RdfFormat.TURTLE))) == len(
        data
    )
    assert not any(isinstance(t, BNode) for triple in data for t in triple), "no blank nodes"
    conforms, report, text = validate(
        data, shacl_graph=shapes, ont_graph=None, inference="none", advanced=True
    )
    assert _results(shapes, report) == expected, text
    assert conforms == (not expected), text


def test_every_shape_has_a_conforming_and_a_violating_example(shapes: Graph) -> None:
    expectations = {example: _read_header(example) for example in EXAMPLES}
    conforming = [
        Graph().parse(example, format="turtle")
        for example, results in expectations.items()
        if not results
    ]
    for shape in _node_shapes(shapes):
        assert any(r.shape == shape for results in expectations.values() for r in results), (
            f"no violating example for {shape}"
        )
        assert any(_focus_nodes(shapes, shape, data) for data in conforming), (
            f"no conforming example with a focus node of {shape}"
        )


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_the_shapes_as_the_build_runs_them_give_the_same_results(
    shapes: Graph, example: Path
) -> None:
    """core_shapes (targeted property shapes, integrity rules in Python) on the build's data graph
    (kg.validation.datagraph) == the shapes as written on rdflib's own store."""
    data = Graph().parse(example, format="turtle")
    _, authored, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True)
    flat = core_shapes(shapes)
    assert not set(flat.subjects(SH.property, None)) & {
        s for s in flat.subjects(RDF.type, SH.NodeShape) if flat.value(s, SH.targetClass)
    }, "a targeted node shape still nests its property shapes"
    quads = tuple(pyoxigraph.Quad(t.subject, t.predicate, t.object)
                  for t in pyoxigraph.parse(path=example, format=pyoxigraph.RdfFormat.TURTLE))
    _, built, _ = validate(union_graph(quads), shacl_graph=flat, inference="none", advanced=True,
                           inplace=True)
    python = {
        Result(SH.Violation, URIRef(f"https://w3id.org/cart-kg/shapes#{shape}"), None)
        for shape, _, _ in integrity_violations(quads)
    }
    assert _results(shapes, built) | python == _results(shapes, authored)


#: The "if ... then" rules as they were first written, with sh:or (and sh:not): the reference
#: that the SPARQL-targeted shapes of ontology/shapes.ttl must agree with (docs/decisions/0007).
OR_RULES = """
@prefix cartsh: <https://w3id.org/cart-kg/shapes#> .
@prefix cart:   <https://w3id.org/cart-kg/ontology#> .
@prefix sh:     <http://www.w3.org/ns/shacl#> .
@prefix eco:    <http://purl.obolibrary.org/obo/ECO_> .
cartsh:InferredAssertionShape a sh:NodeShape ; sh:targetClass cart:Assertion ;
    sh:or ( [ sh:path cart:evidenceType ; sh:in ( eco:0000302 ) ]
            [ sh:path cart:rationale ; sh:minCount 1 ] ) .
cartsh:DisputedAssertionShape a sh:NodeShape ; sh:targetClass cart:Assertion ;
    sh:or ( [ sh:path cart:isDisputed ; sh:in ( false ) ]
            [ sh:path cart:disputeReason ; sh:minCount 1 ] ) .
cartsh:ProportionRangeShape a sh:NodeShape ; sh:targetClass cart:Outcome ;
    sh:or ( [ sh:not [ sh:path cart:hasStatistic ; sh:hasValue cart:Proportion ] ]
            [ sh:path cart:value ; sh:minInclusive 0 ; sh:maxInclusive 100 ] ) .
cartsh:OutcomeUnitShape a sh:NodeShape ; sh:targetClass cart:Outcome ;
    sh:or ( [ sh:path cart:value ; sh:maxCount 0 ] [ sh:path cart:hasUnit ; sh:minCount 1 ] ) .
cartsh:OutcomeValueShape a sh:NodeShape ; sh:targetClass cart:Outcome ;
    sh:or ( [ sh:path cart:hasStatistic ; sh:hasValue cart:QualitativeFinding ]
            [ sh:path cart:value ; sh:minCount 1 ] ) .
cartsh:OutcomeTimepointShape a sh:NodeShape ; sh:targetClass cart:Outcome ;
    sh:severity sh:Warning ;
    sh:or ( [ sh:path cart:value ; sh:maxCount 0 ]
            [ sh:path cart:timepointText ; sh:minCount 1 ] ) .
cartsh:OutcomeTimepointValueShape a sh:NodeShape ; sh:targetClass cart:Outcome ;
    sh:or ( [ sh:path cart:timepointValue ; sh:maxCount 0 ]
            [ sh:and ( [ sh:path cart:timepointUnit ; sh:minCount 1 ]
                       [ sh:path cart:timepointMonths ; sh:minCount 1 ]
                       [ sh:path cart:timepointText ; sh:minCount 1 ] ) ] ) .
cartsh:OutcomeFollowUpValueShape a sh:NodeShape ; sh:targetClass cart:Outcome ;
    sh:or ( [ sh:path cart:followUpValue ; sh:maxCount 0 ]
            [ sh:and ( [ sh:path cart:followUpUnit ; sh:minCount 1 ]
                       [ sh:path cart:followUpMonths ; sh:minCount 1 ]
                       [ sh:path cart:followUpText ; sh:minCount 1 ] ) ] ) .
cartsh:OutcomeOnsetValueShape a sh:NodeShape ; sh:targetClass cart:Outcome ;
    sh:or ( [ sh:path cart:onsetValue ; sh:maxCount 0 ]
            [ sh:and ( [ sh:path cart:onsetUnit ; sh:minCount 1 ]
                       [ sh:path cart:onsetMonths ; sh:minCount 1 ]
                       [ sh:path cart:onsetText ; sh:minCount 1 ] ) ] ) .
cartsh:OutcomeResolutionValueShape a sh:NodeShape ; sh:targetClass cart:Outcome ;
    sh:or ( [ sh:path cart:resolutionValue ; sh:maxCount 0 ]
            [ sh:and ( [ sh:path cart:resolutionUnit ; sh:minCount 1 ]
                       [ sh:path cart:resolutionMonths ; sh:minCount 1 ]
                       [ sh:path cart:resolutionText ; sh:minCount 1 ] ) ] ) .
cartsh:OutcomeConfidenceIntervalShape a sh:NodeShape ; sh:targetClass cart:Outcome ;
    sh:or ( [ sh:path cart:ciLow ; sh:maxCount 0 ] [ sh:path cart:ciLevel ; sh:minCount 1 ] ) .
cartsh:OutcomePValueShape a sh:NodeShape ; sh:targetClass cart:Outcome ;
    sh:or ( [ sh:path cart:pValue ; sh:maxCount 0 ]
            [ sh:path cart:pValueRelation ; sh:minCount 1 ] ) .
"""


def _failures(shapes: Graph, report: Graph, names: set[URIRef]) -> set[tuple[Node, ...]]:
    """(focus node, shape, severity) of the results of the shapes ``names``."""
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = _owner(shapes, report.value(result, SH.sourceShape))
        if shape in names:
            found.add((report.value(result, SH.focusNode), shape,
                       report.value(result, SH.resultSeverity)))
    return found


@pytest.fixture(scope="module")
def or_rules() -> Graph:
    return Graph().parse(data=OR_RULES, format="turtle")


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_sparql_targeted_rules_fail_where_the_or_rules_fail(
    shapes: Graph, or_rules: Graph, example: Path
) -> None:
    reference = or_rules
    names = {s for s in reference.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    assert names <= set(shapes.subjects(SH.target, None)), "every rule is SPARQL-targeted"
    data = Graph().parse(example, format="turtle")
    _, ours, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True)
    _, theirs, _ = validate(data, shacl_graph=reference, inference="none")
    assert _failures(shapes, ours, names) == _failures(reference, theirs, names)
