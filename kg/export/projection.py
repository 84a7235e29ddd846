"""The property-graph projection: the RDF dataset as a multigraph for visualisers.

Nodes are the domain entities, cohorts, plans, outcomes (optionally) and articles (optionally);
edges are the relations the claims assert between them, each with its support: the number of
independent origins and of articles, their ids, a quote, who said it and a status. Node and edge
ids are stable across builds.
:func:`project` gives it as a :class:`~kg.export.property_graph.PropertyGraph`, from which the
writers of :mod:`kg.export.xml_formats`, :mod:`kg.export.formats` and :mod:`kg.export.html` start;
:func:`project_graph` gives it as a networkx ``MultiDiGraph``.

networkx and pyoxigraph are imported inside the functions that use them, so that importing this
module (through :mod:`kg.export.export`, for its registry of formats) keeps ``cartkg --help``
instant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kg.core.curie import shortest
from kg.core.vocab import (
    CART,
    ENTITY_KINDS,
    OUTCOME_CATEGORIES,
    PREFIXES,
    RESOURCE,
)
from kg.export.attributes import KINDS, PROPERTIES, TERM_NAMES
from kg.export.property_graph import PropertyGraph

if TYPE_CHECKING:
    import networkx as nx

    from kg.export.projection_data import Evidence, Term
    from kg.store.store import GraphStore

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
                 "TrialPhase", "ScientificMeeting", "OutcomeMeasure", "DrugClass", "Drug",
                 "Outcome", "Cohort", "PlannedStep", "Regimen", "AgentDose", "Endpoint",
                 "Article")
}

#: One colour per node class (Tableau 20), used by every format that can show colour.
CLASS_COLOURS: dict[str, str] = {
    "Therapy": "#4E79A7", "Trial": "#F28E2B", "Indication": "#59A14F", "Sponsor": "#B07AA1",
    "Organization": "#D37295", "Antigen": "#E15759", "TrialPhase": "#9C755F",
    "ScientificMeeting": "#76B7B2", "OutcomeMeasure": "#EDC948", "DrugClass": "#BAB0AC",
    "Outcome": "#FF9DA7", "Cohort": "#86BCB6", "PlannedStep": "#8CD17D", "Article": "#79706E",
    "Drug": "#FABFD2", "Regimen": "#A0CBE8", "AgentDose": "#F1CE63", "Endpoint": "#499894",
}

#: Prefixes of node ids: ``therapy:rese-cel``, ``outcome:<article>/<claim>``, ``article:<id>``.
NODE_PREFIXES: dict[str, str] = {
    segment: f"{RESOURCE}{segment}/"
    for segment in (*(k.segment for k in ENTITY_KINDS.values()), "outcome", "cohort", "plan",
                    "regimen", "endpoint", "article")
}

_CATEGORIES = {str(iri): name for name, iri in OUTCOME_CATEGORIES.items()}

_SKIPPED = {_SKOS + "prefLabel", str(CART.curationFile), str(CART.text), str(CART.sha256)}

#: What an outcome edge (``outcomes="edges"``) carries besides the outcome's own values.
_FOLDED = {str(CART.inTrial): "trial", str(CART.achievedWithout): "achieved_without",
           str(CART.reportsEndpoint): "reports_endpoint"}


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


def _local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _status(record: Evidence) -> str:
    return "disputed" if record.disputed else record.basis


def _attributes(props: Mapping[str, set[Term]], category: str | None,
                label: Callable[[str], str]) -> dict[str, Any]:
    """The attributes of a node from its literal and controlled-value properties.

    ``props`` are the node's predicate -> objects over every graph (rdf:type aside), ``category``
    its outcome category if any, and ``label`` gives the label of the node an IRI names.
    """
    import pyoxigraph as ox

    values: dict[str, list[Any]] = defaultdict(list)
    for predicate, objects in sorted(props.items()):
        name, kind = PROPERTIES.get(predicate, (_local(predicate), "list"))
        if predicate in _SKIPPED or predicate in _FOLDED:
            continue
        for obj in sorted(objects, key=str):
            if kind in ("number", "integer") and isinstance(obj, ox.Literal):
                values[name].append(float(obj.value) if kind == "number" else int(obj.value))
            elif kind == "curies":
                values[name].append(shortest(obj.value))
            elif kind == "nodes":
                values[name].append(node_id(obj.value))
            elif kind in ("term", "terms"):
                values[name].append(TERM_NAMES.get(obj.value, _local(obj.value)))
            elif kind == "label":
                values[name].append(label(obj.value))
            elif isinstance(obj, ox.Literal) or kind != "list":
                values[name].append(obj.value)
    attrs: dict[str, Any] = {}
    for name, found in values.items():
        kind = KINDS.get(name, "list")
        attrs[name] = sorted(set(found)) if kind in ("list", "curies", "nodes", "terms") \
            else found[0]
    if category is not None:
        attrs["category"] = category
    return attrs


#: The support attributes a node carries (an edge carries all of :func:`_support`'s).
NODE_SUPPORT = ("sources", "origins", "articles", "article_ids", "claims", "said_by")


def _support(records: list[Evidence]) -> dict[str, Any]:
    """The support attributes of an edge or a node, from the assertions behind it.

    ``sources`` counts the independent origins of the claims that state it
    (:mod:`kg.core.origins`: an article summarising another is not a second source, a claim of
    curator inference adds none), ``articles`` the articles asserting it.
    """
    records = sorted(records, key=lambda r: (r.article_id, r.claim))
    if not records:
        return {"sources": 0, "articles": 0}
    statuses = {_status(r) for r in records}
    articles = sorted({r.article_id for r in records})
    origins = sorted({r.origin for r in records if r.origin is not None})
    attrs: dict[str, Any] = {"sources": len(origins)}
    if origins:  # most often the articles themselves: one list for both, in memory
        attrs["origins"] = articles if origins == articles else origins
    attrs.update({
        "articles": len(articles),
        "article_ids": articles,
        "claims": [r.claim for r in records],
        "status": next(s for s in ("stated", "inferred", "disputed") if s in statuses),
    })
    first = next((r for r in records if r.quote is not None), None)
    if first is not None:
        attrs["quote"] = first.quote
        attrs["quote_source"] = first.article_id
    disputed = sorted({r.article_id for r in records if r.disputed})
    if disputed:
        attrs["disputed_in"] = disputed
    said = sorted({r.said_by for r in records if r.said_by is not None})
    if said:
        attrs["said_by"] = said
    return attrs


#: The attributes of every ``reports`` edge, before its support.
_REPORTS = {"predicate": "reports", "label": "reports"}


def project_graph(store: GraphStore, *, articles: bool = False,
                  outcomes: str = "nodes") -> nx.MultiDiGraph:
    """The projection of :func:`project` as a networkx ``MultiDiGraph``."""
    return project(store, articles=articles, outcomes=outcomes).to_networkx()


def project(store: GraphStore, *, articles: bool = False,
            outcomes: str = "nodes") -> PropertyGraph:
    """Project the dataset onto a property graph.

    Nodes are the domain entities (therapies, trials, indications, sponsors and organizations,
    antigens, phases, meetings, measures, drug classes), the cohorts and plans, the outcomes when
    ``outcomes="nodes"`` and the articles when ``articles`` is true. A node's id is its CURIE
    (``therapy:rese-cel``); its attributes are ``label``, ``class``, ``iri``, external
    ``identifiers`` (CURIEs), synonyms and definition, the values of an outcome, cohort or plan,
    and its support (:data:`NODE_SUPPORT`: ``sources``, ``origins``, ``articles``,
    ``article_ids``, ``claims``, ``said_by``).

    Edges are the triples of assertion graphs between two nodes, keyed by predicate name. Each
    carries ``predicate``, ``label``, ``iri``, ``sources`` (the independent origins stating it,
    :mod:`kg.core.origins`) and ``origins`` (their names, when there are any), ``articles`` (the
    distinct articles asserting it) and ``article_ids``, ``claims``, one ``quote`` (the first by
    article id, then claim) with its ``quote_source``, ``said_by`` (who the statements are
    attributed to, "name (role, affiliation)", when the source says) and ``status``: ``stated``
    when an undisputed assertion states it, ``inferred`` when the undisputed support is curator
    inference only, ``disputed`` when every assertion behind it is disputed (``disputed_in``
    lists the articles whose claim is disputed).

    With ``outcomes="edges"`` each outcome becomes a ``hasOutcome`` edge from its therapy to each
    of its indications, keyed by the outcome's id and carrying its values; with ``"none"``
    outcomes are left out. With ``articles``, each article is a node with a ``reports`` edge to
    every node its claims mention. Attribute values are strings, numbers or sorted lists of
    strings (see :func:`kg.export.formats.flatten` for formats that cannot hold lists).
    """
    from kg.core.memory import release_freed_memory
    from kg.export import projection_data as read

    if outcomes not in OUTCOME_MODES:
        raise ExportError(f"outcomes={outcomes!r} is not one of {', '.join(OUTCOME_MODES)}.")

    # First pass: node classes (the first of NODE_CLASSES a subject is typed with), outcome
    # categories, the assertions.
    types = read.read_types(store, [*NODE_CLASSES, *_CATEGORIES, read.RECORD_CLASS])
    names = list(NODE_CLASSES.values())
    rank = {iri: i for i, iri in enumerate(NODE_CLASSES)}
    best: dict[str, int] = {}
    categories: dict[str, str] = {}
    for subject, cls in types.typed:
        if cls in rank and rank[cls] < best.get(subject, len(names)):
            best[subject] = rank[cls]
        category = _CATEGORIES.get(cls)
        if category is not None and category < categories.get(subject, category + "\uffff"):
            categories[subject] = category
    classes = {iri: names[i] for iri, i in best.items()}
    del best
    nodes = {iri: cls for iri, cls in classes.items()
             if (cls != "Article" or articles) and (cls != "Outcome" or outcomes == "nodes")}
    folded = {iri for iri, cls in classes.items() if cls == "Outcome"} \
        if outcomes == "edges" else set()
    wanted = nodes.keys() | folded
    ids = {iri: node_id(iri) for iri in wanted}

    # Second pass: which assertions mention each projected node, and the edges their graphs
    # state; meanwhile, the nodes' properties, the assertions' support and the labels. A list
    # (a set takes several times the memory) that may name an assertion twice.
    content = read.Content(store, types, wanted, _SKIPPED)
    mentioned: dict[str, list[str]] = defaultdict(list)
    active: set[str] = set()  # with articles: the assertions whose graph says anything
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    backing: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    linked: dict[str, dict[str, Any]] = {}
    for assertion, s, p, o in content.asserted():
        if articles:
            active.add(assertion)
        if s in wanted:
            _mention(mentioned[s], assertion)
        if p is None or o is None:
            continue
        if o in wanted:
            _mention(mentioned[o], assertion)
        if s in nodes and o in nodes:
            attrs = linked.get(p)
            if attrs is None:
                attrs = linked[p] = {"predicate": _local(p), "label": _local(p), "iri": p}
            key = (ids[s], ids[o], attrs["predicate"])
            edges[key] = attrs
            backing[key].append(assertion)
    records = content.evidence()

    labels: dict[str, str] = {}

    def label(iri: str) -> str:
        """The label of the node an IRI names (its first literal label), else its id."""
        if iri not in labels:
            found = content.label(iri)
            labels[iri] = node_id(iri) if found is None else found
        return labels[iri]

    # The node attributes, and what each folded outcome's edges carry.
    attributes: dict[str, dict[str, Any]] = {}
    folds: dict[str, tuple[dict[str, Any], list[str], list[str]]] = {}
    for subject, props in content.properties():
        values = _attributes(props, categories.get(subject), label)
        if subject in folded:
            folds[subject] = _fold(subject, props, values, label)
        else:
            attributes[subject] = values
    release_freed_memory()  # what the passes held
    for outcome, (values, therapies, indications) in folds.items():
        assertions = mentioned.get(outcome, [])
        attrs = {"predicate": "hasOutcome", "label": values.get("measure", "outcome"),
                 "outcome": ids[outcome], **values}  # shared by the outcome's edges
        for therapy in therapies:
            for indication in indications:
                key = (node_id(therapy), node_id(indication), ids[outcome])
                edges[key] = attrs
                backing[key].extend(assertions)
    for iri in nodes if articles else ():
        for assertion in mentioned.get(iri, ()):
            record = records.get(assertion)
            if record is not None and record.article in nodes:
                key = (ids[record.article], ids[iri], "reports")
                edges[key] = _REPORTS
                backing[key].append(assertion)
    for assertion in active:  # an article's support: the assertions of its claims
        record = records.get(assertion)
        if record is not None and record.article in nodes:
            _mention(mentioned[record.article], assertion)

    def support(assertions: Iterable[str]) -> dict[str, Any]:
        return _support([records[a] for a in set(assertions) if a in records])

    # Registry records, named as ClinicalTrials.gov's data terms ask: on the graph and each trial.
    registry = content.registry_records()
    sources = sorted({name for names in registry.values() for name in names})
    graph = PropertyGraph(name="cart-kg", **({"registry_sources": "; ".join(sources)}
                                             if sources else {}))
    for iri in sorted(nodes, key=ids.__getitem__):
        found = attributes.pop(iri, None)
        attrs = {"label": ids[iri], "class": nodes[iri], "iri": iri,
                 **(found if found is not None else _attributes({}, categories.get(iri), label))}
        if iri in registry:
            attrs["registry_records"] = registry[iri]
        attrs.update((k, v) for k, v in support(mentioned.get(iri, ())).items()
                     if k in NODE_SUPPORT)
        graph.add_node(ids[iri], attrs)
    del classes, nodes, ids, mentioned, active, folds  # what is left to hold: edges and records
    release_freed_memory()
    # Each edge's support, then no more records. The edges backed by the same assertions (an
    # outcome's claim backs an edge to its therapy, its indication, its measure...) share one
    # support: at 1,000 articles, 12,773 for 45,740 edges.
    keys = sorted(edges)  # the nodes are sorted: this is networkx's order
    shared: dict[tuple[str, ...], dict[str, Any]] = {}
    supports = []
    for key in keys:
        backed = tuple(sorted({a for a in backing.pop(key) if a in records}))
        found = shared.get(backed)
        if found is None:
            found = shared[backed] = _support([records[a] for a in backed])
        supports.append(found)
    del shared, backing
    records.clear()  # (the nested support() reads it: emptied, not deleted)
    release_freed_memory()
    # Each edge holds two shared dicts: its relation's (one per predicate) and its support.
    for key, found in zip(keys, supports, strict=True):
        graph.add_edge(*key, edges.pop(key), found)
    return graph


def _mention(assertions: list[str], assertion: str) -> None:
    """Add an assertion to those that mention a node, unless it is the last one added.

    An assertion's triples come together: it is not added again for each.
    """
    if not assertions or assertions[-1] != assertion:
        assertions.append(assertion)


def _fold(outcome: str, props: Mapping[str, set[Term]], values: dict[str, Any],
          label: Callable[[str], str]) -> tuple[dict[str, Any], list[str], list[str]]:
    """What the ``hasOutcome`` edges of one outcome carry, and its therapies and indications."""
    values["outcome_label"] = values.pop("label", node_id(outcome))
    for predicate, name in _FOLDED.items():
        found = sorted(label(o.value) for o in props.get(predicate, ()))
        if found:
            values[name] = found
    therapies = sorted(o.value for o in props.get(str(CART.forTherapy), ()))
    indications = sorted(o.value for o in props.get(str(CART.forIndication), ()))
    return values, therapies, indications
