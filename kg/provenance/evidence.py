"""Evidence analysis across sources: corroboration, single-source facts, disputes, conflicts.

Corroboration counts independent origins, not articles: two news items that summarise one press
release (``derived_from``) are one origin, and a claim that is curator inference is no origin.

Corroboration, agreement and disagreement are read from the analyses the build derived
(``graph:analyses``, :mod:`kg.build.analyses`), so that they have one definition: reports of one
result (same therapy, indication(s), measure, statistic, unit, grade, timepoint, data cut-off and
endpoint) from different articles agree (same value) or disagree (different values). Reports of
the same therapy and measure within one broadest indication that differ in population or
timepoint are *distinct*, never a conflict, and the report says what differs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.core.vocab import EVIDENCE_TYPES, SPARQL_PREFIXES, UNITS
from kg.provenance.attribution import AttributedClaim, attributed_claims
from kg.provenance.registry_evidence import RegistryComparison, compare_registry
from kg.store.store import GraphStore

_PREFIXES = SPARQL_PREFIXES


@dataclass(frozen=True)
class FactSupport:
    """One fact between entities and the articles that assert it."""

    subject: str
    predicate: str
    object: str
    label: str
    articles: tuple[str, ...]
    disputed_in: tuple[str, ...] = ()
    #: the independent origins of the claims that state the fact (an article id, or the DOI or
    #: URL IRI of a source outside the corpus); a claim that is curator inference adds none
    origins: tuple[str, ...] = ()

    @property
    def sources(self) -> int:
        """The number of independent origins stating the fact (not of articles asserting it)."""
        return len(self.origins)


@dataclass(frozen=True)
class OutcomeReport:
    """One article's report of an outcome, with the fields that decide comparability."""

    outcome: str
    article: str
    claim: str
    therapy: str
    indications: tuple[str, ...]
    measure: str
    statistic: str
    value: str | None
    unit: str | None
    grade: str | None
    timepoint: str | None
    population: str
    finding: str
    timepoint_text: str | None = None
    note: str | None = None
    data_cutoff: str | None = None
    #: the trial the outcome is reported for (its label), when the claim names one
    trial: str | None = None
    #: the endpoint the outcome reports (its IRI), when the claim names one
    endpoint: str | None = None

    @property
    def key(self) -> tuple[str | tuple[str, ...] | None, ...]:
        """What must match for two reports to be about the same result."""
        return (self.therapy, self.indications, self.measure, self.statistic, self.unit,
                self.grade, self.timepoint, self.data_cutoff, self.endpoint)


@dataclass(frozen=True)
class OutcomeComparison:
    """Reports of the same result from two or more articles."""

    reports: tuple[OutcomeReport, ...]
    agree: bool


@dataclass(frozen=True)
class DistinctOutcomes:
    """Reports of one therapy and measure in one indication that differ in population or time.

    ``indication`` is the broadest indication (by ``broader``) the reports' populations share: a
    report of SSc-ILD and one of SSc are look-alikes in systemic sclerosis, a report of myositis
    and one of SSc are not look-alikes at all. A report that spans several indications is a
    look-alike in each.
    """

    therapy: str
    measure: str
    differs_in: tuple[str, ...]
    reports: tuple[OutcomeReport, ...]
    indication: str = ""


@dataclass(frozen=True)
class DataCutSuccession:
    """Reports of one result at successive data cut-offs, oldest first.

    The latest is current; the earlier ones are kept as its history.
    """

    therapy: str
    measure: str
    reports: tuple[OutcomeReport, ...]
    trial: str | None = None

    @property
    def current(self) -> OutcomeReport:
        """The report of the latest data cut-off."""
        return self.reports[-1]


