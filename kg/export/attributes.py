"""The attributes of property-graph nodes: which RDF property becomes which attribute.

Also the kind of each attribute, and the curation names of controlled values.
"""

from __future__ import annotations

from kg.core.given import DOSE_UNITS, TRIAL_DESIGNS, TRIAL_STATUSES, WINDOW
from kg.core.vocab import (
    CART,
    PLAN_KINDS,
    PREFIXES,
    STATISTICS,
    TIME_ROLES,
    TIME_UNITS,
    UNITS,
    time_property,
)

_RDFS = PREFIXES["rdfs"]
_SKOS = PREFIXES["skos"]
_DCTERMS = PREFIXES["dcterms"]

#: Controlled values (IRIs) by the name a curator writes: ``median-change``, ``week``, ...
TERM_NAMES = {str(iri): name for table in (STATISTICS, UNITS, TIME_UNITS, PLAN_KINDS)
               for name, iri in table.items()}

#: Node properties: predicate -> (attribute, kind). Kinds: text (one string), list (strings),
#: terms (controlled values by their curation names, a list: a trial's designs or statuses),
#: curies (IRIs as CURIEs), nodes (node ids: the registry's broader terms, kept as an attribute
#: because an edge stands for a quoted claim), term (a controlled value by its curation name),
#: label (the label of the node it points to), number (float), integer. Other literal properties
#: keep their local name as a list; rdf:type gives ``class``; the rest (curation files, article
#: text) is left out.
PROPERTIES: dict[str, tuple[str, str]] = {
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
#: The parts of each time (docs/curation.md, "Times"): ``timepoint_value``, ``follow_up_unit``, ...
_TIME_PARTS = {"Value": "number", "Unit": "term", "Qualifier": "text", "From": "text",
               "Months": "number", "Statistic": "term", "Min": "number", "Max": "number"}
PROPERTIES.update({
    str(time_property(role, part)): (role.field if part == "Text" else
                                     f"{role.field}_{part.lower()}", kind)
    for role in TIME_ROLES for part, kind in {"Text": "text", **_TIME_PARTS}.items()
    if role.summary or part not in ("Statistic", "Min", "Max")})
PROPERTIES.update({str(getattr(CART, name)): (attribute, kind) for name, attribute, kind in (
    ("baselineValue", "baseline", "number"), ("finalValue", "final", "number"),
    ("rangeMin", "range_min", "number"), ("rangeMax", "range_max", "number"),
    ("iqrLow", "iqr_low", "number"), ("iqrHigh", "iqr_high", "number"),
    ("standardDeviation", "sd", "number"), ("ciLow", "ci_low", "number"),
    ("ciHigh", "ci_high", "number"), ("ciLevel", "ci_level", "number"),
    ("pValue", "p_value", "number"), ("pValueRelation", "p_relation", "text"),
    ("statedSignificant", "significant", "text"), ("derivation", "derived", "list"),
    ("dataCutoff", "data_cutoff", "text"), ("gradeMin", "grade_min", "integer"),
    ("gradeMax", "grade_max", "integer"), ("reversible", "reversible", "text"))})
# Sources and their lineage: an article node's bibliographic fields and what it derives from.
_BIBO = PREFIXES["bibo"]
PROPERTIES.update({
    _BIBO + "doi": ("doi", "text"), _BIBO + "pmid": ("pmid", "text"),
    _BIBO + "volume": ("volume", "text"), _BIBO + "issue": ("issue", "text"),
    _BIBO + "pages": ("pages", "text"), str(CART.journalTitle): ("journal", "text"),
    str(CART.congressName): ("congress", "text"),
    str(CART.abstractNumber): ("abstract_number", "text"),
    PREFIXES["prov"] + "wasDerivedFrom": ("derived_from", "curies"),
})
# What was given; trials, endpoints (docs/curation.md "What was given", "Trials and endpoints").
TERM_NAMES.update({str(iri): name for table in (DOSE_UNITS, TRIAL_DESIGNS, TRIAL_STATUSES)
                   for name, iri in table.items()})
PROPERTIES.update({str(getattr(CART, name)): (attribute, kind) for name, attribute, kind in (
    ("doseText", "dose", "text"), ("doseValue", "dose_value", "number"),
    ("doseUnit", "dose_unit", "term"), ("dosePer", "dose_per", "text"),
    ("doseMin", "dose_min", "number"), ("doseMax", "dose_max", "number"),
    ("doseLevel", "dose_level", "text"), ("doseDays", "dose_days", "integer"),
    ("infusionSchedule", "infusion", "text"), ("infusionCount", "infusion_count", "integer"),
    ("combinationMode", "combination", "text"), ("hasDesign", "design", "terms"),
    ("trialStatus", "trial_status", "terms"), ("plannedEnrolment", "planned_enrolment", "list"),
    ("actualEnrolment", "actual_enrolment", "list"), ("endpointId", "endpoint_id", "text"),
    ("endpointRole", "role", "text"), ("endpointText", "endpoint", "text"))})
PROPERTIES.update({
    str(time_property(WINDOW, part)): ("window" if part == "Text" else f"window_{part.lower()}",
                                       kind)
    for part, kind in {"Text": "text", **_TIME_PARTS}.items()
    if part not in ("Statistic", "Min", "Max")})
KINDS = dict(PROPERTIES.values())
