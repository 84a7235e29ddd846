"""Records -> RDF quads: the only place that mints IRIs and adds triples.

Output is a sorted tuple of quads with no blank nodes, so the same sources always give the same
bytes. The registry, each article's provenance and each claim's assertion are separate named graphs
(see docs/data-model.md).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator

import pyoxigraph as ox
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from kg.core import vocab
from kg.core.curie import expand
from kg.core.model import (
    Article,
    Claim,
    Corpus,
    Entity,
    Outcome,
    Plan,
    Quote,
)
from kg.core.record_model import NCT_ID_RE
from kg.core.vocab import CART, GRAPH, OA, SCHEMA
from kg.rdf.given import emit_cohort, emit_endpoint, emit_regimen, emit_study
from kg.rdf.lineage import emit_sources
from kg.rdf.terms import XSD_DATE as _XSD_DATE
from kg.rdf.terms import Ent as _Ent
from kg.rdf.terms import Graph as _Graph
from kg.rdf.terms import boolean, decimal, integer, mint
from kg.rdf.terms import emit_time as _time
from kg.rdf.terms import named as _n

Quads = tuple[ox.Quad, ...]

REGISTRY_GRAPH = GRAPH["registry"]
#: The evidence analyses derived at build from all the claims (kg.build.analyses)
ANALYSES_GRAPH = GRAPH["analyses"]


def term_value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | ox.DefaultGraph) -> str:
    """The lexical value of a term (an IRI without brackets, a literal's text)."""
    if isinstance(term, (ox.NamedNode, ox.BlankNode, ox.Literal)):
        return term.value
    return str(term)


def entity_iri(entity: Entity) -> ox.NamedNode:
    """The IRI of a registry entity."""
    return mint(vocab.ENTITY_KINDS[entity.kind].segment, entity.key)


def article_iri(article_id: str) -> ox.NamedNode:
    """The IRI of a source article."""
    return mint("article", article_id)


def assertion_iri(article_id: str, claim_id: str) -> ox.NamedNode:
    """The IRI of a claim's assertion, which is also the name of its graph."""
    return mint("assertion", article_id, claim_id)


def quote_iri(quote: Quote) -> ox.NamedNode:
    """The IRI of a quote, from its article and offsets."""
    return mint("quote", quote.article_id, f"{quote.start}-{quote.end}")


def provenance_graph(article_id: str) -> ox.NamedNode:
    """The name of the graph holding an article's provenance."""
    return _n(GRAPH[f"provenance/{article_id}"])


def expand_curie(curie: str) -> ox.NamedNode:
    """Expand a CURIE with a known prefix (checked when the sources were read) to its IRI."""
    iri = expand(curie)
    if iri is None:
        raise ValueError(f"{curie!r} is not a CURIE with a known prefix")
    return ox.NamedNode(iri)


def sort_quads(quads: Iterable[ox.Quad]) -> Quads:
    """Sort and deduplicate quads into the canonical order used by every output.

    By graph (the default graph first, then named graphs by IRI), subject, predicate and object,
    each compared as N-Triples text.
    """
    unique = set(quads)
    return tuple(sorted(unique, key=lambda q: (graph_key(q.graph_name), str(q.subject),
                                               str(q.predicate), str(q.object))))


def sort_triples(triples: Iterable[ox.Triple]) -> tuple[ox.Triple, ...]:
    """Sort and deduplicate triples by subject, predicate and object, as N-Triples text."""
    return tuple(sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate),
                                                     str(t.object))))