@dataclass(frozen=True)
class DisputedClaim:
    """A claim kept in the graph but marked disputed."""

    assertion: str
    article: str
    claim: str
    reason: str
    disputed_by: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceReport:
    """Where the sources agree, disagree or stand alone."""

    facts: tuple[FactSupport, ...]
    disputed: tuple[DisputedClaim, ...]
    agreements: tuple[OutcomeComparison, ...]
    conflicts: tuple[OutcomeComparison, ...]
    distinct: tuple[DistinctOutcomes, ...] = field(default_factory=tuple)
    successions: tuple[DataCutSuccession, ...] = field(default_factory=tuple)
    attributed: tuple[AttributedClaim, ...] = field(default_factory=tuple)
    #: registry records beside the articles (:mod:`kg.provenance.registry_evidence`)
    registry: tuple[RegistryComparison, ...] = field(default_factory=tuple)

    @property
    def single_source(self) -> tuple[FactSupport, ...]:
        """Facts that one independent origin states."""
        return tuple(f for f in self.facts if f.sources == 1)

    @property
    def corroborated(self) -> tuple[FactSupport, ...]:
        """Facts that two or more independent origins state."""
        return tuple(f for f in self.facts if f.sources >= 2)

    @property
    def inferred_only(self) -> tuple[FactSupport, ...]:
        """Facts that rest on curator inference alone: no source states them."""
        return tuple(f for f in self.facts if f.sources == 0)


#: Each fact with the claims that assert it and their articles' origins, as the build derived
#: them into graph:analyses (kg.build.analyses): one definition of a fact and of an origin.
_FACTS = _PREFIXES + """
SELECT ?s ?p ?o ?sl ?pl ?ol ?aid ?disputed ?et ?origin WHERE {
  GRAPH graph:analyses {
    ?fact a cart:FactSupport ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
          prov:wasDerivedFrom ?a .
  }
  ?a cart:fromArticle ?art ; cart:isDisputed ?disputed ; cart:evidenceType ?et .
  ?art dcterms:identifier ?aid .
  GRAPH graph:analyses { ?art cart:origin ?origin }
  GRAPH graph:registry { ?s rdfs:label ?sl }
  OPTIONAL { GRAPH graph:registry { ?o rdfs:label ?ol0 } }
  BIND(COALESCE(?ol0, STR(?o)) AS ?ol)
  BIND(REPLACE(STR(?p), "^.*[#/]", "") AS ?pl)
}
"""

#: The comparisons of one result across articles, as the build derived them.
_COMPARISONS = _PREFIXES + """
SELECT ?c ?agree ?o WHERE {
  GRAPH graph:analyses { ?c cart:sourcesAgree ?agree ; cart:comparesReport ?o }
}
"""

_OUTCOMES = _PREFIXES + """
SELECT ?o ?aid ?claim ?therapy ?measure ?statistic ?value ?unit ?grade ?months ?qualifier
       ?ttext ?population ?finding (GROUP_CONCAT(DISTINCT ?ind; separator="|") AS ?indications)
       ?note ?cutoff ?trial ?endpoint
WHERE {
  ?a a cart:Assertion ; cart:claimId ?claim ; cart:fromArticle/dcterms:identifier ?aid .
  GRAPH ?a {
    ?o a cart:Outcome ; cart:forTherapy ?t ; cart:hasMeasure ?m ;
       cart:hasStatistic ?st ; cart:populationDescription ?population ; cart:finding ?finding ;
       cart:forIndication ?i .
    OPTIONAL { ?o cart:value ?value }
    OPTIONAL { ?o cart:hasUnit ?u }
    OPTIONAL { ?o cart:grade ?grade }
    OPTIONAL { ?o cart:timepointMonths ?months }
    OPTIONAL { ?o cart:timepointQualifier ?qualifier }
    OPTIONAL { ?o cart:timepointText ?ttext }
    OPTIONAL { ?o cart:dataCutoff ?cutoff }
    OPTIONAL { ?o cart:reportsEndpoint ?endpoint }
  }
  OPTIONAL { GRAPH ?a { ?o cart:inTrial ?tr } ?tr rdfs:label ?trial }
  OPTIONAL { ?a rdfs:comment ?note }
  ?m rdfs:label ?measure .
  ?t rdfs:label ?therapy .
  ?i rdfs:label ?ind .
  BIND(REPLACE(STR(?st), "^.*#", "") AS ?statistic)
  BIND(STR(?u) AS ?unit)
}
GROUP BY ?o ?aid ?claim ?therapy ?measure ?statistic ?value ?unit ?grade ?months ?qualifier
         ?ttext ?population ?finding ?note ?cutoff ?trial ?endpoint
"""

_DISPUTED = _PREFIXES + """
SELECT ?a ?aid ?claim ?reason (GROUP_CONCAT(DISTINCT STR(?by); separator=" ") AS ?bys) WHERE {
  ?a a cart:Assertion ; cart:isDisputed true ; cart:claimId ?claim ; cart:disputeReason ?reason ;
     cart:fromArticle/dcterms:identifier ?aid .
  OPTIONAL { ?a cart:disputedBy ?by }
}
GROUP BY ?a ?aid ?claim ?reason
"""


