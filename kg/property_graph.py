"""The property-graph projection: the RDF dataset as a networkx multigraph for visualisers.

Nodes are the domain entities, cohorts, plans, outcomes (optionally) and articles (optionally);
edges are the relations the claims assert between them, each with its support: the number of
sources, their article ids, a quote and a status. Node and edge ids are stable across builds.
The writers of :mod:`kg.export_formats` and :mod:`kg.export_html` start from this graph.

networkx and pyoxigraph are imported inside the functions that use them, so that importing this
module (through :mod:`kg.export`, for its registry of formats) keeps ``cartkg --help`` instant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.vocab import (
    CART,
    ENTITY_KINDS,
    OUTCOME_CATEGORIES,
    PLAN_KINDS,
    PREFIXES,
    RESOURCE,
    STATISTICS,
    UNITS,
    compact,
)

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

    from kg.store import GraphStore
    from kg.trace import EvidenceRecord

#: How outcomes appear: as nodes, folded into therapy -> indication edges, or not at all.
OUTCOME_MODES = ("nodes", "edges", "none")

_RDF = PREFIXES["rdf"]
_RDFS = PREFIXES["rdfs"]
_SKOS = PREFIXES["skos"]
_DCTERMS = PREFIXES["dcterms"]
_TYPE = _RDF + "type"

#: Node classes, most specific first: a node's ``class`` is the first of these it is typed with.
NODE_CLASSES: dict[str, str] = {
    str(CART[name]): name
    for name in ("Therapy", "Trial", "Indication", "Sponsor", "Organization", "Antigen",
                 "TrialPhase", "ScientificMeeting", "OutcomeMeasure", "DrugClass", "Outcome",
                 "Cohort", "PlannedStep", "Article")
}

#: One colour per node class (Tableau 20), used by every format that can show colour.
CLASS_COLOURS: dict[str, str] = {
    "Therapy": "#4E79A7", "Trial": "#F28E2B", "Indication": "#59A14F", "Sponsor": "#B07AA1",
    "Organization": "#D37295", "Antigen": "#E15759", "TrialPhase": "#9C755F",
    "ScientificMeeting": "#76B7B2", "OutcomeMeasure": "#EDC948", "DrugClass": "#BAB0AC",
    "Outcome": "#FF9DA7", "Cohort": "#86BCB6", "PlannedStep": "#8CD17D", "Article": "#79706E",
}

#: Prefixes of node ids: ``therapy:rese-cel``, ``outcome:<article>/<claim>``, ``article:<id>``.
NODE_PREFIXES: dict[str, str] = {
    segment: f"{RESOURCE}{segment}/"
    for segment in (*(k.segment for k in ENTITY_KINDS.values()), "outcome", "cohort", "plan",
                    "article")
}

_TERM_NAMES = {str(iri): name for table in (STATISTICS, UNITS, PLAN_KINDS)
               for name, iri in table.items()}
_CATEGORIES = {str(iri): name for name, iri in OUTCOME_CATEGORIES.items()}

#: Node properties: predicate -> (attribute, kind). Kinds: text (one string), list (strings),
#: curies (IRIs as CURIEs), nodes (node ids: the registry's broader terms, kept as an attribute
#: because an edge stands for a quoted claim), term (a controlled value by its curation name),
#: label (the label of the node it points to), number (float), integer. Other literal properties
#: keep their local name as a list; rdf:type gives ``class``; the rest (curation files, article
#: text) is left out.
_PROPERTIES: dict[str, tuple[str, str]] = {
    _RDFS + "label": ("label", "text"),
    _SKOS + "altLabel": ("synonyms", "list"),
    _SKOS + "definition": ("definition", "text"),
    _SKOS + "exactMatch": ("identifiers", "curies"),
    str(CART.unverifiedMatch): ("unverified_identifiers", "curies"),
    _SKOS + "closeMatch": ("close_matches", "curies"),
    _SKOS + "broadMatch": ("broad_matches", "curies"),
    _SKOS + "editorialNote": ("note", "text"),
    _SKOS + "broader": ("broader", "nodes"),
    str(CART.defaultCategory): ("default_category", "text"),
    str(CART.hasMeasure): ("measure", "label"),
    str(CART.hasStatistic): ("statistic", "term"),
    str(CART.value): ("value", "number"),
    str(CART.hasUnit): ("unit", "term"),
    str(CART.numerator): ("numerator", "integer"),
    str(CART.denominator): ("denominator", "integer"),
    str(CART.direction): ("direction", "text"),
    str(CART.grade): ("grade", "integer"),
    str(CART.gradeText): ("grade_text", "text"),
    str(CART.finding): ("finding", "text"),
    str(CART.populationDescription): ("population", "text"),
    str(CART.populationSize): ("population_size", "integer"),
    str(CART.timepointText): ("timepoint", "text"),
    str(CART.timepointMonths): ("timepoint_months", "number"),
    str(CART.timepointQualifier): ("timepoint_qualifier", "text"),
    str(CART.cohortSize): ("cohort_size", "integer"),
    str(CART.planKind): ("plan_kind", "term"),
    str(CART.timeframe): ("timeframe", "text"),
    _DCTERMS + "title": ("title", "text"),
    _DCTERMS + "date": ("date", "text"),
    _DCTERMS + "identifier": ("article_id", "text"),
    _DCTERMS + "publisher": ("publisher", "text"),
    PREFIXES["schema"] + "url": ("url", "text"),
    str(CART.articleKind): ("kind", "text"),
}
_KINDS = dict(_PROPERTIES.values())
_SKIPPED = {_SKOS + "prefLabel", str(CART.curationFile), str(CART.text), str(CART.sha256)}

#: What an outcome edge (``outcomes="edges"``) carries besides the outcome's own values.
_FOLDED = {str(CART.inTrial): "trial", str(CART.achievedWithout): "achieved_without"}


class ExportError(Exception):
    """An export cannot be made or written; the message says why and how to fix it."""


def node_id(iri: str) -> str:
    """The stable id of a node: its CURIE (``therapy:rese-cel``), or the IRI itself."""
    for prefix, namespace in NODE_PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def edge_id(source: str, target: str, key: str) -> str:
    """The stable id of an edge, for formats that want one."""
    return f"{source}|{key}|{target}"


def _curie(iri: str) -> str:
    short = compact(iri)
    return iri if short.startswith("<") else short


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _status(record: EvidenceRecord) -> str:
    return "disputed" if record.disputed else record.basis


@dataclass
class _Dataset:
    """The quads of a store, indexed the way the projection reads them."""

    types: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    #: subject -> predicate -> objects, over every graph
    props: dict[str, dict[str, set[ox.NamedNode | ox.Literal]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    #: assertion -> its triples between IRIs, and every IRI it mentions
    links: dict[str, set[tuple[str, str, str]]] = field(default_factory=lambda: defaultdict(set))
    mentions: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    labels: dict[str, str] = field(default_factory=dict)


def _index(store: GraphStore) -> _Dataset:
    import pyoxigraph as ox

    data = _Dataset()
    quads = store.quads()
    assertion_class = ox.NamedNode(str(CART.Assertion))
    assertions = {q.subject.value for q in quads if isinstance(q.subject, ox.NamedNode)
                  and q.predicate.value == _TYPE and q.object == assertion_class}
    for q in quads:
        s, p, o = q.subject, q.predicate.value, q.object
        graph = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        if not isinstance(s, ox.NamedNode) or not isinstance(o, (ox.NamedNode, ox.Literal)):
            continue
        if p == _TYPE and isinstance(o, ox.NamedNode):
            data.types[s.value].add(o.value)
            continue
        data.props[s.value][p].add(o)
        if p == _RDFS + "label" and isinstance(o, ox.Literal):
            data.labels.setdefault(s.value, o.value)
        if graph in assertions:
            data.mentions[graph].add(s.value)
            if isinstance(o, ox.NamedNode):
                data.mentions[graph].add(o.value)
                data.links[graph].add((s.value, p, o.value))
    return data


def _node_class(types: Iterable[str]) -> str | None:
    present = set(types)
    return next((name for iri, name in NODE_CLASSES.items() if iri in present), None)


def _attributes(data: _Dataset, iri: str) -> dict[str, Any]:
    """The attributes of a node from its literal and controlled-value properties."""
    import pyoxigraph as ox

    values: dict[str, list[Any]] = defaultdict(list)
    for predicate, objects in sorted(data.props.get(iri, {}).items()):
        name, kind = _PROPERTIES.get(predicate, (_local(predicate), "list"))
        if predicate in _SKIPPED or predicate in _FOLDED:
            continue
        for obj in sorted(objects, key=str):
            if kind in ("number", "integer") and isinstance(obj, ox.Literal):
                values[name].append(float(obj.value) if kind == "number" else int(obj.value))
            elif kind == "curies":
                values[name].append(_curie(obj.value))
            elif kind == "nodes":
                values[name].append(node_id(obj.value))
            elif kind == "term":
                values[name].append(_TERM_NAMES.get(obj.value, _local(obj.value)))
            elif kind == "label":
                values[name].append(data.labels.get(obj.value, node_id(obj.value)))
            elif isinstance(obj, ox.Literal) or kind != "list":
                values[name].append(obj.value)
    attrs: dict[str, Any] = {}
    for name, found in values.items():
        kind = _KINDS.get(name, "list")
        attrs[name] = sorted(set(found)) if kind in ("list", "curies", "nodes") else found[0]
    category = sorted(_CATEGORIES[t] for t in data.types.get(iri, ()) if t in _CATEGORIES)
    if category:
        attrs["category"] = category[0]
    return attrs


def _support(records: list[EvidenceRecord]) -> dict[str, Any]:
    """The support attributes of an edge or a node, from the assertions behind it."""
    records = sorted(records, key=lambda r: (r.article_id, r.claim_id))
    if not records:
        return {"sources": 0}
    statuses = {_status(r) for r in records}
    attrs: dict[str, Any] = {
        "sources": len({r.article_id for r in records}),
        "source_ids": sorted({r.article_id for r in records}),
        "claims": [f"{r.article_id}/{r.claim_id}" for r in records],
        "status": next(s for s in ("stated", "inferred", "disputed") if s in statuses),
    }
    first = next((r for r in records if r.quotes), None)
    if first is not None:
        attrs["quote"] = first.quotes[0].exact
        attrs["quote_source"] = first.article_id
    disputed = sorted({r.article_id for r in records if r.disputed})
    if disputed:
        attrs["disputed_in"] = disputed
    return attrs


def project_graph(store: GraphStore, *, articles: bool = False,
                  outcomes: str = "nodes") -> nx.MultiDiGraph:
    """Project the dataset onto a property graph.

    Nodes are the domain entities (therapies, trials, indications, sponsors and organizations,
    antigens, phases, meetings, measures, drug classes), the cohorts and plans, the outcomes when
    ``outcomes="nodes"`` and the articles when ``articles`` is true. A node's id is its CURIE
    (``therapy:rese-cel``); its attributes are ``label``, ``class``, ``iri``, external
    ``identifiers`` (CURIEs), synonyms and definition, the values of an outcome, cohort or plan,
    and its support (``sources``, ``source_ids``, ``claims``).

    Edges are the triples of assertion graphs between two nodes, keyed by predicate name. Each
    carries ``predicate``, ``label``, ``iri``, ``sources`` (distinct articles), ``source_ids``,
    ``claims``, one ``quote`` (the first by article id, then claim) with its ``quote_source``,
    and ``status``: ``stated`` when an undisputed assertion states it, ``inferred`` when the
    undisputed support is curator inference only, ``disputed`` when every assertion behind it is
    disputed (``disputed_in`` lists the articles whose claim is disputed).

    With ``outcomes="edges"`` each outcome becomes a ``hasOutcome`` edge from its therapy to each
    of its indications, keyed by the outcome's id and carrying its values; with ``"none"``
    outcomes are left out. With ``articles``, each article is a node with a ``reports`` edge to
    every node its claims mention. Attribute values are strings, numbers or sorted lists of
    strings (see :func:`kg.export_formats.flatten` for formats that cannot hold lists).
    """
    import networkx as nx
    import pyoxigraph as ox

    from kg.trace import evidence_for

    if outcomes not in OUTCOME_MODES:
        raise ExportError(f"outcomes={outcomes!r} is not one of {', '.join(OUTCOME_MODES)}.")
    data = _index(store)
    classes = {iri: cls for iri, types in data.types.items()
               if (cls := _node_class(types)) is not None}
    nodes = {iri: cls for iri, cls in classes.items()
             if (cls != "Article" or articles) and (cls != "Outcome" or outcomes == "nodes")}
    records = {r.assertion: r for r in evidence_for(
        store, [ox.NamedNode(a) for a in sorted(data.mentions)])}
    mentioned_by: dict[str, set[str]] = defaultdict(set)
    for assertion, mentioned in data.mentions.items():
        for iri in mentioned:
            mentioned_by[iri].add(assertion)
        if assertion in records:
            mentioned_by[records[assertion].article].add(assertion)

    def support(assertions: Iterable[str]) -> dict[str, Any]:
        return _support([records[a] for a in set(assertions) if a in records])

    graph = nx.MultiDiGraph(name="cart-kg")
    for iri in sorted(nodes, key=node_id):
        attrs = {"label": data.labels.get(iri, node_id(iri)), "class": nodes[iri], "iri": iri,
                 **_attributes(data, iri)}
        attrs.update((k, v) for k, v in support(mentioned_by.get(iri, ())).items()
                     if k in ("sources", "source_ids", "claims"))
        graph.add_node(node_id(iri), **attrs)

    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    backing: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for assertion, triples in data.links.items():
        for s, p, o in triples:
            if s in nodes and o in nodes:
                key = (node_id(s), node_id(o), _local(p))
                edges[key] = {"predicate": _local(p), "label": _local(p), "iri": p}
                backing[key].add(assertion)
    if outcomes == "edges":
        for outcome in (iri for iri, cls in classes.items() if cls == "Outcome"):
            _fold_outcome(data, outcome, mentioned_by.get(outcome, set()), edges, backing)
    if articles:
        for assertion, mentioned in data.mentions.items():
            article = records[assertion].article if assertion in records else None
            for iri in mentioned & nodes.keys() if article in nodes else ():
                key = (node_id(str(article)), node_id(iri), "reports")
                edges[key] = {"predicate": "reports", "label": "reports"}
                backing[key].add(assertion)
    for key in sorted(edges):
        graph.add_edge(*key, **edges[key], **support(backing[key]))
    return graph


def _fold_outcome(data: _Dataset, outcome: str, assertions: set[str],
                  edges: dict[tuple[str, str, str], dict[str, Any]],
                  backing: dict[tuple[str, str, str], set[str]]) -> None:
    """Add one outcome as ``hasOutcome`` edges from its therapy to each of its indications."""
    props = data.props.get(outcome, {})
    values = _attributes(data, outcome)
    values["outcome_label"] = values.pop("label", node_id(outcome))
    for predicate, name in _FOLDED.items():
        found = sorted(data.labels.get(o.value, node_id(o.value)) for o in props.get(predicate, ()))
        if found:
            values[name] = found
    for therapy in sorted(o.value for o in props.get(str(CART.forTherapy), ())):
        for indication in sorted(o.value for o in props.get(str(CART.forIndication), ())):
            key = (node_id(therapy), node_id(indication), node_id(outcome))
            edges[key] = {"predicate": "hasOutcome", "label": values.get("measure", "outcome"),
                          "outcome": node_id(outcome), **values}
            backing[key].update(assertions)