def graph_key(graph: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> str:
    """A graph's place in the canonical order: the default graph first, then by IRI."""
    return "" if isinstance(graph, ox.DefaultGraph) else str(graph)


# --- registry -------------------------------------------------------------------------------


def emit_registry(entities: dict[str, Entity]) -> Quads:
    """The registry graph: each entity's classes, names, definition and identifiers."""
    g = _Graph(_n(REGISTRY_GRAPH))
    for entity in entities.values():
        node = entity_iri(entity)
        g.add(node, RDF.type, vocab.ENTITY_KINDS[entity.kind].cls)
        if entity.kind == "sponsors":
            g.add(node, RDF.type, CART.Organization)
        if entity.kind == "measures":
            g.add(node, RDF.type, SKOS.Concept)
            g.add(node, CART.defaultCategory, entity.default_category)
        g.add(node, RDFS.label, entity.label)
        g.add(node, SKOS.prefLabel, entity.label)
        for synonym in entity.synonyms:
            g.add(node, SKOS.altLabel, synonym)
        g.add(node, SKOS.definition, entity.definition)
        for curie in entity.exact_match:
            g.add(node, SKOS.exactMatch, expand_curie(curie))
        for curie in entity.unverified_match:
            g.add(node, CART.unverifiedMatch, expand_curie(curie))
        for curie in entity.close_match:
            g.add(node, SKOS.closeMatch, expand_curie(curie))
        for curie in entity.broad_match:
            g.add(node, SKOS.broadMatch, expand_curie(curie))
        for key in entity.broader:
            g.add(node, SKOS.broader, entity_iri(entities[key]))
        g.add(node, SKOS.editorialNote, entity.note)
        g.add(node, CART.curationFile, entity.file)
    return sort_quads(g.quads)


# --- articles and their claims --------------------------------------------------------------


def emit_article(article: Article, claims: Iterable[Claim], entities: dict[str, Entity],
                 article_ids: Collection[str]) -> Quads:
    """Everything one article contributes: its provenance graph and one graph per claim.

    ``entities`` is the registry and ``article_ids`` every article of the sources, which claims
    may name as what disputes them.
    """
    prov = _Graph(provenance_graph(article.id))
    node = article_iri(article.id)
    prov.add(node, RDF.type, CART.Article)
    prov.add(node, RDFS.label, article.title)
    prov.add(node, DCTERMS.title, article.title)
    prov.add(node, DCTERMS.identifier, article.id)
    if article.date is not None:
        prov.add(node, DCTERMS.date, ox.Literal(article.date.isoformat(), datatype=_XSD_DATE))
    prov.add(node, DCTERMS.publisher, article.publisher)
    if article.url:
        prov.add(node, SCHEMA.url, ox.NamedNode(article.url))
    prov.add(node, CART.articleKind, article.kind)
    prov.add(node, CART.sha256, article.sha256)
    prov.add(node, CART.text, article.text)
    prov.add(node, CART.curationFile, f"{article.folder}/article.yaml")
    quads = list(prov.quads)
    claims = tuple(claims)
    for claim in claims:
        quads.extend(_emit_provenance(claim, prov.name, entities, article_ids))
        quads.extend(_emit_assertion(claim, entities))
    quads.extend(emit_sources(article, claims, entities, prov.name))
    return sort_quads(quads)


def _emit_provenance(claim: Claim, graph: ox.NamedNode, entities: dict[str, Entity],
                     article_ids: Collection[str]) -> Iterator[ox.Quad]:
    g = _Graph(graph)
    node = assertion_iri(claim.article_id, claim.id)
    article = article_iri(claim.article_id)
    g.add(node, RDF.type, CART.Assertion)
    g.add(node, CART.fromArticle, article)
    g.add(node, PROV.wasDerivedFrom, article)
    g.add(node, CART.evidenceType, vocab.EVIDENCE_TYPES[claim.basis])
    g.add(node, CART.rationale, claim.rationale)
    g.add(node, CART.isDisputed, boolean(claim.dispute is not None))
    if claim.dispute is not None:
        g.add(node, CART.disputeReason, claim.dispute.reason)
        for ref in claim.dispute.by:
            g.add(node, CART.disputedBy, resolve_reference(ref, entities, article_ids))
    g.add(node, CART.claimId, claim.id)
    g.add(node, CART.curationFile, claim.file)
    g.add(node, RDFS.comment, claim.note)
    for quote in claim.quotes:
        q = quote_iri(quote)
        g.add(node, CART.hasQuote, q)
        g.add(q, RDF.type, CART.Quote)
        g.add(q, OA.hasSource, article)
        g.add(q, OA.exact, quote.exact)
        g.add(q, OA.prefix, quote.prefix or None)
        g.add(q, OA.suffix, quote.suffix or None)
        g.add(q, OA.start, integer(quote.start))
        g.add(q, OA.end, integer(quote.end))
    yield from g.quads


def resolve_reference(ref: str, entities: dict[str, Entity],
                      article_ids: Collection[str]) -> ox.NamedNode:
    """Resolve what disputes a claim: an entity key, an article id, a record's NCT id, a CURIE."""
    if ref in entities:
        return entity_iri(entities[ref])
    if ref in article_ids:
        return article_iri(ref)
    return mint("registry-record", ref) if NCT_ID_RE.match(ref) else expand_curie(ref)


def _emit_assertion(claim: Claim, e: dict[str, Entity]) -> Iterator[ox.Quad]:
    g = _Graph(assertion_iri(claim.article_id, claim.id))

    def ent(key: str | None) -> ox.NamedNode | None:
        return entity_iri(e[key]) if key else None

    for fact in claim.facts:
        predicate = vocab.PREDICATES[fact.predicate]
        obj = ent(fact.object) if predicate.object else ox.Literal(fact.object)
        g.add(entity_iri(e[fact.subject]), predicate.term, obj)
    if claim.outcome is not None:
        _outcome(g, mint("outcome", claim.article_id, claim.id), claim.outcome, ent)
    if claim.cohort is not None:
        emit_cohort(g, mint("cohort", claim.article_id, claim.id), claim.cohort, ent)
    if claim.plan is not None:
        _plan(g, mint("plan", claim.article_id, claim.id), claim.plan, ent)
    if claim.regimen is not None:
        emit_regimen(g, mint("regimen", claim.article_id, claim.id), claim.regimen, ent)
    if claim.study is not None:
        emit_study(g, claim.study, ent)
    yield from g.quads


def _outcome(g: _Graph, node: ox.NamedNode, o: Outcome, ent: _Ent) -> None:
    g.add(node, RDF.type, CART.Outcome)
    g.add(node, RDF.type, vocab.OUTCOME_CATEGORIES[o.category])
    g.add(node, RDFS.label, o.finding)
    g.add(node, CART.finding, o.finding)
    g.add(node, CART.forTherapy, ent(o.therapy))
    g.add(node, CART.inTrial, ent(o.trial))
    for key in o.indications:
        g.add(node, CART.forIndication, ent(key))
    g.add(node, CART.hasMeasure, ent(o.measure))
    g.add(node, CART.hasStatistic, vocab.STATISTICS[o.statistic])
    if o.value is not None:
        g.add(node, CART.value, decimal(o.value))
    if o.unit is not None:
        g.add(node, CART.hasUnit, vocab.UNITS[o.unit])
    for prop, count in ((CART.numerator, o.numerator), (CART.denominator, o.denominator),
                        (CART.grade, o.grade), (CART.gradeMin, o.grade_min),
                        (CART.gradeMax, o.grade_max), (CART.populationSize, o.population_size)):
        if count is not None:
            g.add(node, prop, integer(count))
    g.add(node, CART.direction, o.direction)
    g.add(node, CART.gradeText, o.grade_text)
    if o.reversible is not None:
        g.add(node, CART.reversible, boolean(o.reversible))
    g.add(node, CART.populationDescription, o.population)
    for role in vocab.TIME_ROLES:
        time = getattr(o, role.field)
        if time is not None:
            _time(g, node, role, time)
            if time.arithmetic() is not None:
                g.add(node, CART.derivation, f"{role.field} months: {time.arithmetic()}")
    for key in o.without:
        g.add(node, CART.achievedWithout, ent(key))
    if o.endpoint is not None and o.trial is not None:
        g.add(node, CART.reportsEndpoint, emit_endpoint(g, o.trial, o.endpoint, ent))
    _statistics(g, node, o)


def _statistics(g: _Graph, node: ox.NamedNode, o: Outcome) -> None:
    """What the source gives beside the value, and the arithmetic of each derived field."""
    st = o.stats
    numbers = ((CART.baselineValue, st.baseline), (CART.finalValue, st.final),
               (CART.standardDeviation, st.sd), (CART.ciLevel, st.ci_level),
               (CART.pValue, st.p_value))
    for prop, number in numbers:
        if number is not None:
            g.add(node, prop, decimal(number))
    for low, high, bounds in ((CART.rangeMin, CART.rangeMax, st.range),
                              (CART.iqrLow, CART.iqrHigh, st.iqr),
                              (CART.ciLow, CART.ciHigh, st.ci)):
        if bounds is not None:
            g.add(node, low, decimal(bounds.low))
            g.add(node, high, decimal(bounds.high))
    g.add(node, CART.pValueRelation, st.p_relation)
    if st.significant is not None:
        g.add(node, CART.statedSignificant, boolean(st.significant))
    for d in o.derived:
        g.add(node, CART.derivation, f"{d.field}: {d.arithmetic}")
    if o.data_cutoff is not None:
        g.add(node, CART.dataCutoff, ox.Literal(o.data_cutoff.isoformat(), datatype=_XSD_DATE))


def _plan(g: _Graph, node: ox.NamedNode, p: Plan, ent: _Ent) -> None:
    g.add(node, RDF.type, CART.PlannedStep)
    g.add(node, RDFS.label, p.finding)
    g.add(node, CART.finding, p.finding)
    g.add(node, CART.planKind, vocab.PLAN_KINDS[p.kind])
    g.add(node, CART.forTherapy, ent(p.therapy))
    g.add(node, CART.inTrial, ent(p.trial))
    for key in p.indications:
        g.add(node, CART.forIndication, ent(key))
    g.add(node, CART.plannedBy, ent(p.by))
    g.add(node, CART.timeframe, p.timeframe)


# --- the whole dataset ----------------------------------------------------------------------


def emit_dataset(corpus: Corpus, exclude: frozenset[str] = frozenset()) -> Quads:
    """The whole dataset: the registry and its records, then every article not in ``exclude``."""
    from kg.rdf.registry_record import emit_records  # it builds on this module

    by_article: dict[str, list[Claim]] = {a: [] for a in corpus.articles}
    for claim in corpus.claims:
        by_article[claim.article_id].append(claim)
    quads = [*emit_registry(corpus.entities), *emit_records(corpus.records, corpus.entities)]
    for article_id, article in corpus.articles.items():
        if article_id not in exclude:
            quads.extend(emit_article(article, by_article[article_id], corpus.entities,
                                      corpus.articles))
    return sort_quads(quads)