_UNIT_NAMES = {str(iri): name for name, iri in UNITS.items()}


def _v(term: object) -> str | None:
    return None if term is None else str(getattr(term, "value", term))


def fact_support(store: GraphStore) -> tuple[FactSupport, ...]:
    """Every fact between registry entities, with the articles asserting it.

    Its independent origins are those of the articles whose claims state it; a claim that is
    curator inference (basis inferred) is listed with its article but adds no origin.
    """
    articles: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    disputed: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    origins: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    labels: dict[tuple[str, str, str], str] = {}
    _, rows = store.select(_FACTS)
    for s, p, o, sl, pl, ol, aid, is_disputed, et, origin in rows:
        key = (_v(s) or "", _v(p) or "", _v(o) or "")
        labels[key] = f"{_v(sl)} {_v(pl)} {_v(ol)}"
        articles[key].add(_v(aid) or "")
        if _v(et) == str(EVIDENCE_TYPES["stated"]):
            origins[key].add(_v(origin) or "")
        if _v(is_disputed) == "true":
            disputed[key].add(_v(aid) or "")
    return tuple(
        FactSupport(*key, label=labels[key], articles=tuple(sorted(articles[key])),
                    disputed_in=tuple(sorted(disputed[key])),
                    origins=tuple(sorted(origins[key])))
        for key in sorted(articles, key=lambda k: labels[k])
    )


def outcome_reports(store: GraphStore) -> tuple[OutcomeReport, ...]:
    """Every outcome report, one per claim."""
    _, rows = store.select(_OUTCOMES)
    reports = []
    for (o, aid, claim, therapy, measure, statistic, value, unit, grade, months, qualifier,
         ttext, population, finding, indications, note, cutoff, trial, endpoint) in rows:
        # Only a normalised timepoint (months) makes two reports comparable; a text alone
        # ("not stated in the article") says nothing about when.
        timepoint = None
        if months is not None:
            timepoint = f"{_v(qualifier) or 'at'} {_v(months)} months"
        reports.append(OutcomeReport(
            outcome=_v(o) or "", article=_v(aid) or "", claim=_v(claim) or "",
            therapy=_v(therapy) or "",
            indications=tuple(sorted((_v(indications) or "").split("|"))),
            measure=_v(measure) or "", statistic=_v(statistic) or "", value=_v(value),
            unit=_UNIT_NAMES.get(_v(unit) or ""), grade=_v(grade), timepoint=timepoint,
            population=_v(population) or "", finding=_v(finding) or "",
            timepoint_text=_v(ttext), note=_v(note), data_cutoff=_v(cutoff), trial=_v(trial),
            endpoint=_v(endpoint)))
    return tuple(sorted(reports, key=lambda r: (r.therapy, r.measure, r.article, r.claim)))


_ROOTS = _PREFIXES + """
SELECT DISTINCT ?label ?root WHERE {
  GRAPH graph:registry { ?i a cart:Indication ; rdfs:label ?label ; skos:broader* ?r .
                         ?r rdfs:label ?root FILTER NOT EXISTS { ?r skos:broader ?up } }
}
"""


def indication_roots(store: GraphStore) -> dict[str, tuple[str, ...]]:
    """The broadest indications (by ``broader``) of each indication, by label."""
    roots: dict[str, set[str]] = defaultdict(set)
    for label, root in store.select(_ROOTS)[1]:
        roots[_v(label) or ""].add(_v(root) or "")
    return {label: tuple(sorted(found)) for label, found in roots.items()}


