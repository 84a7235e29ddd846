"""What the property-graph projection reads of a dataset: two passes over its quads, by part.

:func:`kg.export.projection.project` needs, of a whole dataset, only: which subjects are typed with
a node class (or an outcome category), the properties of the subjects it projects, the triples
inside each assertion graph, a handful of fields per assertion (its article, claim, status and
first quote) and the labels of the IRIs it shows. The first pass (:func:`read_types`) reads the
rdf:type quads; the second (:class:`Content`) every quad, keeping what the first pass says is
wanted.

Both read the dataset a part at a time (:meth:`kg.store.store.GraphStore.parts`): from a build's
folder, each shard is parsed in turn (the first pass parses only the lines that name rdf:type), so
the time grows in proportion to the dataset. Reading the same through the on-disk index's look-ups
grew 13-16x per 10x the articles (docs/benchmarks.md). No order of the quads is assumed, within a
part or between parts. What is kept is compact: interned strings and tuples; the article text,
the largest literal of the dataset, is never kept.

This module knows pyoxigraph's terms; :mod:`kg.export.projection` decides what to make of them.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterator
from typing import Any, NamedTuple

import pyoxigraph as ox

from kg.core.origins import article_origins
from kg.core.record_vocab import RECORD
from kg.core.vocab import CART, EVIDENCE_TYPES, OA, PREFIXES
from kg.provenance.attribution import speaker
from kg.rdf.emit import graph_key
from kg.store.store import GraphStore

Term = ox.NamedNode | ox.Literal
#: A registry record (typed so): the first pass is asked for it; the second reads what names it.
RECORD_CLASS = str(RECORD.RegistryRecord)
_REGISTERED_AS = str(RECORD.registeredAs)
_RECORD_FIELDS = {str(RECORD.recordOf): "of", PREFIXES["dcterms"] + "identifier": "id",
                  PREFIXES["dcterms"] + "publisher": "publisher",
                  str(RECORD.retrieved): "retrieved"}

_TYPE = PREFIXES["rdf"] + "type"
_LABEL = PREFIXES["rdfs"] + "label"
_DCTERMS = PREFIXES["dcterms"]
_ASSERTION = str(CART.Assertion)
#: Articles (typed so in the first pass): what they derive from is read, for their origins.
ARTICLE_CLASS = str(CART.Article)
_DERIVED_FROM = PREFIXES["prov"] + "wasDerivedFrom"
_STATED = str(EVIDENCE_TYPES["stated"])
#: Who a claim's statement is attributed to (kg.rdf.lineage): the assertion's agent, and the
#: agent's fields by their slot in :func:`kg.provenance.attribution.speaker`.
_ATTRIBUTED_TO = PREFIXES["prov"] + "wasAttributedTo"
_AGENT_FIELDS = {PREFIXES["schema"] + "name": "name", PREFIXES["schema"] + "jobTitle": "role",
                 PREFIXES["schema"] + "affiliation": "org", str(CART.affiliationText): "text"}

#: The predicates of an assertion's support (see :class:`Evidence`), by the group of subjects
#: they describe and their slot in it. An assertion has a record only when it has every field,
#: and a quote with its text, start and end, from an article with an identifier, a title, a kind
#: and a text: the graph pattern of the evidence records of
#: :func:`kg.provenance.trace.evidence_for`.
_FIELDS: dict[str, tuple[str, int]] = {
    str(CART.claimId): ("assertion", 0), str(CART.fromArticle): ("assertion", 1),
    str(CART.evidenceType): ("assertion", 2), str(CART.isDisputed): ("assertion", 3),
    str(CART.curationFile): ("assertion", 4), str(CART.hasQuote): ("assertion", 5),
    str(OA.exact): ("quote", 0), str(OA.start): ("quote", 1), str(OA.end): ("quote", 2),
    _DCTERMS + "identifier": ("article", 0), _DCTERMS + "title": ("article", 1),
    str(CART.articleKind): ("article", 2), str(CART.text): ("article", 3),
}
_SLOTS = {"assertion": 6, "quote": 3, "article": 4}
#: The fields whose values do not matter, only that a subject has one (the article text is never
#: kept), and those whose value names a subject (IRIs only).
_PRESENT = {str(CART.curationFile), str(OA.end), _DCTERMS + "title", str(CART.articleKind),
            str(CART.text)}
_IRIS = {str(CART.fromArticle), str(CART.hasQuote)}
#: The one field with several values kept: an assertion's quotes.
_MANY = str(CART.hasQuote)


class Evidence(NamedTuple):
    """What the projection shows of one assertion."""

    article: str
    article_id: str
    #: ``<article id>/<claim id>``, made once and shared by every edge the assertion backs (it
    #: sorts as (article id, claim id) among the claims of one article)
    claim: str
    disputed: bool
    #: ``inferred`` (ECO:0000305, curator inference) or ``stated``
    basis: str
    #: the exact text of the assertion's first quote (by start offset)
    quote: str | None
    #: the independent origin of a stated claim (:mod:`kg.core.origins`); None when inferred
    origin: str | None = None
    #: who the statement is attributed to, "name (role, affiliation)", if anyone
    said_by: str | None = None


class Types(NamedTuple):
    """What the first pass found: the rdf:type quads that matter to the projection."""

    #: (subject, class) for the IRIs typed with one of the classes asked for, sorted
    typed: list[tuple[str, str]]
    #: (graph, subject, literal) for the rdf:type quads whose object is a literal, sorted
    literal_types: list[tuple[str, str, ox.Literal]]
    #: the IRIs typed cart:Assertion
    assertions: frozenset[str]


def read_types(store: GraphStore, classes: Collection[str]) -> Types:
    """The first pass: the IRIs typed with one of ``classes``, the assertions, literal types."""
    intern = sys.intern
    asked = set(classes)
    typed: set[tuple[str, str]] = set()
    literals: dict[tuple[str, str, str], ox.Literal] = {}
    assertions: set[str] = set()
    for part in store.parts(_TYPE, analyses=False):
        for quad in part:
            subject, obj = quad.subject, quad.object
            if quad.predicate.value != _TYPE or not isinstance(subject, ox.NamedNode):
                continue
            if isinstance(obj, ox.NamedNode):
                cls = obj.value
                if cls == _ASSERTION:
                    assertions.add(intern(subject.value))
                if cls in asked:
                    typed.add((intern(subject.value), cls))
            elif isinstance(obj, ox.Literal):
                graph = quad.graph_name
                name = graph.value if isinstance(graph, ox.NamedNode) else ""
                literals[(name, subject.value, str(obj))] = obj
    return Types(sorted(typed), [(g, s, literals[(g, s, o)]) for g, s, o in sorted(literals)],
                 frozenset(assertions))


class Content:
    """The second pass: every quad, once, keeping what the projection needs.

    :meth:`asserted` streams the triples of the assertion graphs; while it runs, it gathers the
    properties of the ``wanted`` subjects, the assertions' support and the labels, which
    :meth:`properties`, :meth:`evidence` and :meth:`label` give once it has run to the end.
    """

    def __init__(self, store: GraphStore, types: Types, wanted: Collection[str],
                 skipped: Collection[str]) -> None:
        self.store, self.types, self.wanted, self.skipped = store, types, wanted, skipped
        #: subject -> predicate, object, predicate, object...: a flat list (a set or a dict per
        #: subject would take several times the memory); see :meth:`properties`
        self._properties: dict[str, list[str | Term]] = {}
        self._labels: dict[str, tuple[str, ox.Literal]] = {}  # the first in canonical order
        #: group -> subject -> slots: a field's least value (a list of them for the quotes)
        self._fields: dict[str, dict[str, list[Any]]] = {group: {} for group in _SLOTS}
        #: the registry records (typed so in the first pass) and what names them; the trials
        #: registered as each registered trial (see :meth:`registry_records`)
        self._records = {s for s, cls in types.typed if cls == RECORD_CLASS}
        self._record_fields: dict[str, dict[str, str]] = {}
        self._registered: dict[str, set[str]] = {}
        #: what each article derives from; each attributed assertion's agents and their fields
        self._articles = {s for s, cls in types.typed if cls == ARTICLE_CLASS}
        self._derived: dict[str, set[str]] = {}
        self._attributed: dict[str, set[str]] = {}
        self._agents: dict[str, dict[str, set[str]]] = {}
        self._done = False

    def asserted(self) -> Iterator[tuple[str, str, str | None, str | None]]:
        """What each assertion graph says, rdf:type to an IRI aside.

        (assertion, subject, predicate, object) for a triple between two IRIs, (assertion,
        subject, None, None) for a triple from an IRI to a literal. An assertion and subject may
        come again.
        """
        intern = sys.intern
        assertions, wanted, skipped = self.types.assertions, self.wanted, self.skipped
        properties, labels, fields = self._properties, self._labels, self._fields
        for part in self.store.parts(analyses=False):  # derived: the projection needs none
            for quad in part:
                s = quad.subject
                if not isinstance(s, ox.NamedNode):
                    continue
                subject, predicate, obj = s.value, quad.predicate.value, quad.object
                graph = quad.graph_name
                if isinstance(graph, ox.NamedNode) and graph.value in assertions:
                    if isinstance(obj, ox.Literal):
                        yield intern(graph.value), intern(subject), None, None
                    elif isinstance(obj, ox.NamedNode) and predicate != _TYPE:
                        yield intern(graph.value), intern(subject), intern(predicate), \
                            intern(obj.value)
                if subject in wanted and isinstance(obj, (ox.NamedNode, ox.Literal)) \
                        and (predicate != _TYPE or isinstance(obj, ox.Literal)) \
                        and predicate not in skipped:
                    props = properties.get(subject)
                    if props is None:
                        properties[intern(subject)] = [intern(predicate), obj]
                    else:
                        props += (intern(predicate), obj)
                if predicate == _REGISTERED_AS and isinstance(obj, ox.NamedNode):
                    self._registered.setdefault(obj.value, set()).add(subject)
                elif predicate == _DERIVED_FROM and subject in self._articles \
                        and isinstance(obj, ox.NamedNode):
                    self._derived.setdefault(intern(subject), set()).add(intern(obj.value))
                elif predicate == _ATTRIBUTED_TO and isinstance(obj, ox.NamedNode):
                    self._attributed.setdefault(intern(subject), set()).add(obj.value)
                elif predicate in _AGENT_FIELDS and isinstance(obj, (ox.NamedNode, ox.Literal)):
                    agent = self._agents.setdefault(subject, {})
                    agent.setdefault(_AGENT_FIELDS[predicate], set()).add(obj.value)
                elif subject in self._records and predicate in _RECORD_FIELDS \
                        and isinstance(obj, (ox.NamedNode, ox.Literal)):
                    self._record_fields.setdefault(subject, {})[_RECORD_FIELDS[predicate]] = \
                        obj.value
                field = _FIELDS.get(predicate)
                if field is not None and isinstance(obj, (ox.NamedNode, ox.Literal)):
                    if predicate in _IRIS and not isinstance(obj, ox.NamedNode):
                        continue  # the object of a field that names a subject: never a literal
                    group, slot = field
                    slots = fields[group].get(subject)
                    if slots is None:
                        slots = fields[group][intern(subject)] = [None] * _SLOTS[group]
                    value = "" if predicate in _PRESENT else obj.value
                    if predicate == _MANY:
                        slots[slot] = [*(slots[slot] or ()), intern(value)]
                    elif slots[slot] is None or value < slots[slot]:
                        slots[slot] = value if group == "quote" else intern(value)
                elif predicate == _LABEL and isinstance(obj, ox.Literal):
                    known = labels.get(subject)
                    if known is None or (graph_key(graph), str(obj)) < (known[0], str(known[1])):
                        labels[intern(subject)] = (graph_key(graph), obj)
        self._done = True

    def properties(self) -> Iterator[tuple[str, dict[str, set[Term]]]]:
        """The properties of the ``wanted`` subjects over every graph, in subject order.

        Each subject with its predicate -> objects: IRIs and literals, rdf:type only to a
        literal, the ``skipped`` predicates left out. A subject with none is not given. They are
        given up as they are given: read them once.
        """
        self._check()
        for subject in sorted(self._properties):
            flat = self._properties.pop(subject)
            props: dict[str, set[Term]] = {}
            for i in range(0, len(flat), 2):
                predicate, obj = flat[i], flat[i + 1]
                assert isinstance(predicate, str) and not isinstance(obj, str)
                props.setdefault(predicate, set()).add(obj)
            yield subject, props

    def label(self, iri: str) -> str | None:
        """The first literal ``rdfs:label`` of an IRI in the dataset's canonical order, if any."""
        self._check()
        found = self._labels.get(iri)
        return None if found is None else found[1].value

    def evidence(self) -> dict[str, Evidence]:
        """The support fields of every assertion that has a quote, by assertion IRI.

        A field with several values takes the least; the quote is the one that starts first
        (then by text, then by IRI). The fields are given up: call it once.
        """
        self._check()
        fields = self._fields
        assertions, quotes, articles = (fields[g] for g in ("assertion", "quote", "article"))
        names = {subject: slots[0] for subject, slots in articles.items() if slots[0] is not None}
        origins = article_origins((a for a in self._articles if a in names), self._derived,
                                  names)
        found: dict[str, Evidence] = {}
        for assertion in sorted(self.types.assertions):
            claim, article, eco, disputed, file, quoted = assertions.get(assertion, [None] * 6)
            if None in (claim, article, eco, disputed, file, quoted):
                continue
            aid, title, kind, text = articles.get(article, [None] * 4)
            if None in (aid, title, kind, text):
                continue
            first = []
            for quote in quoted:
                exact, start, end = quotes.get(quote, [None] * 3)
                if exact is not None and start is not None and end is not None:
                    first.append((int(start) if start else 0, exact, quote))
            if not first:
                continue
            found[assertion] = Evidence(
                article=article, article_id=aid, claim=f"{aid}/{claim}",
                disputed=disputed == "true",
                basis="inferred" if eco.endswith("0000305") else "stated", quote=min(first)[1],
                origin=origins.get(article) if eco == _STATED else None,
                said_by=self._said_by(assertion))
        for values in fields.values():
            values.clear()
        return found

    def _said_by(self, assertion: str) -> str | None:
        """Who an assertion's statement is attributed to, as :func:`attribution.said_by` reads it.

        Of several readings (two agents, two roles...), the least.
        """
        said = []
        for agent in self._attributed.get(assertion, ()):
            fields = self._agents.get(agent, {})
            orgs = {label for org in fields.get("org", ()) if (label := self.label(org))}
            affiliations: list[str | None] = [*sorted(orgs or fields.get("text", set()))] \
                or [None]
            roles: list[str | None] = [*sorted(fields.get("role", set()))] or [None]
            said += [speaker(name, role, affiliation) for name in fields.get("name", ())
                     for role in roles for affiliation in affiliations]
        return min(said, default=None)

    def registry_records(self) -> dict[str, list[str]]:
        """The registry records of each trial entity, named as their data terms ask.

        ``"ClinicalTrials.gov NCT00791778, retrieved 2026-09-02"``, by the trial entity's IRI.
        """
        self._check()
        found: dict[str, set[str]] = {}
        for fields in self._record_fields.values():
            if not {"of", "id", "publisher", "retrieved"} <= fields.keys():
                continue
            name = f"{fields['publisher']} {fields['id']}, retrieved {fields['retrieved']}"
            for trial in self._registered.get(fields["of"], ()):
                found.setdefault(trial, set()).add(name)
        return {trial: sorted(names) for trial, names in found.items()}

    def _check(self) -> None:
        if not self._done:
            raise RuntimeError("read Content.asserted() to the end first")

