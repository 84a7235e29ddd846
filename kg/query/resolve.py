"""The one name resolver: from what a user types to one node of the graph.

Every command that takes a name (``trace``, ``evidence``, a query's ``label`` parameter) resolves
it here: an IRI, a CURIE, a registry entity's label, synonym, key or external identifier, an
article id or a registry record's NCT id. A name that fits several nodes, or none, is an error
that lists the candidates or the close matches.
"""

from __future__ import annotations

import difflib
import re

import pyoxigraph as ox

from kg.core.checks import iri_problem
from kg.core.curie import compact, expand
from kg.core.vocab import RESOURCE, SPARQL_PREFIXES
from kg.store.store import GraphStore


class UnknownName(ValueError):
    """A name that fits no node, or several; the message lists candidates or close matches."""


_NAMES = SPARQL_PREFIXES + """
SELECT ?x ?name ?kind WHERE {
  { GRAPH graph:registry { ?x rdfs:label ?name . BIND("label" AS ?kind) } }
  UNION { GRAPH graph:registry { ?x skos:altLabel ?name . BIND("synonym" AS ?kind) } }
  UNION { GRAPH graph:registry { ?x skos:exactMatch ?m . BIND(STR(?m) AS ?name)
          BIND("identifier" AS ?kind) } }
  UNION { ?x a cart:Article ; dcterms:identifier ?name . BIND("article" AS ?kind) }
  UNION { ?x a cart:RegistryRecord ; dcterms:identifier ?name . BIND("record" AS ?kind) }
}
"""


def resolve(store: GraphStore, name: str, what: str = "") -> ox.NamedNode:
    """Resolve an IRI, a CURIE, a label, a synonym, a key or an article id to one node.

    ``what`` names the thing being resolved in the error (e.g. a query's parameter).
    """
    shown = f"{what}: " if what else ""
    candidates: dict[str, set[str]] = {}
    _, rows = store.select(_NAMES)
    for x, label, _kind in rows:
        if x is None or label is None:
            continue
        candidates.setdefault(label.value.lower(), set()).add(x.value)
        if x.value.startswith(str(RESOURCE)):
            candidates.setdefault(x.value.rsplit("/", 1)[-1].lower(), set()).add(x.value)
    wanted = name.strip()
    try:
        iri = _expand(wanted)
    except UnknownName as err:
        raise UnknownName(f"{shown}{err}") from None
    if iri is not None:
        if iri in {v for vs in candidates.values() for v in vs}:
            return ox.NamedNode(iri)
        matches = candidates.get(iri.lower(), set())  # an external identifier
        if not matches and _exists(store, iri):
            return ox.NamedNode(iri)
    else:
        matches = candidates.get(wanted.lower(), set())
    if len(matches) == 1:
        return ox.NamedNode(next(iter(matches)))
    if matches:
        listed = ", ".join(compact(m) for m in sorted(matches))
        raise UnknownName(f"{shown}{name!r} is ambiguous: it names {listed}. Fix: give one of "
                          "these.")
    close = difflib.get_close_matches(wanted.lower(), list(candidates), n=5, cutoff=0.6)
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownName(f"{shown}nothing in the graph is named {name!r}.{hint}")


def resolve_predicate(name: str) -> ox.NamedNode:
    """Resolve a predicate given as an IRI or a CURIE."""
    iri = _expand(name)
    if iri is None:
        raise UnknownName(f"{name!r} is not a predicate name, CURIE or IRI. Fix: use e.g. "
                         "hasPhase or cart:hasPhase.")
    return ox.NamedNode(iri)


def _expand(name: str) -> str | None:
    """The IRI a name stands for (itself, or a CURIE expanded), or None for a label.

    Raises :class:`UnknownName` for a name written as an IRI that cannot be one (see
    :func:`kg.core.checks.iri_problem`).
    """
    if re.match(r"^(https?|urn):", name):
        problem = iri_problem(name)
        if problem is not None:
            raise UnknownName(f"{name!r} is not a valid IRI: it {problem}. Fix: write a full "
                              "IRI such as https://w3id.org/cart-kg/resource/therapy/rese-cel, "
                              "a CURIE, or a name.")
        return name
    return expand(name)


_ANY = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"


def _exists(store: GraphStore, iri: str) -> bool:
    return bool(store.select(_ANY, {"s": ox.NamedNode(iri)})[1])