def compare_outcomes(store: GraphStore, reports: tuple[OutcomeReport, ...]) -> tuple[
        tuple[OutcomeComparison, ...], tuple[OutcomeComparison, ...]]:
    """The agreements and the conflicts: the build's comparisons (graph:analyses) of ``reports``.

    A comparison holds the reports, from two or more articles, of one result with a value (same
    therapy, indications, measure, statistic, unit, grade, timepoint, data cut-off and endpoint);
    the sources agree when they give one value.
    """
    by_iri = {r.outcome: r for r in reports}
    groups: dict[str, list[OutcomeReport]] = defaultdict(list)
    agree: dict[str, bool] = {}
    for c, agreed, o in store.select(_COMPARISONS)[1]:
        if _v(o) in by_iri:
            groups[_v(c) or ""].append(by_iri[_v(o) or ""])
            agree[_v(c) or ""] = _v(agreed) == "true"
    comparisons = [OutcomeComparison(tuple(sorted(group, key=lambda r: (r.article, r.claim))),
                                     agree=agree[c]) for c, group in groups.items()]
    comparisons.sort(key=lambda c: (c.reports[0].therapy, c.reports[0].measure,
                                    c.reports[0].article, c.reports[0].claim))
    return (tuple(c for c in comparisons if c.agree),
            tuple(c for c in comparisons if not c.agree))


def look_alikes(reports: tuple[OutcomeReport, ...],
                roots: dict[str, tuple[str, ...]] | None = None) -> tuple[DistinctOutcomes, ...]:
    """Reports of one therapy and measure, by broadest indication, that are not one result.

    Grouped by therapy, measure and broadest indication (``roots``: each indication's broadest
    ones, by label; an indication missing from it is its own); a group is listed when its
    reports are not all the same result, with what differs between them (population, timepoint,
    data cut-off, statistic). The library's look-alike query keeps, of these, the groups that
    two or more articles report for two or more populations.
    """
    by_measure: dict[tuple[str, str, str], list[OutcomeReport]] = defaultdict(list)
    for report in reports:
        families = {root for i in report.indications for root in (roots or {}).get(i, (i,))}
        for family in families:
            by_measure[(report.therapy, report.measure, family)].append(report)
    distinct = []
    for (therapy, measure, family), group in sorted(by_measure.items()):
        if len({r.key for r in group}) < 2:
            continue
        differs = []
        if len({r.indications for r in group}) > 1:
            differs.append("population")
        if len({r.timepoint for r in group}) > 1:
            differs.append("timepoint")
        if len({r.data_cutoff for r in group}) > 1:
            differs.append("data cut-off")
        if len({(r.statistic, r.unit, r.grade) for r in group}) > 1:
            differs.append("statistic")
        distinct.append(DistinctOutcomes(therapy, measure, tuple(differs), tuple(group),
                                          indication=family))
    return tuple(distinct)


def data_cut_successions(reports: tuple[OutcomeReport, ...]) -> tuple[DataCutSuccession, ...]:
    """Results reported at two or more data cut-offs, each ordered by its cut-off.

    The same result: same trial (or none named), therapy, indications, measure, statistic, unit,
    grade and endpoint; the timepoint may move on from one cut to the next.
    """
    groups: dict[tuple[object, ...], list[OutcomeReport]] = defaultdict(list)
    for report in reports:
        if report.data_cutoff is not None:
            groups[(report.trial, *report.key[:6], report.endpoint)].append(report)
    successions = []
    for group in groups.values():
        if len({r.data_cutoff for r in group}) > 1:
            ordered = sorted(group, key=lambda r: (r.data_cutoff or "", r.article, r.claim))
            successions.append(DataCutSuccession(group[0].therapy, group[0].measure,
                                                 tuple(ordered), trial=group[0].trial))
    return tuple(sorted(successions, key=lambda d: (d.therapy, d.measure, d.current.claim)))


def disputed_claims(store: GraphStore) -> tuple[DisputedClaim, ...]:
    """Every disputed claim with its reason and what disputes it."""
    _, rows = store.select(_DISPUTED)
    claims = [DisputedClaim(assertion=_v(a) or "", article=_v(aid) or "", claim=_v(c) or "",
                            reason=_v(reason) or "",
                            disputed_by=tuple(sorted((_v(bys) or "").split())))
              for a, aid, c, reason, bys in rows]
    return tuple(sorted(claims, key=lambda d: (d.article, d.claim)))


def analyze_evidence(store: GraphStore) -> EvidenceReport:
    """Corroboration, single-source facts, disputes, outcome conflicts and registry records."""
    reports = outcome_reports(store)
    agreements, conflicts = compare_outcomes(store, reports)
    distinct = look_alikes(reports, indication_roots(store))
    return EvidenceReport(facts=fact_support(store), disputed=disputed_claims(store),
                          agreements=agreements, conflicts=conflicts, distinct=distinct,
                          successions=data_cut_successions(reports),
                          attributed=attributed_claims(store),
                          registry=compare_registry(store))
