"""The project's namespaces and the closed vocabulary that curation files may use.

Every term here is declared, with a label and a definition, in ``ontology/cart.ttl``; a test checks
that the two agree. ``CART`` fails loudly on a typo instead of minting a new predicate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Namespace, URIRef

from kg.core.vocab_trials import CART_NAMESPACE, GivenTerms

BASE = "https://w3id.org/cart-kg/"
RESOURCE = Namespace(BASE + "resource/")
GRAPH = Namespace(BASE + "graph/")


class CART(GivenTerms):
    """The cart-kg ontology namespace (it inherits the terms of what was given and of trials)."""

    _NS = Namespace(CART_NAMESPACE)
    _fail = True

    # Domain classes
    Therapy: URIRef
    Trial: URIRef
    Indication: URIRef
    Outcome: URIRef
    Sponsor: URIRef
    Organization: URIRef
    Antigen: URIRef
    TrialPhase: URIRef
    ScientificMeeting: URIRef
    Cohort: URIRef
    PlannedStep: URIRef
    PlanKind: URIRef
    DrugClass: URIRef
    OutcomeMeasure: URIRef
    Statistic: URIRef
    Unit: URIRef
    EfficacyOutcome: URIRef
    SafetyOutcome: URIRef
    PharmacodynamicOutcome: URIRef
    # Provenance classes
    Article: URIRef
    Assertion: URIRef
    Quote: URIRef
    # Relations between entities (the predicates a claim may assert)
    evaluatesTherapy: URIRef
    studiesIndication: URIRef
    sponsoredBy: URIRef
    hasPhase: URIRef
    developedBy: URIRef
    targetsAntigen: URIRef
    sharesCarConstructWith: URIRef
    investigatesIndication: URIRef
    approvedFor: URIRef
    resultsPresentedAt: URIRef
    investigatorAffiliation: URIRef
    leadInvestigator: URIRef
    manufacturingPlatform: URIRef
    # Outcome, cohort and plan properties
    inTrial: URIRef
    forTherapy: URIRef
    forIndication: URIRef
    hasMeasure: URIRef
    hasStatistic: URIRef
    hasUnit: URIRef
    value: URIRef
    numerator: URIRef
    denominator: URIRef
    direction: URIRef
    grade: URIRef
    gradeText: URIRef
    gradeMin: URIRef
    gradeMax: URIRef
    reversible: URIRef
    finding: URIRef
    populationDescription: URIRef
    populationSize: URIRef
    timepointText: URIRef
    timepointMonths: URIRef
    timepointQualifier: URIRef
    timepointValue: URIRef
    timepointUnit: URIRef
    timepointFrom: URIRef
    followUpText: URIRef
    followUpValue: URIRef
    followUpUnit: URIRef
    followUpQualifier: URIRef
    followUpFrom: URIRef
    followUpMonths: URIRef
    followUpStatistic: URIRef
    followUpMin: URIRef
    followUpMax: URIRef
    onsetText: URIRef
    onsetValue: URIRef
    onsetUnit: URIRef
    onsetQualifier: URIRef
    onsetFrom: URIRef
    onsetMonths: URIRef
    onsetStatistic: URIRef
    onsetMin: URIRef
    onsetMax: URIRef
    resolutionText: URIRef
    resolutionValue: URIRef
    resolutionUnit: URIRef
    resolutionQualifier: URIRef
    resolutionFrom: URIRef
    resolutionMonths: URIRef
    resolutionStatistic: URIRef
    resolutionMin: URIRef
    resolutionMax: URIRef
    derivedQuantity: URIRef
    baselineValue: URIRef
    finalValue: URIRef
    rangeMin: URIRef
    rangeMax: URIRef
    iqrLow: URIRef
    iqrHigh: URIRef
    standardDeviation: URIRef
    ciLow: URIRef
    ciHigh: URIRef
    ciLevel: URIRef
    pValue: URIRef
    pValueRelation: URIRef
    statedSignificant: URIRef
    derivation: URIRef
    dataCutoff: URIRef
    achievedWithout: URIRef
    cohortSize: URIRef
    planKind: URIRef
    plannedBy: URIRef
    timeframe: URIRef
    # Registry properties
    unverifiedMatch: URIRef
    defaultCategory: URIRef
    # Provenance properties
    fromArticle: URIRef
    hasQuote: URIRef
    evidenceType: URIRef
    isDisputed: URIRef
    disputeReason: URIRef
    disputedBy: URIRef
    rationale: URIRef
    claimId: URIRef
    curationFile: URIRef
    # Publishing (the server's records of what a publish sent)
    publishedShard: URIRef
    articleKind: URIRef
    sha256: URIRef
    text: URIRef
    # Controlled values (SKOS concepts declared in the ontology)
    Proportion: URIRef
    Count: URIRef
    MedianChange: URIRef
    MeanChange: URIRef
    Median: URIRef
    QualitativeFinding: URIRef
    ScorePoint: URIRef
    Mean: URIRef
    HazardRatio: URIRef
    OddsRatio: URIRef
    DoseEscalationCohort: URIRef
    RegistrationalTrial: URIRef
    PivotalStudyDesign: URIRef
    RegulatoryAlignment: URIRef
    Recruitment: URIRef
    # Sources, their lineage and who said it (kg.rdf.lineage)
    journalTitle: URIRef
    congressName: URIRef
    abstractNumber: URIRef
    affiliationText: URIRef


OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
ECO = Namespace("http://purl.obolibrary.org/obo/ECO_")
QUDT_UNIT = Namespace("http://qudt.org/vocab/unit/")
BIBO = Namespace("http://purl.org/ontology/bibo/")

#: Evidence and Conclusion Ontology terms for how a claim is supported.
EVIDENCE_TYPES: dict[str, URIRef] = {
    "stated": ECO["0000302"],  # author statement used in manual assertion
    "inferred": ECO["0000305"],  # curator inference used in manual assertion
}

#: Prefixes used in every serialisation and in CURIEs shown to users.
PREFIXES: dict[str, str] = {
    "cart": str(CART._NS),
    "res": str(RESOURCE),
    "graph": str(GRAPH),
    "oa": str(OA),
    "schema": str(SCHEMA),
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "sh": "http://www.w3.org/ns/shacl#",
    "eco": str(ECO),
    "unit": str(QUDT_UNIT),
    "bibo": str(BIBO),
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "HGNC": "https://identifiers.org/hgnc:",
    "NCT": "https://clinicaltrials.gov/study/",
    "ROR": "https://ror.org/",
    "WIKIDATA": "http://www.wikidata.org/entity/",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "UNIPROT": "https://identifiers.org/uniprot:",
    "ATC": "https://identifiers.org/atc:",
}

#: The prefixes as a SPARQL prologue, for queries written in the code.
SPARQL_PREFIXES = "\n".join(f"PREFIX {k}: <{v}>" for k, v in PREFIXES.items()) + "\n"

#: CURIE prefixes a registry entry may use for external identifiers.
EXTERNAL_PREFIXES = (
    "MONDO", "NCIT", "DOID", "HGNC", "NCT", "ROR", "WIKIDATA", "MESH", "UNIPROT", "ATC",
)


@dataclass(frozen=True)
class EntityKind:
    """A kind of registry entity: its file in ``sources/registry/`` and its class."""

    name: str
    cls: URIRef
    segment: str


#: Registry kinds, keyed by the file name (without ``.yaml``) in ``sources/registry/``.
ENTITY_KINDS: dict[str, EntityKind] = {
    k.name: k
    for k in (
        EntityKind("therapies", CART.Therapy, "therapy"),
        EntityKind("trials", CART.Trial, "trial"),
        EntityKind("indications", CART.Indication, "indication"),
        EntityKind("sponsors", CART.Sponsor, "sponsor"),
        EntityKind("organizations", CART.Organization, "organization"),
        EntityKind("antigens", CART.Antigen, "antigen"),
        EntityKind("phases", CART.TrialPhase, "phase"),
        EntityKind("meetings", CART.ScientificMeeting, "meeting"),
        EntityKind("measures", CART.OutcomeMeasure, "measure"),
        EntityKind("drug-classes", CART.DrugClass, "drug-class"),
        EntityKind("drugs", CART.Drug, "drug"),
    )
}


@dataclass(frozen=True)
class Predicate:
    """A relation a ``facts`` entry may assert: what its subject and object must be."""

    term: URIRef
    subject: tuple[str, ...]
    #: registry kinds for an entity object, or ``()`` when the object is a literal
    object: tuple[str, ...]
    datatype: str = "string"


_ORGS = ("sponsors", "organizations")

#: The predicates a claim's ``facts`` may use, by the name a curator writes.
PREDICATES: dict[str, Predicate] = {
    "evaluatesTherapy": Predicate(CART.evaluatesTherapy, ("trials",), ("therapies",)),
    "studiesIndication": Predicate(CART.studiesIndication, ("trials",), ("indications",)),
    "sponsoredBy": Predicate(CART.sponsoredBy, ("trials",), _ORGS),
    "hasPhase": Predicate(CART.hasPhase, ("trials",), ("phases",)),
    "developedBy": Predicate(CART.developedBy, ("therapies",), _ORGS),
    "targetsAntigen": Predicate(CART.targetsAntigen, ("therapies",), ("antigens",)),
    "sharesCarConstructWith": Predicate(
        CART.sharesCarConstructWith, ("therapies",), ("therapies",)
    ),
    "investigatesIndication": Predicate(
        CART.investigatesIndication, ("therapies", *_ORGS), ("indications",)
    ),
    "approvedFor": Predicate(CART.approvedFor, ("therapies",), ("indications",)),
    "resultsPresentedAt": Predicate(CART.resultsPresentedAt, ("trials",), ("meetings",)),
    "investigatorAffiliation": Predicate(
        CART.investigatorAffiliation, ("trials",), ("organizations",)
    ),
    "leadInvestigator": Predicate(CART.leadInvestigator, ("trials",), ()),
    "manufacturingPlatform": Predicate(CART.manufacturingPlatform, ("therapies",), ()),
}

#: Outcome categories and the class each adds to its outcome node.
OUTCOME_CATEGORIES: dict[str, URIRef] = {
    "efficacy": CART.EfficacyOutcome,
    "safety": CART.SafetyOutcome,
    "pharmacodynamic": CART.PharmacodynamicOutcome,
}

#: Statistics an outcome may report (SKOS concepts in the ontology).
STATISTICS: dict[str, URIRef] = {
    "proportion": CART.Proportion,
    "count": CART.Count,
    "median-change": CART.MedianChange,
    "mean-change": CART.MeanChange,
    "median": CART.Median,
    "mean": CART.Mean,
    "hazard-ratio": CART.HazardRatio,
    "odds-ratio": CART.OddsRatio,
    "qualitative": CART.QualitativeFinding,
}

#: Units an outcome value may carry (QUDT where QUDT has one).
UNITS: dict[str, URIRef] = {
    "percent": QUDT_UNIT.PERCENT,
    "patients": QUDT_UNIT.NUM,
    "points": CART.ScorePoint,
    "ratio": QUDT_UNIT.UNITLESS,
}

DIRECTIONS = ("increase", "decrease", "no-change")
P_RELATIONS = ("=", "<", "<=", ">")
TIMEPOINT_QUALIFIERS = ("at", "by", "within", "after", "up-to", "at-least")

#: Units of time as sources write them (QUDT units).
TIME_UNITS: dict[str, URIRef] = {
    "day": QUDT_UNIT.DAY,
    "week": QUDT_UNIT.WK,
    "month": QUDT_UNIT.MO,
    "year": QUDT_UNIT.YR,
}

#: What a time counts from, when the source says.
TIME_ORIGINS = ("infusion", "baseline")

#: Statistics of a time across patients ("a median follow-up of 20 months").
TIME_STATISTICS = ("median", "mean")


@dataclass(frozen=True)
class TimeRole:
    """A time an outcome may carry: its curation field, its property prefix, what it may hold."""

    field: str
    prefix: str
    summary: bool


#: The times of an outcome. A timepoint is one moment; the others may be summaries across
#: patients (a median with a range).
TIME_ROLES: tuple[TimeRole, ...] = (
    TimeRole("timepoint", "timepoint", False),
    TimeRole("follow_up", "followUp", True),
    TimeRole("onset", "onset", True),
    TimeRole("resolution", "resolution", True),
)


def time_property(role: TimeRole, part: str) -> URIRef:
    """The property of one part (Text, Value, Unit, ...) of a time, e.g. cart:followUpValue."""
    term: URIRef = getattr(CART, role.prefix + part)
    return term
ARTICLE_KINDS = ("news", "press-release", "congress-abstract", "paper", "paper-abstract",
                 "registry-record")

#: Kinds of planned next step (SKOS concepts in the ontology).
PLAN_KINDS: dict[str, URIRef] = {
    "dose-escalation-cohort": CART.DoseEscalationCohort,
    "registrational-trial": CART.RegistrationalTrial,
    "pivotal-study-design": CART.PivotalStudyDesign,
    "regulatory-alignment": CART.RegulatoryAlignment,
    "recruitment": CART.Recruitment,
}


def prefix_table(prefixes: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    """(prefix, namespace) pairs, longest namespace first; equal lengths in the mapping's order."""
    return tuple(sorted(prefixes.items(), key=lambda item: -len(item[1])))
